package dev.buildfleet.cli;

import dev.buildfleet.MockApiServer;
import dev.buildfleet.Fixtures;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.render.Yaml;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** `buildfleet operator` as a process would run it: config file, API server, health and metrics endpoints. */
@EnableKubernetesMockClient(crud = true)
class OperatorCommandTest {
    KubernetesClient client;

    @TempDir
    Path tmp;

    @Test
    void servesHealthReadinessAndMetricsWhileReconciling() throws Exception {
        MockApiServer.registerCrd(client);
        Fixtures.createExampleCaBundle(client);
        Path config = Files.writeString(tmp.resolve("fleet-config.yaml"),
                Yaml.write(Fixtures.example().config()));
        OperatorCommand command = new OperatorCommand();
        new CommandLine(command).parseArgs("--config", config.toString(), "--port", "0",
                "--leader-election-namespace", "");
        try (AutoCloseable mock = MockApiServer.clientsDefaultTo(client);
             OperatorCommand.Running running = command.start()) {
            String base = "http://127.0.0.1:" + running.server().port();
            HttpClient http = HttpClient.newHttpClient();
            assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> get(http, base + "/readyz").statusCode() == 200);

            BuildTenant java = Fixtures.example().tenants().get(0);
            client.resource(java).create();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(http, base + "/metrics").body())
                    .contains("buildfleet_reconciles_total", "buildfleet_tenants{ready=\"false\"} 1.0",
                            "buildfleet_reconcile_duration_seconds_count", "jvm_memory_used_bytes"));
        }
    }

    @Test
    void withoutItsCaBundleTheOperatorDoesNotStartAndSaysWhatToCreate() throws Exception {
        MockApiServer.registerCrd(client);
        Path config = Files.writeString(tmp.resolve("fleet-config.yaml"), Yaml.write(Fixtures.example().config()));
        OperatorCommand command = new OperatorCommand();
        new CommandLine(command).parseArgs("--config", config.toString(), "--port", "0",
                "--leader-election-namespace", "");
        try (AutoCloseable mock = MockApiServer.clientsDefaultTo(client)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(command::start).hasMessage("config.caBundle: "
                    + "ConfigMap buildfleet-system/corporate-ca key ca.crt does not exist; create it with the PEM "
                    + "certificates of the CAs to trust");
        }
    }

    @Test
    void invalidConfigFileIsRefusedWithItsField() throws Exception {
        Path config = Files.writeString(tmp.resolve("fleet-config.yaml"), "gitlab:\n  url: ftp://x\n");
        Cli cli = Cli.run("operator", "--config", config.toString());
        assertThat(cli.exitCode()).isEqualTo(1);
        assertThat(cli.err()).contains("gitlab.url: 'ftp://x' must start with https://", "kubernetesApi: missing");
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
