package dev.buildfleet.cli;

import dev.buildfleet.Fixtures;
import dev.buildfleet.render.OutputDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"", "validate", "render", "crd", "storage"})
    void everyCommandHasHelp(String command) {
        Cli cli = command.isEmpty() ? Cli.run("--help") : Cli.run(command, "--help");
        assertThat(cli.exitCode()).isZero();
        assertThat(cli.out()).contains("Usage: buildfleet");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(Cli.run("render", "-f", "x.yaml").exitCode()).isEqualTo(2);
        assertThat(Cli.run("frobnicate").exitCode()).isEqualTo(2);
        assertThat(Cli.run().exitCode()).isEqualTo(2);
    }

    @Test
    void validateAcceptsTheExample() {
        Cli cli = Cli.run("validate", "-f", Fixtures.EXAMPLE.toString());
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out()).contains("valid, 2 tenants (java, dotnet)");
    }

    @Test
    void renderWritesOneFolderPerTenantAndSaysWhichSecretsToCreate() throws IOException {
        Path out = tmp.resolve("out");
        Cli cli = Cli.run("render", "-f", Fixtures.EXAMPLE.toString(), "-o", out.toString());
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(out.resolve("kustomization.yaml")).content().contains("- dotnet", "- java");
        assertThat(out.resolve("java/15-deployment-gitlab-runner.yaml")).exists();
        assertThat(out.resolve("dotnet/kustomization.yaml")).content().contains("01-namespace-bf-dotnet.yaml");
        assertThat(cli.out()).contains("runner-token", "cache-s3-credentials",
                "cache-registry-htpasswd", "kaniko-docker-config");
    }

    @Test
    void renderMountsTheCaBundleIntoEveryHopAndSaysWhichConfigMapToProvide() throws IOException {
        Path out = tmp.resolve("out");
        Cli cli = Cli.run("render", "-f", Fixtures.EXAMPLE.toString(), "-o", out.toString());
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out()).contains("ConfigMap buildfleet-ca-bundle (key ca.crt)");
        assertThat(out.resolve("java/14-configmap-runner-config.yaml")).content()
                .contains("tls-ca-file = '/etc/buildfleet/ca/ca.crt'", "[[runners.kubernetes.volumes.config_map]]",
                        "SSL_CERT_DIR=/kaniko/ssl/certs:/etc/ssl/certs:/etc/buildfleet/ca");
        for (String deployment : new String[]{"java/15-deployment-gitlab-runner.yaml",
                "java/18-deployment-cache-registry.yaml"}) {
            assertThat(out.resolve(deployment)).content().contains("name: buildfleet-ca-bundle",
                    "mountPath: /etc/buildfleet/ca", "SSL_CERT_DIR").doesNotContain("AWS_CA_BUNDLE");
        }
    }

    @Test
    void reRenderReplacesItsOwnFilesAndRemovesTenantsThatLeft() throws IOException {
        Path out = tmp.resolve("out");
        assertThat(Cli.run("render", "-f", Fixtures.EXAMPLE.toString(), "-o", out.toString()).exitCode()).isZero();
        Path mine = Files.writeString(out.resolve("README.txt"), "notes of the platform team");
        String onlyJava = Fixtures.exampleWith(root -> root.withArray("tenants").remove(1));
        Path fleet = Files.writeString(tmp.resolve("fleet.yaml"), onlyJava);

        Cli cli = Cli.run("render", "-f", fleet.toString(), "-o", out.toString());
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(out.resolve("dotnet")).doesNotExist();
        assertThat(out.resolve("java/kustomization.yaml")).exists();
        assertThat(mine).hasContent("notes of the platform team");
        assertThat(out.resolve(OutputDirectory.MANIFEST)).content().doesNotContain("dotnet/");
    }

    @Test
    void crdPrintsTheGeneratedDefinition() {
        Cli cli = Cli.run("crd");
        assertThat(cli.exitCode()).isZero();
        assertThat(cli.out()).contains("kind: CustomResourceDefinition", "name: buildtenants.buildfleet.dev");
    }

    /** Two separate JVMs (different hash seeds) must write the same bytes. */
    @Test
    void renderIsByteIdenticalAcrossProcesses() throws Exception {
        Map<String, String> first = renderInFreshJvm(tmp.resolve("a"));
        Map<String, String> second = renderInFreshJvm(tmp.resolve("b"));
        // 2 tenants x (14 runner objects + 4 cache-registry objects + 2 ServiceMonitors + PrometheusRule + dashboard
        // ConfigMap + kustomization.yaml)
        // + the two fleet-wide ClusterRoles + top-level kustomization.yaml + manifest
        assertThat(first).hasSize(52).containsKey(OutputDirectory.MANIFEST);
        assertThat(second).isEqualTo(first);
    }

    /** kubectl's own kustomize reads the output, as a GitOps controller would. */
    @Test
    void kubectlKustomizeBuildsTheRenderedFleet() throws Exception {
        Path out = tmp.resolve("out");
        assertThat(Cli.run("render", "-f", Fixtures.EXAMPLE.toString(), "-o", out.toString()).exitCode()).isZero();
        Process kubectl = new ProcessBuilder("kubectl", "kustomize", out.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String built = new String(kubectl.getInputStream().readAllBytes());
        assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.exitValue()).isZero();
        List<String> kinds = new ArrayList<>();
        for (String doc : built.split("(?m)^---$")) {
            kinds.add(dev.buildfleet.render.Yaml.read(doc).path("kind").asText());
        }
        assertThat(kinds).hasSize(48);
        assertThat(kinds).filteredOn("ClusterRole"::equals).hasSize(2);
        assertThat(kinds).filteredOn("Role"::equals).isEmpty();
        assertThat(kinds).filteredOn("ServiceMonitor"::equals).hasSize(4);
        assertThat(kinds).filteredOn("PrometheusRule"::equals).hasSize(2);
        assertThat(kinds).filteredOn("Namespace"::equals).hasSize(2);
        assertThat(kinds).filteredOn("NetworkPolicy"::equals).hasSize(12);
        assertThat(kinds).filteredOn("Deployment"::equals).hasSize(4);
        assertThat(kinds).filteredOn("Service"::equals).hasSize(4);
    }

    private Map<String, String> renderInFreshJvm(Path out) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "render", "-f", Fixtures.EXAMPLE.toString(), "-o", out.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(out)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(out.relativize(file).toString(), Files.readString(file));
            }
        }
        return files;
    }
}
