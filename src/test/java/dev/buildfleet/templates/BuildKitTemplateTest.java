package dev.buildfleet.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The include:-able rootless BuildKit job template: a pinned image, nothing privileged, the S3 cache of the tenant's
 * bucket built from CI/CD variables, and the S3 keys handed to buildkitd through its environment, never its
 * command line. The script runs under the machine's real sh with a fake buildctl-daemonless.sh.
 */
class BuildKitTemplateTest {
    static final Path TEMPLATE = Path.of("templates/buildkit-rootless.gitlab-ci.yml");
    static final String KEY_ID = "AKIDTENANTJAVA0001";
    static final String SECRET = "tenant-java-secret-key-0123456789";

    @TempDir
    Path tmp;

    static JsonNode job() throws IOException {
        JsonNode root = new YAMLMapper().readTree(TEMPLATE.toFile());
        assertThat(root.properties()).extracting(e -> e.getKey()).containsExactly(".buildfleet-buildkit-rootless");
        return root.path(".buildfleet-buildkit-rootless");
    }

    static String script() throws IOException {
        JsonNode script = job().path("script");
        assertThat(script).hasSize(1);
        return script.get(0).asText();
    }

    @Test
    void pinsARootlessBuildKitRelease() throws IOException {
        JsonNode image = job().path("image");
        assertThat(image.path("name").asText()).matches("moby/buildkit:v\\d+\\.\\d+\\.\\d+-rootless");
        assertThat(image.path("entrypoint")).hasSize(1);
        assertThat(image.path("entrypoint").get(0).asText()).isEmpty();
        assertThat(job().path("variables").path("BUILDKITD_FLAGS").asText())
                .isEqualTo("--oci-worker-no-process-sandbox");
    }

    @Test
    void nothingPrivilegedNoKeysAndNoTagsInTheTemplate() throws IOException {
        List<String> keys = new ArrayList<>();
        collectKeys(new YAMLMapper().readTree(TEMPLATE.toFile()), keys);
        assertThat(keys).noneMatch(k -> k.toLowerCase().contains("privileged"));
        assertThat(script()).doesNotContain("privileged").doesNotContain("--security-opt");
        JsonNode vars = job().path("variables");
        assertThat(vars.has("BUILDFLEET_S3_ACCESS_KEY_ID")).isFalse();
        assertThat(vars.has("BUILDFLEET_S3_SECRET_ACCESS_KEY")).isFalse();
        assertThat(vars.has("BUILDFLEET_S3_BUCKET")).isFalse();
        assertThat(job().has("tags")).isFalse();
        // The trade-off is spelled out where a user reads it first.
        String text = Files.readString(TEMPLATE);
        assertThat(text.substring(0, text.indexOf(".buildfleet-buildkit-rootless:")))
                .contains("SECURITY TRADE-OFF", "S3 keys", "Unconfined", "baseline", ".buildfleet-kaniko");
    }

    @Test
    void s3CacheOptionsComeFromVariablesAndKeysOnlyFromTheEnvironment() throws IOException {
        String script = script();
        assertThat(script).contains("type=s3", "bucket=$BUILDFLEET_S3_BUCKET", "endpoint_url=$BUILDFLEET_S3_ENDPOINT",
                "region=$BUILDFLEET_S3_REGION", "use_path_style=true", "prefix=$BUILDKIT_CACHE_PREFIX",
                "--export-cache", "--import-cache", "buildctl-daemonless.sh build");
        assertThat(script).doesNotContain("access_key_id=").doesNotContain("secret_access_key=");
    }

    @Test
    void runsBuildctlWithTheTenantsBucketAndNoSecretOnItsCommandLine() throws Exception {
        Run run = run(Map.of());
        assertThat(run.exit).as(run.output).isZero();
        String s3 = "type=s3,region=default,bucket=bf-java-cache,endpoint_url=https://rgw.example.com,"
                + "use_path_style=true,prefix=runner-cache/buildkit/group-app/";
        assertThat(run.argv).containsSubsequence("build", "--frontend", "dockerfile.v0",
                "--local", "context=/builds/group/app", "--local", "dockerfile=/builds/group/app",
                "--opt", "filename=Dockerfile",
                "--output", "type=image,name=registry.gitlab.example.com/group/app:abc123,push=true",
                "--export-cache", s3 + ",name=feature-x,mode=max,ignore-error=true",
                "--import-cache", s3 + ",name=feature-x",
                "--import-cache", s3 + ",name=main");
        assertThat(String.join(" ", run.argv)).doesNotContain(SECRET).doesNotContain(KEY_ID);
        assertThat(run.env).containsEntry("AWS_ACCESS_KEY_ID", KEY_ID).containsEntry("AWS_SECRET_ACCESS_KEY", SECRET);
        JsonNode auth = new ObjectMapper().readTree(run.env.get("DOCKER_CONFIG_JSON"));
        assertThat(new String(Base64.getDecoder().decode(
                auth.path("auths").path("registry.gitlab.example.com").path("auth").asText())))
                .isEqualTo("gitlab-ci-token:job-token");
    }

    @Test
    void onTheDefaultBranchItImportsOnceAndNamesAreReducedToSafeCharacters() throws Exception {
        Run run = run(Map.of("BUILDKIT_CACHE_NAME", "main", "BUILDKIT_CACHE_FALLBACK_NAME", "main",
                "BUILDKIT_EXTRA_ARGS", "--opt target=runtime"));
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.argv.stream().filter("--import-cache"::equals)).hasSize(1);
        assertThat(run.argv).containsSubsequence("--opt", "target=runtime");

        Run odd = run(Map.of("BUILDKIT_CACHE_FALLBACK_NAME", "release/1.x,mode=min"));
        assertThat(odd.exit).as(odd.output).isZero();
        assertThat(odd.argv).anyMatch(a -> a.endsWith(",name=release-1.x-mode-min"));
    }

    @Test
    void withoutTheBucketVariablesItStopsAndNamesThem() throws Exception {
        Map<String, String> unset = new HashMap<>();
        unset.put("BUILDFLEET_S3_BUCKET", null);
        unset.put("BUILDFLEET_S3_SECRET_ACCESS_KEY", null);
        Run run = run(unset);
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.output).contains("BUILDFLEET_S3_BUCKET", "BUILDFLEET_S3_SECRET_ACCESS_KEY");
        assertThat(run.argv).isEmpty();
    }

    @Test
    void runsUnderSetUWhenTheProjectHasNoGitLabRegistry() throws Exception {
        Map<String, String> noRegistry = new HashMap<>();
        for (String v : List.of("CI_REGISTRY", "CI_REGISTRY_IMAGE", "CI_REGISTRY_USER", "CI_REGISTRY_PASSWORD")) {
            noRegistry.put(v, null);
        }
        noRegistry.put("BUILDKIT_DESTINATION", "registry.internal/app:1");
        Run r = run(noRegistry);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.argv()).anyMatch(a -> a.contains("name=registry.internal/app:1"));
    }

    record Run(int exit, String output, List<String> argv, Map<String, String> env) {
    }

    /**
     * The template's script with GitLab's predefined variables for a branch pipeline and a recording buildctl;
     * {@code overrides} replace variables (a null value unsets one).
     */
    Run run(Map<String, String> overrides) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin-" + System.nanoTime()));
        Path argsOut = bin.resolve("argv");
        Path envOut = bin.resolve("env");
        Path fake = bin.resolve("buildctl-daemonless.sh");
        Files.writeString(fake, """
                #!/bin/sh
                for a in "$@"; do echo "$a"; done > "$ARGS_OUT"
                { echo "AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID"; echo "AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY"
                  echo "DOCKER_CONFIG_JSON=$(cat "$DOCKER_CONFIG/config.json")"; } > "$ENV_OUT"
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));

        JsonNode vars = job().path("variables");
        Map<String, String> env = new HashMap<>(Map.of(
                "CI_PROJECT_DIR", "/builds/group/app", "CI_PROJECT_PATH_SLUG", "group-app",
                "CI_REGISTRY", "registry.gitlab.example.com",
                "CI_REGISTRY_IMAGE", "registry.gitlab.example.com/group/app",
                "CI_REGISTRY_USER", "gitlab-ci-token", "CI_REGISTRY_PASSWORD", "job-token",
                "CI_COMMIT_SHORT_SHA", "abc123", "CI_COMMIT_REF_SLUG", "feature-x", "CI_DEFAULT_BRANCH", "main"));
        env.putAll(Map.of("BUILDFLEET_S3_ENDPOINT", "https://rgw.example.com", "BUILDFLEET_S3_BUCKET", "bf-java-cache",
                "BUILDFLEET_S3_ACCESS_KEY_ID", KEY_ID, "BUILDFLEET_S3_SECRET_ACCESS_KEY", SECRET));
        // The job's variables, expanded the way GitLab does (only $VAR references to the ones above).
        vars.properties().forEach(e -> env.put(e.getKey(), expand(e.getValue().asText(), env)));
        overrides.forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("ARGS_OUT", argsOut.toString());
        env.put("ENV_OUT", envOut.toString());

        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> argv = Files.exists(argsOut) ? Files.readAllLines(argsOut) : List.of();
        Map<String, String> seen = new HashMap<>();
        if (Files.exists(envOut)) {
            for (String line : Files.readAllLines(envOut)) {
                seen.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return new Run(p.exitValue(), output, argv, seen);
    }

    static String expand(String value, Map<String, String> env) {
        String out = value;
        // Longest names first: $CI_REGISTRY must not eat the start of $CI_REGISTRY_IMAGE.
        for (var e : env.entrySet().stream().sorted((a, b) -> b.getKey().length() - a.getKey().length()).toList()) {
            out = out.replace("$" + e.getKey(), e.getValue());
        }
        return out;
    }

    static void collectKeys(JsonNode node, List<String> keys) {
        node.properties().forEach(e -> {
            keys.add(e.getKey());
            collectKeys(e.getValue(), keys);
        });
        if (node.isArray()) {
            node.forEach(n -> collectKeys(n, keys));
        }
    }
}
