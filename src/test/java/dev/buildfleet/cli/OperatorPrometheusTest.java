package dev.buildfleet.cli;

import dev.buildfleet.MockApiServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.buildfleet.Fixtures;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.model.GrafanaDashboardConfigMap;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantPrometheusRule;
import dev.buildfleet.render.Yaml;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus (the machine's Debian package binary) scrapes the running `buildfleet operator`, and every PromQL
 * expression of the alerts and the dashboard runs through its HTTP API without an error. gitlab-runner and the cache
 * registry are not running here, so their series are empty: this proves the expressions parse and evaluate, the
 * promtool unit tests prove what they compute. A real Distribution registry (Debian's docker-registry) is scraped
 * too, as the cache registry's ServiceMonitor would.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorPrometheusTest {
    static final ObjectMapper JSON = new ObjectMapper();
    KubernetesClient client;

    @TempDir
    Path tmp;

    @Test
    void prometheusScrapesTheOperatorAndRunsEveryAlertAndDashboardQuery() throws Exception {
        MockApiServer.registerCrd(client);
        Path config = Files.writeString(tmp.resolve("fleet-config.yaml"), Yaml.write(Fixtures.example().config()));
        OperatorCommand command = new OperatorCommand();
        new CommandLine(command).parseArgs("--config", config.toString(), "--port", "0",
                "--leader-election-namespace", "");
        Process prometheus = null;
        Process registry = null;
        Fixtures.createExampleCaBundle(client);
        try (AutoCloseable mock = MockApiServer.clientsDefaultTo(client);
             OperatorCommand.Running running = command.start()) {
            int registryDebugPort = freePort();
            registry = startRegistry(registryDebugPort);
            BuildTenant java = Fixtures.example().tenants().get(0);
            client.resource(java).create();

            int port = freePort();
            Path promConfig = Files.writeString(tmp.resolve("prometheus.yml"), """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    scrape_configs:
                      - job_name: buildfleet-operator-metrics
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                      - job_name: cache-registry
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                            labels: {tenant: java}
                    """.formatted(running.server().port(), registryDebugPort));
            prometheus = new ProcessBuilder("prometheus", "--config.file=" + promConfig,
                    "--storage.tsdb.path=" + Files.createDirectories(tmp.resolve("data")),
                    "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
            String api = "http://127.0.0.1:" + port;
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

            // Scraped: the operator's per-tenant gauge is in Prometheus under the name the alert uses.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(
                    query(http, api, "buildfleet_tenant_ready{tenant=\"java\",job=\"buildfleet-operator-metrics\"}")
                            .at("/data/result").size()).isEqualTo(1));
            assertThat(query(http, api, "up{job=\"buildfleet-operator-metrics\"}").at("/data/result/0/value/1")
                    .asText()).isEqualTo("1");
            assertThat(query(http, api, "buildfleet_reconciles_total").at("/data/result").size()).isEqualTo(1);
            // A real Distribution registry's debug endpoint: scraped, and its own metrics are there.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(
                    query(http, api, "up{job=\"cache-registry\"}").at("/data/result/0/value/1").asText())
                    .isEqualTo("1"));
            assertThat(query(http, api, "count({job=\"cache-registry\",__name__=~\"registry_.+\"})")
                    .at("/data/result/0/value/1").asInt()).isPositive();
            String registryDown = TenantPrometheusRule.alerts(Fixtures.resolved("java")).stream()
                    .filter(a -> a.name().contains("CacheRegistry")).findFirst().orElseThrow().expr();
            assertThat(query(http, api, registryDown).at("/data/result")).as("registry is up: alert silent").isEmpty();

            ResolvedTenant tenant = Fixtures.resolved("java");
            List<String> expressions = new ArrayList<>();
            TenantPrometheusRule.alerts(tenant).forEach(a -> expressions.add(a.expr()));
            JsonNode dashboard = JSON.readTree(GrafanaDashboardConfigMap.fleetDashboard());
            dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> expressions.add(t.path("expr")
                    .asText().replace("$tenant", ".*").replace("$__rate_interval", "1m"))));
            dashboard.at("/templating/list").forEach(v -> {
                String q = v.at("/query/query").asText();
                if (q.startsWith("label_values(")) {
                    // label_values(METRIC, LABEL) is Grafana's; the series part is PromQL
                    expressions.add(q.substring("label_values(".length(), q.lastIndexOf(',')));
                }
            });
            assertThat(expressions).hasSizeGreaterThan(20);
            for (String expr : expressions) {
                JsonNode answer = query(http, api, expr);
                assertThat(answer.path("status").asText()).as(expr + " -> " + answer).isEqualTo("success");
            }
        } finally {
            if (registry != null) {
                registry.destroy();
                registry.waitFor();
            }
            if (prometheus != null) {
                prometheus.destroy();
                prometheus.waitFor();
            }
        }
    }

    private static JsonNode query(HttpClient http, String api, String promql) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** Debian's docker-registry (Distribution 2.8) on local disk, its Prometheus metrics on the debug address. */
    private Process startRegistry(int debugPort) throws Exception {
        Path config = Files.writeString(tmp.resolve("registry.yml"), """
                version: 0.1
                storage:
                  filesystem: {rootdirectory: %s}
                http:
                  addr: 127.0.0.1:%d
                  debug:
                    addr: 127.0.0.1:%d
                    prometheus: {enabled: true, path: /metrics}
                """.formatted(Files.createDirectories(tmp.resolve("registry-data")), freePort(), debugPort));
        ProcessBuilder pb = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("registry.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_") || k.startsWith("AWS_"));
        return pb.start();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
