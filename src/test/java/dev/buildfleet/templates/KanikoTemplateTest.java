package dev.buildfleet.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.buildfleet.config.Defaults;
import dev.buildfleet.model.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The include:-able Kaniko job template: its flags, its variables, and its config.json merge run by a real sh. */
class KanikoTemplateTest {
    static final Path TEMPLATE = Path.of("templates/kaniko.gitlab-ci.yml");

    @TempDir
    Path tmp;

    static JsonNode job() throws IOException {
        JsonNode root = new YAMLMapper().readTree(TEMPLATE.toFile());
        assertThat(root.properties()).extracting(e -> e.getKey()).containsExactly(".buildfleet-kaniko");
        return root.path(".buildfleet-kaniko");
    }

    static String script() throws IOException {
        JsonNode script = job().path("script");
        assertThat(script).hasSize(1);
        return script.get(0).asText();
    }

    @Test
    void pinsTheForkDebugImageTheRunnerUses() throws IOException {
        JsonNode image = job().path("image");
        assertThat(image.path("name").asText()).isEqualTo(Defaults.BUILDER_IMAGE)
                .isEqualTo("ghcr.io/osscontainertools/kaniko:v1.28.0-debug");
        assertThat(image.path("entrypoint")).hasSize(1);
        assertThat(image.path("entrypoint").get(0).asText()).isEmpty();
    }

    @Test
    void variablesCanBeOverriddenPerJobOrMatrixEntry() throws IOException {
        JsonNode vars = job().path("variables");
        assertThat(vars.path("KANIKO_DESTINATION").asText()).isEqualTo("$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA");
        assertThat(vars.path("KANIKO_CACHE_TTL").asText()).as("empty: the tenant's TTL").isEmpty();
        assertThat(vars.path("KANIKO_DOCKERFILE").asText()).isEqualTo("$CI_PROJECT_DIR/Dockerfile");
        assertThat(vars.has("KANIKO_EXTRA_ARGS")).isTrue();
        // No tags, no parallel, no secrets in the template: the including job decides those.
        assertThat(job().has("tags")).isFalse();
        assertThat(job().has("parallel")).isFalse();
    }

    @Test
    void executorFlags() throws IOException {
        String script = script();
        assertThat(script).contains("/kaniko/executor",
                "--cache=true", "--cache-repo=\"$BUILDFLEET_CACHE_REPO\"", "--cache-ttl=\"$cache_ttl\"",
                "--cache-copy-layers=true", "--snapshot-mode=redo", "--compressed-caching=false",
                "--destination \"$KANIKO_DESTINATION\"", "--skip-unused-stages=true",
                "--insecure-registry=\"$cache_registry\"");
        assertThat(script).doesNotContain("s3://").doesNotContain("AWS_");
    }

    /**
     * Runs the script with a real sh, /kaniko moved into a temp dir, {@code mountedConfig} as the mounted
     * config.json and an executor that prints its arguments; the job's variables come from {@code env}.
     *
     * @return the executor's arguments
     */
    List<String> runScript(String mountedConfig, Map<String, String> env) throws Exception {
        Path kaniko = Files.createDirectories(tmp.resolve("kaniko"));
        Path mounted = Files.createDirectories(kaniko.resolve(".docker"));
        Files.writeString(mounted.resolve("config.json"), mountedConfig);
        Path executor = kaniko.resolve("executor");
        Files.writeString(executor, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > \"$ARGS_OUT\"\n");
        Files.setPosixFilePermissions(executor, PosixFilePermissions.fromString("rwx------"));
        Path args = tmp.resolve("args");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script().replace("/kaniko/", kaniko + "/"))
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("BUILDFLEET_CACHE_REPO", Names.cacheRepo("java"));
        pb.environment().put("DOCKER_CONFIG", mounted.toString());
        pb.environment().put("ARGS_OUT", args.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return Files.readAllLines(args);
    }

    JsonNode mergedConfig() throws IOException {
        return new ObjectMapper().readTree(tmp.resolve("kaniko/buildfleet-docker/config.json").toFile());
    }

    @Test
    void mergesCiRegistryAuthIntoAWritableConfigAndPassesTheCacheRepo() throws Exception {
        String cacheAuth = Base64.getEncoder().encodeToString("cache:secret".getBytes());
        List<String> argv = runScript(
                "{\"auths\":{\"cache-registry.bf-java.svc:5000\":{\"auth\":\"" + cacheAuth + "\"}}}\n", Map.of(
                        "CI_REGISTRY", "registry.gitlab.example.com",
                        "CI_REGISTRY_USER", "gitlab-ci-token",
                        "CI_REGISTRY_PASSWORD", "job-token",
                        "KANIKO_CONTEXT", "/builds/p", "KANIKO_DOCKERFILE", "/builds/p/Dockerfile",
                        "KANIKO_DESTINATION", "registry.gitlab.example.com/p:abc", "KANIKO_CACHE_TTL", "168h",
                        "KANIKO_EXTRA_ARGS", "--target=runtime --build-arg=V=1"));

        JsonNode merged = mergedConfig();
        assertThat(merged.path("auths").path("cache-registry.bf-java.svc:5000").path("auth").asText())
                .isEqualTo(cacheAuth);
        assertThat(new String(Base64.getDecoder().decode(
                merged.path("auths").path("registry.gitlab.example.com").path("auth").asText())))
                .isEqualTo("gitlab-ci-token:job-token");
        assertThat(argv).contains("--cache-repo=cache-registry.bf-java.svc:5000/kaniko-cache",
                "--insecure-registry=cache-registry.bf-java.svc:5000", "--cache-ttl=168h",
                "registry.gitlab.example.com/p:abc", "--target=runtime", "--build-arg=V=1");
    }

    @Test
    void withoutAnOverrideKanikoUsesTheTenantsTtlTheOperatorPrunesAt() throws Exception {
        List<String> argv = runScript("{\"auths\": {}}", Map.of("BUILDFLEET_CACHE_TTL", "72h",
                "CI_REGISTRY", "r.example", "CI_REGISTRY_USER", "u", "CI_REGISTRY_PASSWORD", "p",
                "KANIKO_CONTEXT", "c", "KANIKO_DOCKERFILE", "d", "KANIKO_DESTINATION", "r.example/x:1",
                "KANIKO_CACHE_TTL", "", "KANIKO_EXTRA_ARGS", ""));
        assertThat(argv).contains("--cache-ttl=72h");
    }

    @Test
    void anEmptyMountedConfigStillYieldsValidJson() throws Exception {
        runScript("{\"auths\": {}}", Map.of("CI_REGISTRY", "r.example", "CI_REGISTRY_USER", "u",
                "CI_REGISTRY_PASSWORD", "p", "KANIKO_CONTEXT", "c", "KANIKO_DOCKERFILE", "d",
                "KANIKO_DESTINATION", "r.example/x:1", "KANIKO_CACHE_TTL", "1h", "KANIKO_EXTRA_ARGS", ""));
        assertThat(mergedConfig().path("auths").properties()).hasSize(1);
    }
}
