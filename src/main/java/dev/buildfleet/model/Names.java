package dev.buildfleet.model;

import java.util.Map;

/** Names and labels of the objects buildfleet owns; derived from the tenant name only, so they are stable. */
public final class Names {
    public static final String NAMESPACE_PREFIX = "bf-";
    public static final String BUCKET_SUFFIX = "-cache";

    public static final String TENANT_LABEL = "buildfleet.dev/tenant";
    public static final String ROLE_LABEL = "buildfleet.dev/role";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "buildfleet";
    public static final String CONFIG_CHECKSUM_ANNOTATION = "buildfleet.dev/config-checksum";

    public static final String ROLE_RUNNER_MANAGER = "runner-manager";
    public static final String ROLE_BUILD_JOB = "build-job";

    public static final String RUNNER_MANAGER_SERVICE_ACCOUNT = "runner-manager";
    public static final String BUILD_SERVICE_ACCOUNT = "build";
    /**
     * Not "runner-manager", the name of the binding to the per-namespace Role of earlier versions: a binding's roleRef
     * cannot be changed, so the one to the ClusterRole is a new object.
     */
    public static final String RUNNER_MANAGER_ROLE_BINDING = "buildfleet-runner-manager";
    /** The operator's ServiceAccount in its own namespace (deploy/). */
    public static final String OPERATOR_SERVICE_ACCOUNT = "buildfleet-operator";
    public static final String RUNNER_CONFIG_MAP = "runner-config";
    public static final String RUNNER_DEPLOYMENT = "gitlab-runner";
    public static final String RUNNER_METRICS_SERVICE = "gitlab-runner-metrics";
    public static final String RESOURCE_QUOTA = "build-capacity";
    public static final String LIMIT_RANGE = "build-defaults";

    /** Written by the operator (or the platform team) in the tenant namespace; never rendered. */
    public static final String RUNNER_TOKEN_SECRET = "runner-token";

    /** The Secret of a shape's runner token, when the operator creates that runner. */
    public static String runnerTokenSecret(String shape) {
        return RUNNER_TOKEN_SECRET + "-" + shape;
    }
    public static final String RUNNER_TOKEN_KEY = "token";
    public static final String CACHE_CREDENTIALS_SECRET = "cache-s3-credentials";
    public static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";

    public static final int RUNNER_METRICS_PORT = 9252;

    public static final String ROLE_CACHE_REGISTRY = "cache-registry";
    /** The cache expiry's garbage-collection Job pods (operator-created, one run at a time). */
    public static final String ROLE_CACHE_GC = "cache-gc";
    public static final String CACHE_GC_JOB_PREFIX = "cache-gc-";
    /** Labels of the operator's own pods (deploy/): they alone, besides build jobs, reach a cache registry. */
    public static final Map<String, String> OPERATOR_POD_LABELS = Map.of("app.kubernetes.io/name",
            "buildfleet-operator");
    public static final String CACHE_REGISTRY = "cache-registry";
    public static final int CACHE_REGISTRY_PORT = 5000;
    public static final int CACHE_REGISTRY_DEBUG_PORT = 5001;
    /** The repository in the cache registry that Kaniko's --cache-repo points at. */
    public static final String CACHE_REPOSITORY = "kaniko-cache";
    /** Generated credentials, never rendered: htpasswd for the registry, docker config.json for the job pods. */
    public static final String CACHE_REGISTRY_HTPASSWD_SECRET = "cache-registry-htpasswd";
    public static final String CACHE_REGISTRY_HTPASSWD_KEY = "htpasswd";
    public static final String KANIKO_DOCKER_CONFIG_SECRET = "kaniko-docker-config";
    public static final String KANIKO_DOCKER_CONFIG_KEY = "config.json";

    private Names() {
    }

    public static String namespace(String tenant) {
        return NAMESPACE_PREFIX + tenant;
    }

    /** host:port/repository that job pods give Kaniko as --cache-repo (the registry's in-cluster Service). */
    public static String cacheRepo(String tenant) {
        return cacheRegistryHost(tenant) + "/" + CACHE_REPOSITORY;
    }

    /** host:port of the tenant's cache registry Service, the key of its entry in the docker config.json. */
    public static String cacheRegistryHost(String tenant) {
        return CACHE_REGISTRY + "." + namespace(tenant) + ".svc:" + CACHE_REGISTRY_PORT;
    }

    public static String defaultBucket(String tenant) {
        return NAMESPACE_PREFIX + tenant + BUCKET_SUFFIX;
    }

    /** The tenant's RGW user id. */
    public static String storageUser(String tenant) {
        return NAMESPACE_PREFIX + tenant;
    }
}
