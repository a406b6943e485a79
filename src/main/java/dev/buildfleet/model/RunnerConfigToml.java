package dev.buildfleet.model;

import dev.buildfleet.api.DnsConfig;
import dev.buildfleet.api.HostAlias;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tenant runner's config.toml, keys as gitlab-runner reads them (common/config.go, cache/cacheconfig), written in
 * sections: {@code [[runners]]}, {@code [runners.kubernetes]}, {@code [runners.cache]}, {@code [runners.cache.s3]}...
 *
 * <p>It holds no secret, so it can live in a ConfigMap and in git: the token is the placeholder
 * {@value #TOKEN_PLACEHOLDER}, which the runner pod's init container replaces with the value from the token Secret,
 * and the S3 cache uses {@code AuthenticationType = "iam"}, which makes the runner read AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY from its environment (filled from the tenant's cache Secret).
 */
public final class RunnerConfigToml {
    public static final String TOKEN_PLACEHOLDER = "$RUNNER_TOKEN";
    public static final String CACHE_PATH_PREFIX = "runner-cache";
    /** Where job pods find the cache registry's credentials (kaniko's default DOCKER_CONFIG). Read-only. */
    public static final String DOCKER_CONFIG_DIR = "/kaniko/.docker";
    /** Jobs ask GitLab for work over a few connections at once, so 20 slots fill quickly after a burst. */
    static final int MAX_REQUEST_CONCURRENCY = 4;

    private RunnerConfigToml() {
    }

    public static String build(ResolvedTenant t) {
        return TomlSections.write(document(t));
    }

    /** The document as nested maps and lists, before it is written out. */
    static Map<String, Object> document(ResolvedTenant t) {
        Map<String, Object> global = new LinkedHashMap<>();
        global.put("concurrent", t.totalConcurrency());
        global.put("check_interval", 3);
        global.put("listen_address", ":" + Names.RUNNER_METRICS_PORT);
        global.put("shutdown_timeout", 30);
        global.put("log_level", "info");
        global.put("log_format", "json");
        global.put("runners", t.allShapes().stream().map(shape -> runner(t, shape)).toList());
        return ProxySettings.addTo(t, CaBundleMounts.addTo(t, global));
    }

    /** One [[runners]] entry: the tenant's main runner, or one of its shapes (named after it, its own token). */
    private static Map<String, Object> runner(ResolvedTenant t, ResolvedTenant.Shape shape) {
        Map<String, Object> runner = new LinkedHashMap<>();
        runner.put("name", shape.main() ? t.namespace() : t.namespace() + "-" + shape.name());
        runner.put("url", t.gitlabUrl().toString());
        runner.put("token", shape.tokenPlaceholder());
        runner.put("executor", "kubernetes");
        runner.put("limit", shape.concurrency());
        runner.put("request_concurrency", Math.min(shape.concurrency(), MAX_REQUEST_CONCURRENCY));
        // Kaniko's --cache-repo: the tenant's own cache registry; its credentials come from the mounted Secret.
        // The TTL is the one the operator's expiry prunes by, so Kaniko never relies on an entry about to go.
        // The job template's image: is $BUILDFLEET_BUILDER_IMAGE (the runner expands image names with these).
        List<String> environment = new ArrayList<>(List.of(
                "BUILDFLEET_TENANT=" + t.name(),
                "BUILDFLEET_CACHE_REPO=" + Names.cacheRepo(t.name()),
                "BUILDFLEET_CACHE_TTL=" + GoDuration.format(t.cache().ttl()),
                "BUILDFLEET_BUILDER_IMAGE=" + t.images().builder(),
                "DOCKER_CONFIG=" + DOCKER_CONFIG_DIR));
        // The Kaniko template passes each as --registry-mirror unless the job sets KANIKO_REGISTRY_MIRROR.
        if (!t.images().registryMirrors().isEmpty()) {
            environment.add("BUILDFLEET_REGISTRY_MIRRORS=" + String.join(" ", t.images().registryMirrors()));
        }
        runner.put("environment", List.copyOf(environment));
        // The operator rotates the token (GitLab's reset endpoint, then the Secret, then a new pod); a rotation by the
        // runner itself would live only in this pod's config.toml and leave the Secret with a dead token.
        runner.put("feature_flags", Map.of("FF_DISABLE_AUTOMATIC_TOKEN_ROTATION", true));
        runner.put("kubernetes", kubernetes(t, shape));
        runner.put("cache", cache(t));
        return withExtraSettings(runner, t.escapeHatch().runnerConfig());
    }

    /**
     * The tenant's validated spec.runnerConfig on top: environment entries are added after buildfleet's, feature
     * flags and [runners.kubernetes] keys merged, any other key set (none of them is one buildfleet writes).
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withExtraSettings(Map<String, Object> runner, Map<String, Object> extra) {
        extra.forEach((key, value) -> {
            switch (key) {
                case "environment" -> {
                    List<Object> environment = new ArrayList<>((List<Object>) runner.get("environment"));
                    environment.addAll((List<Object>) value);
                    runner.put(key, environment);
                }
                case "feature_flags", "kubernetes" -> {
                    Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) runner.get(key));
                    merged.putAll(new TreeMap<>((Map<String, Object>) value));
                    runner.put(key, merged);
                }
                default -> runner.put(key, value);
            }
        });
        return runner;
    }

    private static Map<String, Object> kubernetes(ResolvedTenant t, ResolvedTenant.Shape shape) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("namespace", t.namespace());
        k.put("image", t.images().builder());
        if (t.images().runnerHelper() != null) {
            k.put("helper_image", t.images().runnerHelper());
        }
        k.put("allowed_images", t.imageRules().allowedImages());
        k.put("allowed_services", t.imageRules().allowedServices());
        k.put("pull_policy", t.imageRules().pullPolicy());
        k.put("allowed_pull_policies", t.imageRules().allowedPullPolicies());
        if (!t.imagePullSecrets().isEmpty()) {
            k.put("image_pull_secrets", t.imagePullSecrets());
        }
        k.put("privileged", false);
        k.put("allow_privilege_escalation", false);
        k.put("service_account", Names.BUILD_SERVICE_ACCOUNT);
        k.put("automount_service_account_token", false);
        k.put("node_selector", new TreeMap<>(t.nodeSelector()));
        k.put("node_tolerations", nodeTolerations(t.tolerations()));
        k.put("pod_labels", new TreeMap<>(Map.of(
                Names.TENANT_LABEL, t.name(),
                Names.ROLE_LABEL, Names.ROLE_BUILD_JOB,
                Names.MANAGED_BY_LABEL, Names.MANAGED_BY)));
        resources(k, "", shape.job());
        overwriteMaxima(k, shape.job(), shape.jobMax());
        resources(k, "helper_", t.helper());
        resources(k, "service_", t.helper());
        k.put("cap_drop", List.of("NET_RAW"));
        k.put("build_container_security_context", noEscalation());
        k.put("helper_container_security_context", noEscalation());
        k.put("service_container_security_context", noEscalation());
        k.put("volumes", Map.of("secret", List.of(dockerConfigVolume())));
        if (!t.hostAliases().isEmpty()) {
            k.put("host_aliases", t.hostAliases().stream().map(RunnerConfigToml::hostAlias).toList());
        }
        if (t.dnsConfig() != null) {
            k.put("dns_config", dnsConfig(t.dnsConfig()));
        }
        return k;
    }

    /** KubernetesHostAliases in common/config.go: ip, hostnames. */
    private static Map<String, Object> hostAlias(HostAlias alias) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ip", alias.ip());
        out.put("hostnames", alias.hostnames());
        return out;
    }

    /** KubernetesDNSConfig: searches, options ([[...options]] of name and an optional value); no nameservers. */
    private static Map<String, Object> dnsConfig(DnsConfig dns) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!dns.searches().isEmpty()) {
            out.put("searches", dns.searches());
        }
        if (!dns.options().isEmpty()) {
            out.put("options", dns.options().stream().map(option -> {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("name", option.name());
                if (option.value() != null) {
                    o.put("value", option.value());
                }
                return o;
            }).toList());
        }
        return out;
    }

    /** gitlab-runner's KubernetesSecret (common/config.go): name, mount_path, read_only, items (key -> path). */
    private static Map<String, Object> dockerConfigVolume() {
        Map<String, Object> secret = new LinkedHashMap<>();
        secret.put("name", Names.KANIKO_DOCKER_CONFIG_SECRET);
        secret.put("mount_path", DOCKER_CONFIG_DIR);
        secret.put("read_only", true);
        secret.put("items", Map.of(Names.KANIKO_DOCKER_CONFIG_KEY, Names.KANIKO_DOCKER_CONFIG_KEY));
        return secret;
    }

    private static Map<String, Object> noEscalation() {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("privileged", false);
        context.put("allow_privilege_escalation", false);
        return context;
    }

    private static void resources(Map<String, Object> k, String prefix, ResolvedTenant.Resources r) {
        k.put(prefix + "cpu_request", r.cpuRequest().toString());
        k.put(prefix + "cpu_limit", r.cpuLimit().toString());
        k.put(prefix + "memory_request", r.memoryRequest().toString());
        k.put(prefix + "memory_limit", r.memoryLimit().toString());
        k.put(prefix + "ephemeral_storage_request", r.ephemeralStorageRequest().toString());
        k.put(prefix + "ephemeral_storage_limit", r.ephemeralStorageLimit().toString());
    }

    /**
     * How far a job's KUBERNETES_CPU_REQUEST, _LIMIT, ... variables may raise its build container; written only where
     * the maximum is above the size, since gitlab-runner takes a set key as "overwrite allowed" (also downwards).
     */
    private static void overwriteMaxima(Map<String, Object> k, ResolvedTenant.Resources size,
                                        ResolvedTenant.Resources max) {
        maximum(k, "cpu_request", size.cpuRequest(), max.cpuRequest());
        maximum(k, "cpu_limit", size.cpuLimit(), max.cpuLimit());
        maximum(k, "memory_request", size.memoryRequest(), max.memoryRequest());
        maximum(k, "memory_limit", size.memoryLimit(), max.memoryLimit());
        maximum(k, "ephemeral_storage_request", size.ephemeralStorageRequest(), max.ephemeralStorageRequest());
        maximum(k, "ephemeral_storage_limit", size.ephemeralStorageLimit(), max.ephemeralStorageLimit());
    }

    private static void maximum(Map<String, Object> k, String key, Quantity size, Quantity max) {
        if (Quantities.amount(max).compareTo(Quantities.amount(size)) > 0) {
            k.put(key + "_overwrite_max_allowed", max.toString());
        }
    }

    /** gitlab-runner's form: "key=value" (operator Equal) or "key" (operator Exists) mapped to the effect. */
    static Map<String, String> nodeTolerations(List<Toleration> tolerations) {
        Map<String, String> out = new TreeMap<>();
        for (Toleration toleration : tolerations) {
            String key = "Exists".equals(toleration.getOperator())
                    ? toleration.getKey()
                    : toleration.getKey() + "=" + (toleration.getValue() == null ? "" : toleration.getValue());
            out.put(key, toleration.getEffect() == null ? "" : toleration.getEffect());
        }
        return out;
    }

    private static Map<String, Object> cache(ResolvedTenant t) {
        Map<String, Object> s3 = new LinkedHashMap<>();
        s3.put("ServerAddress", t.cache().serverAddress());
        s3.put("BucketName", t.cache().bucket());
        s3.put("BucketLocation", t.cache().region());
        s3.put("Insecure", t.cache().insecure());
        s3.put("AuthenticationType", "iam");
        s3.put("PathStyle", true);
        Map<String, Object> cache = new LinkedHashMap<>();
        cache.put("Type", "s3");
        cache.put("Path", CACHE_PATH_PREFIX);
        cache.put("Shared", false);
        cache.put("s3", s3);
        return cache;
    }
}
