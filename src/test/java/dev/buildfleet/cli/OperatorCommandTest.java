package dev.buildfleet.cli;

import dev.buildfleet.Fixtures;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.render.Yaml;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.InputStream;
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
        try (InputStream in = getClass().getResourceAsStream("/META-INF/fabric8/buildtenants.buildfleet.dev-v1.yml")) {
            client.resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
        }
        Path config = Files.writeString(tmp.resolve("fleet-config.yaml"),
                Yaml.write(Fixtures.example().config()));
        System.setProperty(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY, client.getMasterUrl().toString());
        System.setProperty(Config.KUBERNETES_TRUST_CERT_SYSTEM_PROPERTY, "true");
        System.setProperty(Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false");
        System.setProperty(Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY, "false");
        OperatorCommand command = new OperatorCommand();
        new CommandLine(command).parseArgs("--config", config.toString(), "--port", "0",
                "--leader-election-namespace", "");
        try (OperatorCommand.Running running = command.start()) {
            String base = "http://127.0.0.1:" + running.server().port();
            HttpClient http = HttpClient.newHttpClient();
            assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> get(http, base + "/readyz").statusCode() == 200);

            BuildTenant java = Fixtures.example().tenants().get(0);
            client.resource(java).create();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(http, base + "/metrics").body())
                    .contains("buildfleet_reconciles_total", "buildfleet_tenants{ready=\"false\"} 1.0",
                            "buildfleet_reconcile_duration_seconds_count", "jvm_memory_used_bytes"));
        } finally {
            System.clearProperty(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY);
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
