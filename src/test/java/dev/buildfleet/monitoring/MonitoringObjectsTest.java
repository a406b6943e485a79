package dev.buildfleet.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.buildfleet.Fixtures;
import dev.buildfleet.model.GrafanaDashboardConfigMap;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.RunnerServiceMonitor;
import dev.buildfleet.model.TenantObjects;
import dev.buildfleet.render.Yaml;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitoring objects as rendered, without any server. */
class MonitoringObjectsTest {
    final ResolvedTenant tenant = Fixtures.resolved("java");

    static List<String> kinds(ResolvedTenant t) {
        return TenantObjects.build(t).stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
    }

    static ResolvedTenant withToggles(ResolvedTenant t, boolean sm, boolean rule, boolean dashboard) {
        return new ResolvedTenant(t.name(), t.namespace(), t.gitlabUrl(), t.runnerToken(), t.runnerCreate(),
                t.concurrency(), t.nodeSelector(), t.tolerations(), t.job(), t.helper(), t.cache(), t.images(),
                t.egress(), t.network(), new ResolvedTenant.Monitoring(sm, rule, dashboard),
                t.storageDeletionPolicy());
    }

    @Test
    void monitoringObjectsAreRenderedOnlyWhenTheirTogglesAreOn() {
        assertThat(kinds(tenant)).contains("ServiceMonitor/gitlab-runner", "PrometheusRule/buildfleet-alerts",
                "ConfigMap/buildfleet-dashboard");
        assertThat(kinds(withToggles(tenant, false, false, false))).noneMatch(k -> k.startsWith("ServiceMonitor")
                || k.startsWith("PrometheusRule") || k.equals("ConfigMap/buildfleet-dashboard"));
        assertThat(kinds(withToggles(tenant, true, false, false))).contains("ServiceMonitor/gitlab-runner")
                .doesNotContain("PrometheusRule/buildfleet-alerts", "ConfigMap/buildfleet-dashboard");
        assertThat(kinds(withToggles(tenant, false, true, false))).contains("PrometheusRule/buildfleet-alerts")
                .doesNotContain("ServiceMonitor/gitlab-runner", "ConfigMap/buildfleet-dashboard");
        assertThat(kinds(withToggles(tenant, false, false, true))).contains("ConfigMap/buildfleet-dashboard")
                .doesNotContain("ServiceMonitor/gitlab-runner", "PrometheusRule/buildfleet-alerts");
    }

    @Test
    void serviceMonitorScrapesTheMetricsPortOfTheTenantsServiceAndAddsTheTenantLabel() {
        JsonNode sm = Yaml.read(Yaml.write(RunnerServiceMonitor.build(tenant)));
        assertThat(sm.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(sm.at("/metadata/namespace").asText()).isEqualTo("bf-java");
        assertThat(sm.at("/spec/namespaceSelector/matchNames").toString()).isEqualTo("[\"bf-java\"]");
        assertThat(sm.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics");
        JsonNode relabel = sm.at("/spec/endpoints/0/relabelings/0");
        assertThat(relabel.path("targetLabel").asText()).isEqualTo("tenant");
        assertThat(relabel.path("replacement").asText()).isEqualTo("java");
        assertThat(relabel.path("action").asText()).isEqualTo("replace");
        // The selector matches the runner metrics Service the same tenant renders.
        HasMetadata service = TenantObjects.build(tenant).stream()
                .filter(o -> o.getMetadata().getName().equals("gitlab-runner-metrics")).findFirst().orElseThrow();
        sm.at("/spec/selector/matchLabels").fields().forEachRemaining(e ->
                assertThat(service.getMetadata().getLabels()).containsEntry(e.getKey(), e.getValue().asText()));
    }

    @Test
    void dashboardConfigMapIsPickedUpByGrafanaAndShipsTheFleetDashboardForThisTenant() throws Exception {
        var cm = GrafanaDashboardConfigMap.build(tenant);
        assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        JsonNode d = Yaml.read(cm.getData().get("buildfleet-java.json"));
        assertThat(d.path("uid").asText()).isEqualTo("buildfleet-java");
        assertThat(d.at("/templating/list/1/current/value").asText()).isEqualTo("java");
        assertThat(d.path("panels").size()).isGreaterThanOrEqualTo(8);
        // deploy/dashboards/buildfleet.json is the file the jar carries (import it into Grafana by hand).
        assertThat(Files.readString(Path.of("deploy/dashboards/buildfleet.json")))
                .isEqualTo(GrafanaDashboardConfigMap.fleetDashboard());
    }

    @Test
    void dashboardShowsWhatTheIssueAsksFor() {
        String all = GrafanaDashboardConfigMap.fleetDashboard();
        assertThat(all).contains("gitlab_runner_jobs{", "gitlab_runner_concurrent{",
                "gitlab_runner_job_duration_seconds_bucket", "gitlab_runner_failed_jobs_total",
                "gitlab_runner_api_request_statuses_total", "buildfleet_tenant_storage_used_bytes",
                "buildfleet_tenant_storage_quota_bytes", "buildfleet_tenant_ready", "$tenant");
    }

    @Test
    void eachServiceMonitorSelectsExactlyOneServiceWithThePortItScrapes() {
        var tenant = dev.buildfleet.Fixtures.resolved("java");
        List<HasMetadata> objects = TenantObjects.build(tenant);
        List<io.fabric8.kubernetes.api.model.Service> services = objects.stream()
                .filter(o -> o instanceof io.fabric8.kubernetes.api.model.Service)
                .map(o -> (io.fabric8.kubernetes.api.model.Service) o).toList();
        List<JsonNode> monitors = objects.stream().filter(o -> o.getKind().equals("ServiceMonitor"))
                .map(o -> Yaml.read(Yaml.write(o))).toList();
        assertThat(monitors).hasSize(2);
        for (JsonNode monitor : monitors) {
            var selector = new java.util.HashMap<String, String>();
            monitor.at("/spec/selector/matchLabels").fields()
                    .forEachRemaining(e -> selector.put(e.getKey(), e.getValue().asText()));
            var selected = services.stream().filter(svc -> svc.getMetadata().getLabels().entrySet()
                    .containsAll(selector.entrySet())).toList();
            assertThat(selected).as(monitor.at("/metadata/name").asText()).hasSize(1);
            String port = monitor.at("/spec/endpoints/0/port").asText();
            assertThat(selected.getFirst().getSpec().getPorts()).anyMatch(p -> p.getName().equals(port));
        }
    }
}
