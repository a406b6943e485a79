package dev.buildfleet.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.buildfleet.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RunnerConfigTomlTest {
    /** Keys read by gitlab-runner (common/config.go, cache/cacheconfig/cacheconfig.go); anything else is a typo. */
    static final Set<String> GLOBAL = Set.of("concurrent", "check_interval", "listen_address", "shutdown_timeout",
            "log_level", "log_format", "connection_max_age", "sentry_dsn", "runners");
    static final Set<String> RUNNER = Set.of("name", "url", "token", "executor", "limit", "request_concurrency",
            "output_limit", "environment", "clone_url", "builds_dir", "cache_dir", "shell", "kubernetes", "cache",
            "feature_flags", "pre_get_sources_script", "post_get_sources_script", "pre_build_script",
            "post_build_script", "debug_trace_disabled", "tls-ca-file");
    static final Set<String> KUBERNETES = Set.of("namespace", "image", "helper_image", "privileged",
            "allow_privilege_escalation", "service_account", "automount_service_account_token", "node_selector",
            "node_tolerations", "pod_labels", "pod_annotations", "cpu_request", "cpu_limit", "memory_request",
            "memory_limit", "ephemeral_storage_request", "ephemeral_storage_limit", "helper_cpu_request",
            "helper_cpu_limit", "helper_memory_request", "helper_memory_limit", "helper_ephemeral_storage_request",
            "helper_ephemeral_storage_limit", "service_cpu_request", "service_cpu_limit", "service_memory_request",
            "service_memory_limit", "service_ephemeral_storage_request", "service_ephemeral_storage_limit",
            "cap_add", "cap_drop", "build_container_security_context", "helper_container_security_context",
            "service_container_security_context", "pod_security_context", "poll_timeout", "poll_interval",
            "image_pull_secrets", "volumes", "pull_policy", "allowed_pull_policies", "allowed_images",
            "allowed_services", "host_aliases", "dns_config", "cpu_request_overwrite_max_allowed",
            "cpu_limit_overwrite_max_allowed", "memory_request_overwrite_max_allowed",
            "memory_limit_overwrite_max_allowed", "ephemeral_storage_request_overwrite_max_allowed",
            "ephemeral_storage_limit_overwrite_max_allowed");
    /** KubernetesHostAliases, KubernetesDNSConfig and KubernetesDNSConfigOption in common/config.go. */
    static final Set<String> HOST_ALIAS = Set.of("ip", "hostnames");
    static final Set<String> DNS_CONFIG = Set.of("nameservers", "options", "searches");
    static final Set<String> DNS_OPTION = Set.of("name", "value");
    static final Set<String> SECURITY_CONTEXT = Set.of("privileged", "allow_privilege_escalation", "run_as_non_root",
            "run_as_user", "run_as_group", "read_only_root_filesystem", "capabilities", "selinux_type", "proc_mount");
    static final Set<String> VOLUMES = Set.of("host_path", "pvc", "config_map", "secret", "empty_dir", "csi");
    /** KubernetesSecret in common/config.go. */
    static final Set<String> SECRET_VOLUME = Set.of("name", "mount_path", "sub_path", "read_only", "items");
    /** KubernetesConfigMap in common/config.go. */
    static final Set<String> CONFIG_MAP_VOLUME = Set.of("name", "mount_path", "sub_path", "read_only", "items");
    static final Set<String> CACHE = Set.of("Type", "Path", "Shared", "MaxUploadedArchiveSize", "s3");
    static final Set<String> S3 = Set.of("ServerAddress", "AccessKey", "SecretKey", "SessionToken", "BucketName",
            "BucketLocation", "Insecure", "AuthenticationType", "PathStyle", "ServerSideEncryption",
            "ServerSideEncryptionKeyID", "DualStack", "Accelerate", "RoleARN", "UploadRoleARN");

    final ResolvedTenant javaTenant = Fixtures.resolved("java");

    JsonNode parse(ResolvedTenant t) throws IOException {
        return new TomlMapper().readTree(RunnerConfigToml.build(t));
    }

    @Test
    void aJobMayRaiseItsBuildContainerUpToTheMaximaAndNoFurther() throws IOException {
        ResolvedTenant t = Fixtures.resolvedWith("java", root -> {
            var resources = Fixtures.tenantSpec(root, 0).putObject("jobResources");
            resources.putObject("cpu").put("maxRequest", "4").put("maxLimit", "8");
            resources.putObject("memory").put("maxLimit", "16Gi");
        });
        JsonNode k = parse(t).path("runners").get(0).path("kubernetes");
        assertThat(names(k)).isSubsetOf(KUBERNETES);
        assertThat(k.path("cpu_request").asText()).isEqualTo("1");
        assertThat(k.path("cpu_request_overwrite_max_allowed").asText()).isEqualTo("4");
        assertThat(k.path("cpu_limit_overwrite_max_allowed").asText()).isEqualTo("8");
        assertThat(k.path("memory_limit_overwrite_max_allowed").asText()).isEqualTo("16Gi");
        // Where no maximum is set, the key is absent: gitlab-runner then ignores the job's variable.
        assertThat(k.has("memory_request_overwrite_max_allowed")).isFalse();
        assertThat(k.has("ephemeral_storage_limit_overwrite_max_allowed")).isFalse();
        assertThat(names(k)).noneMatch(key -> key.startsWith("helper_") && key.contains("overwrite"));
        assertThat(names(parse(javaTenant).path("runners").get(0).path("kubernetes")))
                .noneMatch(key -> key.contains("overwrite"));
    }

    @Test
    void usesOnlyKeysGitLabRunnerReads() throws IOException {
        JsonNode root = parse(javaTenant);
        assertThat(names(root)).isSubsetOf(GLOBAL);
        JsonNode runner = root.path("runners").get(0);
        assertThat(names(runner)).isSubsetOf(RUNNER);
        assertThat(names(runner.path("kubernetes"))).isSubsetOf(KUBERNETES);
        for (String context : Set.of("build_container_security_context", "helper_container_security_context",
                "service_container_security_context")) {
            assertThat(names(runner.path("kubernetes").path(context))).isSubsetOf(SECURITY_CONTEXT);
        }
        assertThat(names(runner.path("kubernetes").path("volumes"))).isSubsetOf(VOLUMES);
        runner.path("kubernetes").path("volumes").path("secret")
                .forEach(v -> assertThat(names(v)).isSubsetOf(SECRET_VOLUME));
        runner.path("kubernetes").path("volumes").path("config_map")
                .forEach(v -> assertThat(names(v)).isSubsetOf(CONFIG_MAP_VOLUME));
        assertThat(names(runner.path("cache"))).isSubsetOf(CACHE);
        assertThat(names(runner.path("cache").path("s3"))).isSubsetOf(S3);
    }

    @Test
    void concurrencyAndMetricsAndExecutorComeFromTheSpec() throws IOException {
        JsonNode root = parse(javaTenant);
        assertThat(root.path("concurrent").asInt()).isEqualTo(20);
        assertThat(root.path("listen_address").asText()).isEqualTo(":9252");
        JsonNode runner = root.path("runners").get(0);
        assertThat(runner.path("limit").asInt()).isEqualTo(20);
        assertThat(runner.path("executor").asText()).isEqualTo("kubernetes");
        assertThat(runner.path("url").asText()).isEqualTo("https://gitlab.example.com");
        assertThat(runner.path("token").asText()).isEqualTo("$RUNNER_TOKEN");
        assertThat(runner.path("kubernetes").path("image").asText()).isEqualTo(javaTenant.images().builder());
        assertThat(runner.path("kubernetes").path("cpu_request").asText()).isEqualTo("1");
        assertThat(runner.path("kubernetes").path("memory_limit").asText()).isEqualTo("4Gi");
        assertThat(runner.path("kubernetes").path("ephemeral_storage_limit").asText()).isEqualTo("20Gi");
    }

    @Test
    void jobsGetTheirTenantsCacheRepoAndItsCredentialsReadOnly() throws IOException {
        JsonNode runner = parse(javaTenant).path("runners").get(0);
        List<String> env = new java.util.ArrayList<>();
        runner.path("environment").forEach(e -> env.add(e.asText()));
        assertThat(env).contains("BUILDFLEET_CACHE_REPO=cache-registry.bf-java.svc:5000/kaniko-cache",
                "BUILDFLEET_CACHE_TTL=336h", "DOCKER_CONFIG=/kaniko/.docker",
                "BUILDFLEET_BUILDER_IMAGE=" + dev.buildfleet.config.Defaults.BUILDER_IMAGE);
        JsonNode secrets = runner.path("kubernetes").path("volumes").path("secret");
        assertThat(secrets).hasSize(1);
        assertThat(secrets.get(0).path("name").asText()).isEqualTo("kaniko-docker-config");
        assertThat(secrets.get(0).path("mount_path").asText()).isEqualTo("/kaniko/.docker");
        assertThat(secrets.get(0).path("read_only").asBoolean()).isTrue();
        assertThat(secrets.get(0).path("items").path("config.json").asText()).isEqualTo("config.json");
        JsonNode dotnet = parse(Fixtures.resolved("dotnet")).path("runners").get(0);
        assertThat(dotnet.path("environment").toString()).contains("cache-registry.bf-dotnet.svc:5000/kaniko-cache")
                .doesNotContain("bf-java");
    }

    @Test
    void tenantOverridesOnlyWhatItSets() throws IOException {
        JsonNode k8s = parse(Fixtures.resolved("dotnet")).path("runners").get(0).path("kubernetes");
        assertThat(k8s.path("memory_request").asText()).isEqualTo("3Gi");
        assertThat(k8s.path("memory_limit").asText()).isEqualTo("6Gi");
        assertThat(k8s.path("cpu_limit").asText()).isEqualTo("2");
    }

    @Test
    void runnerCacheIsTheTenantsBucketWithKeysFromTheEnvironment() throws IOException {
        JsonNode cache = parse(javaTenant).path("runners").get(0).path("cache");
        assertThat(cache.path("Type").asText()).isEqualTo("s3");
        assertThat(cache.path("Shared").asBoolean(true)).isFalse();
        JsonNode s3 = cache.path("s3");
        assertThat(s3.path("BucketName").asText()).isEqualTo("bf-java-cache");
        assertThat(s3.path("ServerAddress").asText()).isEqualTo("rgw.example.com");
        assertThat(s3.path("BucketLocation").asText()).isEqualTo("default");
        assertThat(s3.path("PathStyle").asBoolean()).isTrue();
        assertThat(s3.path("Insecure").asBoolean(true)).isFalse();
        assertThat(s3.path("AuthenticationType").asText()).isEqualTo("iam");
        assertThat(s3.has("AccessKey")).isFalse();
        assertThat(s3.has("SecretKey")).isFalse();
    }

    @Test
    void tolerationsUseGitLabRunnersKeyValueForm() {
        var toleration = new io.fabric8.kubernetes.api.model.TolerationBuilder()
                .withKey("pool").withOperator("Exists").withEffect("NoExecute").build();
        assertThat(RunnerConfigToml.nodeTolerations(javaTenant.tolerations()))
                .containsExactlyEntriesOf(Map.of("buildfleet.dev/tenant=java", "NoSchedule"));
        assertThat(RunnerConfigToml.nodeTolerations(List.of(toleration)))
                .containsExactlyEntriesOf(Map.of("pool", "NoExecute"));
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        assertThat(names).as("expected a table").isNotEmpty();
        return names;
    }

    @Test
    void theRunnerNeverRotatesItsOwnTokenSoTheSecretStaysTheTruth() throws IOException {
        JsonNode runner = parse(javaTenant).path("runners").get(0);
        assertThat(runner.path("feature_flags").path("FF_DISABLE_AUTOMATIC_TOKEN_ROTATION").isBoolean()).isTrue();
        assertThat(runner.path("feature_flags").path("FF_DISABLE_AUTOMATIC_TOKEN_ROTATION").asBoolean()).isTrue();
        assertThat(runner.has("token_expires_at")).isFalse();
    }

    @Test
    void isWrittenInSectionsLikeGitLabRunnersOwnConfig() {
        String toml = RunnerConfigToml.build(javaTenant);
        List<String> lines = toml.lines().toList();
        assertThat(lines.stream().map(String::strip)).contains("[[runners]]", "[runners.feature_flags]",
                "[runners.kubernetes]", "[runners.kubernetes.node_selector]", "[runners.kubernetes.node_tolerations]",
                "[runners.kubernetes.pod_labels]", "[[runners.kubernetes.volumes.secret]]", "[runners.cache]",
                "[runners.cache.s3]");
        assertThat(lines).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(200));
        assertThat(lines).as("no inline table").noneMatch(line -> line.contains("= {"));
        assertThat(lines).contains("  token = '$RUNNER_TOKEN'");
    }

    /** Jackson's inline writer was the reference: the sections must hold exactly its keys, values and types. */
    @Test
    void sectionsHoldExactlyWhatTheInlineTablesHeld() throws IOException {
        for (String tenant : List.of("java", "dotnet")) {
            ResolvedTenant t = Fixtures.resolved(tenant);
            TomlMapper toml = new TomlMapper();
            JsonNode inline = toml.readTree(toml.writeValueAsString(RunnerConfigToml.document(t)));
            assertThat(toml.readTree(RunnerConfigToml.build(t))).isEqualTo(inline);
        }
    }

    /** gitlab-runner reads these as map[string]string: a dotted label key must stay one key, not nested tables. */
    @Test
    void nodeSelectorTolerationsAndPodLabelsAreFlatStringTables() throws IOException {
        JsonNode k8s = parse(javaTenant).path("runners").get(0).path("kubernetes");
        for (String table : List.of("node_selector", "node_tolerations", "pod_labels")) {
            assertThat(k8s.path(table).isObject()).as(table).isTrue();
            k8s.path(table).properties().forEach(e -> assertThat(e.getValue().isTextual()).as(e.getKey()).isTrue());
        }
        assertThat(k8s.path("node_selector").path("buildfleet.dev/tenant").asText()).isEqualTo("java");
        assertThat(k8s.path("node_tolerations").path("buildfleet.dev/tenant=java").asText()).isEqualTo("NoSchedule");
        assertThat(k8s.path("pod_labels").path("buildfleet.dev/role").asText()).isEqualTo(Names.ROLE_BUILD_JOB);
    }

    /** gitlab-runner allows every image for an empty allowed_images, so the lists are never empty. */
    @Test
    void jobsMayRunOnlyTheBuilderImageAndNoServiceByDefault() throws IOException {
        JsonNode k8s = parse(javaTenant).path("runners").get(0).path("kubernetes");
        String builder = javaTenant.images().builder();
        assertThat(strings(k8s.path("allowed_images"))).containsExactly(builder);
        // gitlab-runner accepts its own job image (and helper) as a service whatever the list: this allows no other
        assertThat(strings(k8s.path("allowed_services"))).containsExactly(builder);
        assertThat(strings(k8s.path("pull_policy"))).containsExactly("if-not-present");
        assertThat(strings(k8s.path("allowed_pull_policies"))).containsExactly("always", "if-not-present");
    }

    @Test
    void theTenantsImagePolicyReplacesTheFleetDefaultFieldByField() throws IOException {
        ResolvedTenant t = Fixtures.resolvedWith("java", root -> {
            var fleet = ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("config")).putObject("defaults")
                    .putObject("imagePolicy");
            fleet.putArray("allowedImages").add("registry.example.com/platform/**");
            fleet.putArray("allowedServices").add("registry.example.com/platform/postgres:16.*");
            fleet.putArray("pullPolicy").add("always");
            var tenant = Fixtures.tenantSpec(root, 0).putObject("imagePolicy");
            tenant.putArray("allowedImages").add("registry.example.com/java/**").add("eclipse-temurin:21-jdk");
            tenant.putArray("allowedPullPolicies").add("always");
        });
        JsonNode k8s = parse(t).path("runners").get(0).path("kubernetes");
        assertThat(strings(k8s.path("allowed_images"))).containsExactly(t.images().builder(),
                "registry.example.com/java/**", "eclipse-temurin:21-jdk");
        assertThat(strings(k8s.path("allowed_services")))
                .containsExactly("registry.example.com/platform/postgres:16.*");
        assertThat(strings(k8s.path("pull_policy"))).containsExactly("always");
        assertThat(strings(k8s.path("allowed_pull_policies"))).containsExactly("always");
        JsonNode dotnet = parse(Fixtures.resolvedWith("dotnet", root -> ((com.fasterxml.jackson.databind.node
                .ObjectNode) root.get("config")).putObject("defaults").putObject("imagePolicy")
                .putArray("allowedImages").add("registry.example.com/platform/**")))
                .path("runners").get(0).path("kubernetes");
        assertThat(strings(dotnet.path("allowed_images"))).containsExactly(javaTenant.images().builder(),
                "registry.example.com/platform/**");
    }

    private static List<String> strings(JsonNode array) {
        assertThat(array.isArray()).as("expected an array: " + array).isTrue();
        List<String> out = new java.util.ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }

    /** image_pull_secrets ([]string) go on every job pod the executor creates: build, helper and service images. */
    @Test
    void jobPodsPullWithTheFleetsAndTheTenantsSecrets() throws IOException {
        assertThat(parse(javaTenant).path("runners").get(0).path("kubernetes").has("image_pull_secrets")).isFalse();
        ResolvedTenant t = Fixtures.resolvedWith("java", root -> {
            ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("config")).putObject("defaults")
                    .putArray("imagePullSecrets").add("platform-mirror");
            Fixtures.tenantSpec(root, 0).putArray("imagePullSecrets").add("java-registry");
        });
        JsonNode k8s = parse(t).path("runners").get(0).path("kubernetes");
        assertThat(strings(k8s.path("image_pull_secrets"))).containsExactly("platform-mirror", "java-registry");
        assertThat(k8s.has("use_service_account_image_pull_secrets")).isFalse();
    }

    static final java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> INTERNAL_NAMES = root -> {
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) root.get("config");
        var platform = config.putArray("hostAliases");
        platform.addObject().put("ip", "10.10.0.10").putArray("hostnames").add("gitlab.example.com");
        platform.addObject().put("ip", "10.10.1.5").putArray("hostnames").add("rgw.example.com");
        var dns = config.putObject("dnsConfig");
        dns.putArray("searches").add("internal.example.com");
        dns.putArray("options").addObject().put("name", "ndots").put("value", "5");
        var tenant = Fixtures.tenantSpec(root, 0);
        var own = tenant.putArray("hostAliases");
        own.addObject().put("ip", "10.20.0.7").putArray("hostnames").add("harbor.java.example.com")
                .add("harbor");
        own.addObject().put("ip", "10.10.0.10").putArray("hostnames").add("gitlab-ssh.example.com");
        var tenantDns = tenant.putObject("dnsConfig");
        tenantDns.putArray("searches").add("java.example.com");
        var options = tenantDns.putArray("options");
        options.addObject().put("name", "ndots").put("value", "2");
        options.addObject().put("name", "edns0");
    };

    /** Job pods get the fleet's names, then the tenant's, one entry per IP, in gitlab-runner's own tables. */
    @Test
    void jobPodsGetTheHostAliasesAndDnsSettingsOfTheFleetAndTheTenant() throws IOException {
        JsonNode plain = parse(javaTenant).path("runners").get(0).path("kubernetes");
        assertThat(plain.has("host_aliases")).isFalse();
        assertThat(plain.has("dns_config")).isFalse();

        String toml = RunnerConfigToml.build(Fixtures.resolvedWith("java", INTERNAL_NAMES));
        assertThat(toml.lines().map(String::strip)).contains("[[runners.kubernetes.host_aliases]]",
                "[runners.kubernetes.dns_config]", "[[runners.kubernetes.dns_config.options]]");
        JsonNode k8s = new TomlMapper().readTree(toml).path("runners").get(0).path("kubernetes");
        JsonNode aliases = k8s.path("host_aliases");
        assertThat(aliases).hasSize(3);
        aliases.forEach(a -> assertThat(names(a)).isSubsetOf(HOST_ALIAS));
        assertThat(aliases.get(0).path("ip").asText()).isEqualTo("10.10.0.10");
        assertThat(strings(aliases.get(0).path("hostnames"))).containsExactly("gitlab.example.com",
                "gitlab-ssh.example.com");
        assertThat(aliases.get(1).path("ip").asText()).isEqualTo("10.10.1.5");
        assertThat(strings(aliases.get(2).path("hostnames"))).containsExactly("harbor.java.example.com", "harbor");

        JsonNode dns = k8s.path("dns_config");
        assertThat(names(dns)).isSubsetOf(DNS_CONFIG).doesNotContain("nameservers");
        assertThat(strings(dns.path("searches"))).containsExactly("internal.example.com", "java.example.com");
        JsonNode options = dns.path("options");
        options.forEach(o -> assertThat(names(o)).isSubsetOf(DNS_OPTION));
        assertThat(options).hasSize(2);
        assertThat(options.get(0).path("name").asText()).isEqualTo("ndots");
        assertThat(options.get(0).path("value").isTextual()).as("value is *string").isTrue();
        assertThat(options.get(0).path("value").asText()).as("the tenant's ndots wins").isEqualTo("2");
        assertThat(options.get(1).path("name").asText()).isEqualTo("edns0");
        assertThat(options.get(1).has("value")).isFalse();
    }
}
