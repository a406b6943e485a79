package dev.buildfleet.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.buildfleet.k8s.RealCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * buildfleet plan on the real control plane: two tenants, web and api, applied from render's output with kubectl
 * apply -k; plans of changed fleets against them, each as deploy/verify's read-only identity, none writing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlanRealClusterTest {
    static final String FLEET = """
            apiVersion: buildfleet.dev/v1alpha1
            kind: Fleet
            config:
              gitlab: {url: https://gitlab.example.com, cidrs: [10.10.0.10/32]}
              kubernetesApi: {cidrs: [10.96.0.1/32]}
              ceph: {endpoint: https://rgw.example.com, region: default, cidrs: [10.10.1.0/24]}
            tenants:
              - apiVersion: buildfleet.dev/v1alpha1
                kind: BuildTenant
                metadata: {name: web}
                spec:
                  gitlab: {runner: {create: {runnerType: group_type, groupId: 7, tags: [web]}}}
                  concurrency: 4
                  monitoring: {serviceMonitor: false, prometheusRule: false}
              - apiVersion: buildfleet.dev/v1alpha1
                kind: BuildTenant
                metadata: {name: api}
                spec:
                  gitlab: {runner: {create: {runnerType: group_type, groupId: 8, tags: [api]}}}
                  concurrency: 4
                  monitoring: {serviceMonitor: false, prometheusRule: false}
            """;

    RealCluster cluster;
    KubernetesClient admin;
    RenderedFleet fleet;
    long mark;

    @BeforeAll
    void applyTheRenderedFleet() {
        cluster = RealCluster.get();
        admin = cluster.adminClient();
        cluster.addNode("web-1", "web", "8", "16Gi");
        cluster.addNode("api-1", "api", "8", "16Gi");
        fleet = RenderedFleet.apply(cluster, "plan-test", FLEET, List.of("web", "api"));
        RenderedFleet.awaitRunning(admin, List.of("bf-web", "bf-api"), 4);
        mark = cluster.auditMark();
    }

    @AfterAll
    void cleanUp() {
        if (fleet != null) {
            System.out.println("[PlanRealClusterTest] buildfleet plan of 2 tenants: " + fleet.timings());
        }
        if (admin != null) {
            admin.namespaces().withName("bf-web").delete();
            admin.namespaces().withName("bf-api").delete();
            admin.nodes().withName("web-1").delete();
            admin.nodes().withName("api-1").delete();
            admin.close();
        }
    }

    Path fleetWith(String name, String from, String to) throws IOException {
        assertThat(FLEET).contains(from);
        return Files.writeString(fleet.dir.resolve(name + ".yaml"), FLEET.replace(from, to));
    }

    static List<JsonNode> changes(RenderedFleet.Run run, String tenant) {
        List<JsonNode> out = new ArrayList<>();
        run.json().path("tenants").forEach(t -> {
            if (t.path("tenant").asText().equals(tenant)) {
                t.path("changes").forEach(out::add);
            }
        });
        return out;
    }

    static List<String> paths(JsonNode change) {
        List<String> out = new ArrayList<>();
        change.path("fields").forEach(f -> out.add(f.path("path").asText()));
        return out;
    }

    @Test
    @Order(1)
    void aCleanApplyHasNoChanges0() {
        RenderedFleet.Run run = fleet.run(Map.of(), "plan", fleet.fleet);
        assertThat(run.exit()).as(run::toString).isZero();
        assertThat(run.out()).contains("tenant web (bf-web): no changes", "tenant api (bf-api): no changes",
                "Plan: 0 to create, 0 to change, 0 to prune. Nothing was written.");
    }

    @Test
    @Order(2)
    void aChangedConcurrencyShowsTheConfigMapAndResourceQuotaFields2() throws IOException {
        Path changed = fleetWith("concurrency", "concurrency: 4\n      monitoring: {serviceMonitor: false, "
                + "prometheusRule: false}\n  - apiVersion", "concurrency: 6\n      monitoring: {serviceMonitor: "
                + "false, prometheusRule: false}\n  - apiVersion");
        RenderedFleet.Run run = fleet.run(Map.of(), "plan", changed, "-o", "json");
        assertThat(run.exit()).as(run::toString).isEqualTo(2);
        assertThat(changes(run, "api")).isEmpty();
        List<JsonNode> web = changes(run, "web");
        assertThat(web).extracting(c -> c.path("action").asText() + " " + c.path("object").asText())
                .containsExactly("change ResourceQuota bf-web/build-capacity", "change ConfigMap bf-web/runner-config",
                        "change Deployment bf-web/gitlab-runner");
        assertThat(paths(web.get(0))).contains("spec.hard[\"limits.cpu\"]", "spec.hard[\"requests.memory\"]",
                "spec.hard.pods");
        assertThat(web.get(0).path("fields").get(paths(web.get(0)).indexOf("spec.hard.pods")).path("change")
                .asText()).isEqualTo("\"8\" -> \"10\" (live -> desired)");
        assertThat(paths(web.get(1))).containsExactly("data[\"config.toml\"]");
        assertThat(web.get(1).path("fields").get(0).path("change").asText())
                .startsWith("line 1: \"concurrent = 4\" -> \"concurrent = 6\"; line 12: ")
                .contains("limit = 4", "limit = 6");
        assertThat(paths(web.get(2))).containsExactly(
                "spec.template.metadata.annotations[\"buildfleet.dev/config-checksum\"]");
        assertThat(run.json().path("summary").toString()).isEqualTo("{\"create\":0,\"change\":3,\"prune\":0}");

        RenderedFleet.Run text = fleet.run(Map.of(), "plan", changed, "--tenant", "web");
        assertThat(text.exit()).isEqualTo(2);
        assertThat(text.out()).contains("~ change ConfigMap bf-web/runner-config",
                "spec.hard[\"limits.cpu\"]: ", "Plan: 0 to create, 3 to change, 0 to prune.");
        System.out.println("[PlanRealClusterTest] concurrency 4 -> 6:\n" + text.out());
    }

    @Test
    @Order(3)
    void anObjectNoLongerRenderedIsPrunedAndATenantNoLongerInTheFleetLosesItsNamespace() throws IOException {
        Path withoutDashboard = fleetWith("no-dashboard", "prometheusRule: false}\n  - apiVersion",
                "prometheusRule: false, dashboard: false}\n  - apiVersion");
        RenderedFleet.Run run = fleet.run(Map.of(), "plan", withoutDashboard, "-o", "json");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(changes(run, "web")).singleElement().satisfies(c -> {
            assertThat(c.path("action").asText()).isEqualTo("prune");
            assertThat(c.path("object").asText()).isEqualTo("ConfigMap bf-web/buildfleet-dashboard");
            assertThat(c.path("reason").asText()).isEqualTo("labelled managed by buildfleet for web, and render no "
                    + "longer writes it");
        });
        assertThat(changes(run, "api")).isEmpty();

        Path withoutApi = Files.writeString(fleet.dir.resolve("no-api.yaml"),
                FLEET.substring(0, FLEET.lastIndexOf("  - apiVersion")));
        RenderedFleet.Run gone = fleet.run(Map.of(), "plan", withoutApi);
        assertThat(gone.exit()).isEqualTo(2);
        assertThat(gone.out()).contains("tenant web (bf-web): no changes", "tenant api (bf-api):",
                "- prune  Namespace bf-api: tenant api is no longer in the fleet",
                "Plan: 0 to create, 0 to change, 1 to prune.");
    }

    @Test
    @Order(4)
    void aDeletedObjectIsCreatedAgain() {
        admin.limitRanges().inNamespace("bf-api").withName("build-defaults").delete();
        RenderedFleet.Run run = fleet.run(Map.of(), "plan", fleet.fleet, "--tenant", "api");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).contains("+ create LimitRange bf-api/build-defaults: render writes it, the cluster "
                + "has none", "Plan: 1 to create, 0 to change, 0 to prune.");
        cluster.kubectl("apply", "-k", fleet.rendered.resolve("api").toString()).ok();
        assertThat(fleet.run(Map.of(), "plan", fleet.fleet).exit()).isZero();
    }

    @Test
    @Order(5)
    void noPlanWroteAnything() {
        assertThat(cluster.writesSince(mark, RenderedFleet.READER_USER, e -> true)).isEmpty();
    }
}
