package dev.buildfleet.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.buildfleet.Fixtures;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantPrometheusRule;
import dev.buildfleet.render.Yaml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The rendered PrometheusRule through the real promtool: valid rules, and every alert fires and stays silent. */
class PrometheusRulesTest {
    @TempDir
    Path tmp;

    final ResolvedTenant tenant = Fixtures.resolved("java");

    /** spec.groups of the rendered object, as YAML a rules file holds. */
    static JsonNode renderedGroups(ResolvedTenant t) {
        JsonNode rule = Yaml.read(Yaml.write(TenantPrometheusRule.build(t)));
        return rule.path("spec").path("groups");
    }

    @Test
    void promtoolChecksTheRenderedRules() throws Exception {
        Files.writeString(tmp.resolve("rules.yaml"), Yaml.write(Map.of("groups", renderedGroups(tenant))));
        Promtool.Result check = Promtool.run(tmp, "check", "rules", "rules.yaml");
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + TenantPrometheusRule.alerts(tenant).size() + " rules found");
    }

    @Test
    void everyAlertFiresWhenItShouldAndStaysSilentOtherwise() throws Exception {
        JsonNode groups = renderedGroups(tenant).deepCopy();
        // Annotation texts are checked in everyAlertCarriesWhatAnOnCallPersonNeeds; promtool would compare them too.
        groups.forEach(g -> g.path("rules").forEach(r -> ((ObjectNode) r).remove("annotations")));
        Files.writeString(tmp.resolve("rules.yaml"), Yaml.write(Map.of("groups", groups)));
        String tests;
        try (InputStream in = getClass().getResourceAsStream("/monitoring/alerts-test.yaml")) {
            tests = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(tmp.resolve("alerts-test.yaml"), tests);

        // Each alert has a firing case (exp_alerts) and a silent case in the healthy group.
        JsonNode parsed = Yaml.read(tests);
        Set<String> fires = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        parsed.path("tests").get(0).path("alert_rule_test").forEach(c -> {
            if (!c.path("exp_alerts").isEmpty()) {
                fires.add(c.path("alertname").asText());
            }
        });
        parsed.path("tests").get(1).path("alert_rule_test").forEach(c -> {
            assertThat(c.path("exp_alerts").isEmpty()).isTrue();
            silent.add(c.path("alertname").asText());
        });
        List<String> names = TenantPrometheusRule.alerts(tenant).stream().map(TenantPrometheusRule.Alert::name).toList();
        assertThat(fires).containsExactlyInAnyOrderElementsOf(names);
        assertThat(silent).containsExactlyInAnyOrderElementsOf(names);

        Promtool.Result result = Promtool.run(tmp, "test", "rules", "alerts-test.yaml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertCarriesWhatAnOnCallPersonNeeds() throws Exception {
        String runbooks = Files.readString(Path.of("docs/runbooks.md"));
        List<String> anchors = new ArrayList<>();
        for (JsonNode rule : renderedGroups(tenant).get(0).path("rules")) {
            String name = rule.path("alert").asText();
            assertThat(rule.at("/labels/severity").asText()).as(name).isIn("critical", "warning");
            assertThat(rule.at("/labels/tenant").asText()).as(name).isEqualTo("java");
            assertThat(rule.at("/annotations/summary").asText()).as(name).isNotBlank();
            assertThat(rule.at("/annotations/description").asText()).as(name).isNotBlank();
            String url = rule.at("/annotations/runbook_url").asText();
            assertThat(url).as(name).contains("docs/runbooks.md#");
            String anchor = url.substring(url.indexOf('#') + 1);
            // GitHub/GitLab anchors of "## Runner down" headings
            assertThat(runbooks).as(name + " has a runbook section").containsPattern("(?im)^## " + anchor
                    .replace("-", "[ -]") + "\\s*$");
            anchors.add(anchor);
            // Scoped to the tenant: never alerts on another tenant's series.
            assertThat(rule.path("expr").asText()).as(name).contains("tenant=\"java\"");
        }
        assertThat(anchors).doesNotHaveDuplicates();
    }

    @Test
    void onlyMetricNamesGitlabRunnerAndTheOperatorReallyExport() {
        String all = TenantPrometheusRule.alerts(tenant).stream().map(TenantPrometheusRule.Alert::expr)
                .reduce("", String::concat);
        // Found in gitlab-runner's Go source (commands/builds_helper.go, helpers/prometheus/failures_collector.go,
        // network/api_requests_collector.go); the operator's in OperatorMetrics.
        var metric = Pattern.compile("\\b(gitlab_runner_[a-z_]+|buildfleet_[a-z_]+)\\b").matcher(all);
        Set<String> used = new TreeSet<>();
        while (metric.find()) {
            used.add(metric.group(1));
        }
        assertThat(used).isSubsetOf(Set.of("gitlab_runner_jobs", "gitlab_runner_concurrent",
                "gitlab_runner_failed_jobs_total", "gitlab_runner_jobs_total",
                "gitlab_runner_api_request_statuses_total", "buildfleet_tenant_ready",
                "buildfleet_tenant_storage_used_bytes", "buildfleet_tenant_storage_quota_bytes",
                "buildfleet_tenant_runner_token_expiry_timestamp_seconds", "buildfleet_reconcile_errors_total",
                "buildfleet_tenant_cache_ready"));
        assertThat(all).doesNotContain("gitlab_runner_jobs_running_total");
    }
}
