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
    void theJobImageIsThePlatformsBuilderImageTheRunnerInjects() throws IOException {
        JsonNode image = job().path("image");
        assertThat(image.path("name").asText()).isEqualTo("$BUILDFLEET_BUILDER_IMAGE");
        assertThat(image.path("entrypoint")).hasSize(1);
        assertThat(image.path("entrypoint").get(0).asText()).isEmpty();
        assertThat(Defaults.BUILDER_IMAGE).isEqualTo("ghcr.io/osscontainertools/kaniko:v1.26.5-debug");
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
                "--destination \"$KANIKO_DESTINATION\"",
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
        Files.writeString(executor, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > \"$ARGS_OUT\"\n"
                + "printf '%s' \"${DOCKER_AUTH_CONFIG:-}\" > \"$ARGS_OUT.auth\"\n");
        Files.setPosixFilePermissions(executor, PosixFilePermissions.fromString("rwx------"));
        Path args = tmp.resolve("args");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script().replace("/kaniko/", kaniko + "/"))
                .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("CI_") || k.startsWith("DOCKER_")
                || k.startsWith("KANIKO_") || k.startsWith("BUILDFLEET_"));
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

    static final Map<String, String> JOB = Map.of("KANIKO_CONTEXT", "/builds/p",
            "KANIKO_DOCKERFILE", "/builds/p/Dockerfile", "KANIKO_DESTINATION", "registry.gitlab.example.com/p:abc",
            "KANIKO_CACHE_TTL", "", "KANIKO_EXTRA_ARGS", "", "KANIKO_REGISTRY_MIRROR", "");
    static final String CACHE_AUTH = Base64.getEncoder().encodeToString("kaniko:secret".getBytes());
    static final String MOUNTED = "{\"auths\":{\"cache-registry.bf-java.svc:5000\":{\"auth\":\"" + CACHE_AUTH
            + "\"}}}";

    static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> env = new java.util.HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void passesTheCacheRepoAndWritesNoLoginToDisk() throws Exception {
        List<String> argv = runScript(MOUNTED, with(JOB, "CI_REGISTRY", "registry.gitlab.example.com",
                "CI_REGISTRY_USER", "gitlab-ci-token", "CI_REGISTRY_PASSWORD", "job-token",
                "KANIKO_CACHE_TTL", "168h", "KANIKO_EXTRA_ARGS", "--target=runtime --build-arg=V=1"));
        assertThat(argv).contains("--cache-repo=cache-registry.bf-java.svc:5000/kaniko-cache",
                "--insecure-registry=cache-registry.bf-java.svc:5000", "--cache-ttl=168h",
                "registry.gitlab.example.com/p:abc", "--target=runtime", "--build-arg=V=1");
        assertThat(argv).noneMatch(a -> a.startsWith("--skip-unused-stages"));
        try (var files = Files.walk(tmp)) {
            assertThat(files.filter(Files::isRegularFile).map(KanikoTemplateTest::read))
                    .as("the job token is left to Kaniko's GitLab helper, never written").noneMatch(
                            c -> c.contains("job-token") || c.contains(Base64.getEncoder().encodeToString(
                                    "gitlab-ci-token:job-token".getBytes())));
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void runsUnderSetUWithGitLabsRegistrySwitchedOff() throws Exception {
        List<String> argv = runScript(MOUNTED, JOB);
        assertThat(argv).contains("--destination", "registry.gitlab.example.com/p:abc");
    }

    @Test
    void mergesTheCacheLoginIntoDockerAuthConfigWhichShadowsConfigJson() throws Exception {
        String own = "{\n  \"auths\": {\n    \"registry.internal:443\": {\"auth\": \"b3duOnB3\"}\n  }\n}";
        runScript(MOUNTED, with(JOB, "DOCKER_AUTH_CONFIG", own));
        JsonNode merged = new ObjectMapper().readTree(Files.readString(tmp.resolve("args.auth")));
        assertThat(merged.path("auths").path("cache-registry.bf-java.svc:5000").path("auth").asText())
                .isEqualTo(CACHE_AUTH);
        assertThat(merged.path("auths").path("registry.internal:443").path("auth").asText()).isEqualTo("b3duOnB3");

        Path file = Files.writeString(tmp.resolve("file-variable"), "{\"auths\": {}}");
        runScript(MOUNTED, with(JOB, "DOCKER_AUTH_CONFIG", file.toString()));
        JsonNode fromFile = new ObjectMapper().readTree(Files.readString(tmp.resolve("args.auth")));
        assertThat(fromFile.path("auths").properties()).hasSize(1);
        assertThat(fromFile.path("auths").path("cache-registry.bf-java.svc:5000").path("auth").asText())
                .isEqualTo(CACHE_AUTH);
    }

    @Test
    void eachRegistryMirrorBecomesAFlag() throws Exception {
        List<String> argv = runScript(MOUNTED, with(JOB, "KANIKO_REGISTRY_MIRROR", "mirror.internal/dockerhub m2"));
        assertThat(argv).contains("--registry-mirror=mirror.internal/dockerhub", "--registry-mirror=m2");
    }

    @Test
    void thePlatformsMirrorsFromTheRunnerApplyUnlessTheJobNamesItsOwn() throws Exception {
        var tenant = dev.buildfleet.Fixtures.resolvedWith("java", root -> root.with("config").with("images")
                .putArray("registryMirrors").add("mirror.example.com/docker-hub").add("nexus.example.com:8443"));
        JsonNode runner = new com.fasterxml.jackson.dataformat.toml.TomlMapper()
                .readTree(dev.buildfleet.model.RunnerConfigToml.build(tenant)).path("runners").get(0);
        String fromRunner = null;
        for (JsonNode entry : runner.path("environment")) {
            if (entry.asText().startsWith("BUILDFLEET_REGISTRY_MIRRORS=")) {
                fromRunner = entry.asText().substring("BUILDFLEET_REGISTRY_MIRRORS=".length());
            }
        }
        assertThat(fromRunner).isEqualTo("mirror.example.com/docker-hub nexus.example.com:8443");
        List<String> argv = runScript(MOUNTED, with(JOB, "BUILDFLEET_REGISTRY_MIRRORS", fromRunner));
        assertThat(argv).contains("--registry-mirror=mirror.example.com/docker-hub",
                "--registry-mirror=nexus.example.com:8443");
        List<String> own = runScript(MOUNTED, with(JOB, "BUILDFLEET_REGISTRY_MIRRORS", fromRunner,
                "KANIKO_REGISTRY_MIRROR", "m2"));
        assertThat(own).contains("--registry-mirror=m2").doesNotContain("--registry-mirror=nexus.example.com:8443");
    }

    @Test
    void withoutAnOverrideKanikoUsesTheTenantsTtlTheOperatorPrunesAt() throws Exception {
        List<String> argv = runScript(MOUNTED, with(JOB, "BUILDFLEET_CACHE_TTL", "72h"));
        assertThat(argv).contains("--cache-ttl=72h");
    }
}
