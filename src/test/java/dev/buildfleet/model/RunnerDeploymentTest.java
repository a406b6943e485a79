package dev.buildfleet.model;

import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.buildfleet.Fixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RunnerDeploymentTest {
    final ResolvedTenant tenant = Fixtures.resolved("java");
    final Deployment deployment = RunnerDeployment.build(tenant, RunnerConfigToml.build(tenant));

    @Test
    void oneManagerReplacedNotRolledSoTwoNeverShareAToken() {
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    }

    @Test
    void stopsGracefullyWithinAnHour() {
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(3600L);
        Container runner = pod.getContainers().get(0);
        // SIGTERM (15) is rewritten to SIGQUIT (3): gitlab-runner's graceful stop, which waits for running jobs.
        assertThat(runner.getCommand()).containsExactly("/usr/bin/dumb-init", "--rewrite", "15:3", "--");
        assertThat(runner.getArgs()).startsWith("gitlab-runner", "run");
    }

    @Test
    void configChangeChangesThePodTemplateAndNothingElseDoes() {
        String checksum = deployment.getSpec().getTemplate().getMetadata().getAnnotations()
                .get(Names.CONFIG_CHECKSUM_ANNOTATION);
        String sameConfig = RunnerDeployment.build(tenant, RunnerConfigToml.build(tenant)).getSpec().getTemplate()
                .getMetadata().getAnnotations().get(Names.CONFIG_CHECKSUM_ANNOTATION);
        String otherConfig = RunnerDeployment.build(tenant, RunnerConfigToml.build(tenant) + "\n# changed")
                .getSpec().getTemplate().getMetadata().getAnnotations().get(Names.CONFIG_CHECKSUM_ANNOTATION);
        assertThat(sameConfig).isEqualTo(checksum);
        assertThat(otherConfig).isNotEqualTo(checksum).hasSize(64);
    }

    @Test
    void tokenReachesTheRunnerOnlyFromItsSecret() {
        Container init = deployment.getSpec().getTemplate().getSpec().getInitContainers().get(0);
        var token = init.getEnv().stream().filter(e -> e.getName().equals("RUNNER_TOKEN")).findFirst().orElseThrow();
        assertThat(token.getValue()).isNull();
        assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("runner-token");
        var dotnet = Fixtures.resolved("dotnet");
        var dotnetInit = RunnerDeployment.build(dotnet, RunnerConfigToml.build(dotnet)).getSpec().getTemplate()
                .getSpec().getInitContainers().get(0);
        assertThat(dotnetInit.getEnv().get(0).getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("dotnet-runner-token");
    }

    /** Runs the init container's script with the machine's real sh and sed, as the runner image would. */
    @Test
    void installScriptPutsTheTokenIntoAWritableConfig(@TempDir Path tmp) throws Exception {
        Path template = Files.createDirectories(tmp.resolve("template"));
        Path config = Files.createDirectories(tmp.resolve("config"));
        writeTemplate(template, RunnerConfigToml.build(tenant));

        Process ok = runScript(template, config, "glrt-AbC_123.def-456");
        assertThat(ok.exitValue()).as(new String(ok.getErrorStream().readAllBytes())).isZero();
        var installed = new TomlMapper().readTree(config.resolve("config.toml").toFile());
        assertThat(installed.path("runners").get(0).path("token").asText()).isEqualTo("glrt-AbC_123.def-456");
        assertThat(installed.path("concurrent").asInt()).isEqualTo(20);
        assertThat(Files.getPosixFilePermissions(config.resolve("config.toml")).toString())
                .doesNotContain("OTHERS", "GROUP");
        // gitlab-runner's own check of the file (commands/internal/configfile): ^[sr]_[0-9a-zA-Z]{12}$
        assertThat(Files.readString(config.resolve(".runner_system_id")))
                .matches("^[sr]_[0-9a-zA-Z]{12}$").isEqualTo(RunnerSystemId.of(tenant.name()));
    }

    @Test
    void thePlaceholderOutsideTheTokenKeyNeverReceivesTheToken(@TempDir Path tmp) throws Exception {
        Path template = Files.createDirectories(tmp.resolve("template"));
        Path config = Files.createDirectories(tmp.resolve("config"));
        String toml = RunnerConfigToml.build(tenant);
        String url = tenant.gitlabUrl().toString();
        assertThat(toml).contains("'" + url + "'");
        writeTemplate(template, toml.replace("'" + url + "'", "'" + url + "/$RUNNER_TOKEN'"));

        Process ok = runScript(template, config, "glrt-secret123");
        assertThat(ok.exitValue()).as(new String(ok.getErrorStream().readAllBytes())).isZero();
        var runner = new TomlMapper().readTree(config.resolve("config.toml").toFile()).path("runners").get(0);
        assertThat(runner.path("url").asText()).isEqualTo(url + "/$RUNNER_TOKEN");
        assertThat(runner.path("token").asText()).isEqualTo("glrt-secret123");
    }

    /** Decoys the sed must leave alone: the placeholder as part of another value, of an array, of a comment. */
    @Test
    void onlyTheTokenKeysOwnLineReceivesTheToken(@TempDir Path tmp) throws Exception {
        Path template = Files.createDirectories(tmp.resolve("template"));
        Path config = Files.createDirectories(tmp.resolve("config"));
        String toml = RunnerConfigToml.build(tenant);
        String decoys = toml
                .replace("    'BUILDFLEET_TENANT=java',\n",
                        "    'BUILDFLEET_TENANT=java',\n    \"token = '$RUNNER_TOKEN'\",\n")
                .replace("  token = '$RUNNER_TOKEN'\n", "  token = '$RUNNER_TOKEN'\n"
                        + "  # token = '$RUNNER_TOKEN'\n  pre_build_script = \"token = '$RUNNER_TOKEN'\"\n");
        assertThat(decoys).isNotEqualTo(toml).contains("\"token = '$RUNNER_TOKEN'\",", "# token = ");
        writeTemplate(template, decoys);

        Process ok = runScript(template, config, "glrt-secret123");
        assertThat(ok.exitValue()).as(new String(ok.getErrorStream().readAllBytes())).isZero();
        String installed = Files.readString(config.resolve("config.toml"));
        assertThat(installed.split("glrt-secret123", -1)).as("the token appears once").hasSize(2);
        var runner = new TomlMapper().readTree(installed).path("runners").get(0);
        assertThat(runner.path("token").asText()).isEqualTo("glrt-secret123");
        assertThat(runner.path("pre_build_script").asText()).isEqualTo("token = '$RUNNER_TOKEN'");
        assertThat(runner.path("environment").toString()).contains("token = '$RUNNER_TOKEN'");
    }

    @Test
    void withRunnerShapesEachRunnerEntryReceivesItsOwnToken(@TempDir Path tmp) throws Exception {
        ResolvedTenant shaped = Fixtures.resolvedWith("java", root -> {
            var shape = Fixtures.tenantSpec(root, 0).putArray("shapes").addObject().put("name", "large")
                    .put("concurrency", 3);
            shape.putObject("runner").putObject("tokenSecretRef").put("name", "java-large-token");
            shape.putObject("jobResources").putObject("cpu").put("request", "4").put("limit", "8");
        });
        String toml = RunnerConfigToml.build(shaped);
        var pod = RunnerDeployment.build(shaped, toml).getSpec().getTemplate().getSpec();
        var init = pod.getInitContainers().get(0);
        assertThat(init.getEnv()).extracting(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName())
                .containsExactly("RUNNER_TOKEN=runner-token", "RUNNER_TOKEN_LARGE=java-large-token");
        Path template = Files.createDirectories(tmp.resolve("template"));
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(template.resolve("config.toml"), toml);
        Files.writeString(template.resolve(RunnerConfigMap.SYSTEM_ID_KEY), RunnerSystemId.of(shaped.name()));
        String script = init.getCommand().get(2).replace(RunnerDeployment.TEMPLATE_DIR, template.toString())
                .replace(RunnerDeployment.CONFIG_DIR, config.toString());
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script);
        pb.environment().put("RUNNER_TOKEN", "glrt-main1");
        pb.environment().put("RUNNER_TOKEN_LARGE", "glrt-large2");
        Process p = pb.start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getErrorStream().readAllBytes())).isZero();
        var root = new TomlMapper().readTree(Files.readString(config.resolve("config.toml")));
        assertThat(root.path("concurrent").asInt()).isEqualTo(23);
        var runners = root.path("runners");
        assertThat(runners).hasSize(2);
        assertThat(runners.get(0).path("token").asText()).isEqualTo("glrt-main1");
        assertThat(runners.get(0).path("limit").asInt()).isEqualTo(20);
        assertThat(runners.get(1).path("name").asText()).isEqualTo("bf-java-large");
        assertThat(runners.get(1).path("token").asText()).isEqualTo("glrt-large2");
        assertThat(runners.get(1).path("limit").asInt()).isEqualTo(3);
        assertThat(runners.get(1).at("/kubernetes/cpu_request").asText()).isEqualTo("4");
        assertThat(runners.get(1).at("/kubernetes/memory_request").asText())
                .isEqualTo(runners.get(0).at("/kubernetes/memory_request").asText());
        for (String key : new String[]{"namespace", "node_selector", "node_tolerations", "pod_labels",
                "service_account", "privileged", "volumes", "allowed_images"}) {
            assertThat(runners.get(1).path("kubernetes").path(key)).as(key)
                    .isEqualTo(runners.get(0).path("kubernetes").path(key));
        }
        assertThat(runners.get(1).path("cache")).isEqualTo(runners.get(0).path("cache"));

        pb.environment().put("RUNNER_TOKEN_LARGE", "");
        Process missing = pb.start();
        assertThat(missing.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(missing.exitValue()).isEqualTo(1);
        assertThat(new String(missing.getErrorStream().readAllBytes())).contains("RUNNER_TOKEN_LARGE");
    }

    private void writeTemplate(Path template, String toml) throws IOException {
        Files.writeString(template.resolve("config.toml"), toml);
        Files.writeString(template.resolve(RunnerConfigMap.SYSTEM_ID_KEY), RunnerSystemId.of(tenant.name()));
    }

    @Test
    void installScriptRefusesAnEmptyOrInjectedToken(@TempDir Path tmp) throws Exception {
        Path template = Files.createDirectories(tmp.resolve("template"));
        Path config = Files.createDirectories(tmp.resolve("config"));
        writeTemplate(template, RunnerConfigToml.build(tenant));
        for (String bad : new String[]{"", "x'\nprivileged = true", "a/b", "glrt-x\" ; rm -rf /"}) {
            Process p = runScript(template, config, bad);
            assertThat(p.exitValue()).as(bad).isEqualTo(1);
            assertThat(new String(p.getErrorStream().readAllBytes())).contains("not a GitLab token");
            assertThat(config.resolve("config.toml")).doesNotExist();
        }
    }

    private static Process runScript(Path template, Path config, String token) throws IOException,
            InterruptedException {
        String script = RunnerDeployment.INSTALL_CONFIG_SCRIPT
                .replace(RunnerDeployment.TEMPLATE_DIR, template.toString())
                .replace(RunnerDeployment.CONFIG_DIR, config.toString());
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script);
        pb.environment().put("RUNNER_TOKEN", token);
        Process p = pb.start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return p;
    }

    @Test
    void runnerPodPullsWithTheFleetsAndTheTenantsSecrets() {
        ResolvedTenant t = Fixtures.resolvedWith("java", root -> {
            ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("config")).putObject("defaults")
                    .putArray("imagePullSecrets").add("platform-mirror").add("harbor-pull");
            dev.buildfleet.Fixtures.tenantSpec(root, 0).putArray("imagePullSecrets").add("harbor-pull")
                    .add("java-registry");
        });
        var pod = RunnerDeployment.build(t, RunnerConfigToml.build(t)).getSpec().getTemplate().getSpec();
        assertThat(pod.getImagePullSecrets()).extracting(io.fabric8.kubernetes.api.model.LocalObjectReference::getName)
                .containsExactly("platform-mirror", "harbor-pull", "java-registry");
        // the init container runs the runner image too: one pod-level list covers both
        assertThat(pod.getInitContainers().get(0).getImage()).isEqualTo(pod.getContainers().get(0).getImage());
    }

    @Test
    void withoutPullSecretsThePodSpecHasNone() {
        assertThat(deployment.getSpec().getTemplate().getSpec().getImagePullSecrets()).isNullOrEmpty();
        assertThat(dev.buildfleet.render.Yaml.write(deployment)).doesNotContain("imagePullSecrets");
    }

    /**
     * Every pod the tenant namespace runs for buildfleet needs the internal names before it starts: the runner
     * (GitLab, RGW), the cache registry and its garbage collection (RGW). Job pods get them from config.toml.
     */
    @Test
    void runnerAndCacheRegistryPodsGetTheHostAliasesAndDnsSettings() {
        ResolvedTenant t = Fixtures.resolvedWith("java", RunnerConfigTomlTest.INTERNAL_NAMES);
        var specs = List.of(
                RunnerDeployment.build(t, RunnerConfigToml.build(t)).getSpec().getTemplate().getSpec(),
                CacheRegistryDeployment.build(t, "version: 0.1").getSpec().getTemplate().getSpec(),
                CacheGarbageCollectJob.build(t, "version: 0.1", "cache-gc").getSpec().getTemplate().getSpec());
        for (var pod : specs) {
            assertThat(pod.getHostAliases()).extracting(HostAlias::getIp)
                    .containsExactly("10.10.0.10", "10.10.1.5", "10.20.0.7");
            assertThat(pod.getHostAliases().get(0).getHostnames())
                    .containsExactly("gitlab.example.com", "gitlab-ssh.example.com");
            assertThat(pod.getDnsPolicy()).as("the cluster DNS stays first").isNull();
            assertThat(pod.getDnsConfig().getNameservers()).isNullOrEmpty();
            assertThat(pod.getDnsConfig().getSearches()).containsExactly("internal.example.com", "java.example.com");
            assertThat(pod.getDnsConfig().getOptions())
                    .extracting(PodDNSConfigOption::getName, PodDNSConfigOption::getValue)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("ndots", "2"),
                            org.assertj.core.groups.Tuple.tuple("edns0", null));
        }
        var plain = deployment.getSpec().getTemplate().getSpec();
        assertThat(plain.getHostAliases()).isNullOrEmpty();
        assertThat(plain.getDnsConfig()).isNull();
    }
}
