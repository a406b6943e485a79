package dev.buildfleet.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.buildfleet.api.DnsConfig;
import dev.buildfleet.api.HostAlias;
import dev.buildfleet.api.ImagePolicy;
import dev.buildfleet.api.JobResources;

import java.util.List;
import java.util.Map;

/**
 * Platform-wide settings shared by every tenant: where GitLab, the Kubernetes API and Ceph live (URLs for the
 * runner, CIDRs for NetworkPolicies), which images to run, and defaults that keep tenant objects short.
 * {@code hostAliases} and {@code dnsConfig} go on every tenant pod (runner, jobs, cache registry), before the
 * tenant's own: e.g. the internal GitLab's and RGW's addresses where DNS does not know them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FleetConfig(
        GitLab gitlab,
        KubernetesApi kubernetesApi,
        Ceph ceph,
        Images images,
        Dns dns,
        Monitoring monitoring,
        Defaults defaults,
        Operator operator,
        Cluster cluster,
        EgressPolicy egressPolicy,
        Verify verify,
        List<HostAlias> hostAliases,
        DnsConfig dnsConfig,
        CaBundle caBundle,
        Proxy proxy) {

    public FleetConfig(GitLab gitlab, KubernetesApi kubernetesApi, Ceph ceph, Images images, Dns dns,
                       Monitoring monitoring, Defaults defaults, Operator operator, Cluster cluster,
                       EgressPolicy egressPolicy, Verify verify, List<HostAlias> hostAliases, DnsConfig dnsConfig) {
        this(gitlab, kubernetesApi, ceph, images, dns, monitoring, defaults, operator, cluster, egressPolicy, verify,
                hostAliases, dnsConfig, null, null);
    }

    /**
     * An HTTP proxy for traffic that leaves the cluster: {@code httpProxy} and {@code httpsProxy} (default:
     * httpProxy) as http://host:port; {@code noProxy} names that go direct on top of the computed ones (cluster
     * names, service and pod CIDRs, the API server, the tenant's cache registry); {@code cidrs} and {@code ports}
     * (default: the proxy URLs' ports) are where the proxy answers, for the NetworkPolicies.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Proxy(String httpProxy, String httpsProxy, List<String> noProxy, List<String> cidrs,
                        List<Integer> ports) {
    }

    /**
     * The CAs every TLS hop trusts (runner and jobs to GitLab, jobs to registries, the cache registry and the
     * operator to RGW, the operator to GitLab): a PEM bundle under {@code key} (default {@code ca.crt}) of ConfigMap
     * {@code configMap} in {@code namespace} (default: the operator's). CA certificates are public, so a ConfigMap.
     * The operator copies it into each tenant namespace; a tenant's {@code spec.caBundle} names another ConfigMap
     * of the same namespace instead.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CaBundle(String namespace, String configMap, String key) {
        public static final String DEFAULT_KEY = "ca.crt";

        public String resolvedKey() {
            return key == null ? DEFAULT_KEY : key;
        }
    }

    public FleetConfig(GitLab gitlab, KubernetesApi kubernetesApi, Ceph ceph, Images images, Dns dns,
                       Monitoring monitoring, Defaults defaults, Operator operator) {
        this(gitlab, kubernetesApi, ceph, images, dns, monitoring, defaults, operator, null, null, null, null, null,
                null, null);
    }

    /**
     * What {@code buildfleet verify} accepts beyond what buildfleet itself sets up. {@code podSecurity}: the least
     * Pod Security level a tenant namespace must enforce (baseline unless set; restricted is stricter).
     * {@code tenantNodes}: namespaces and pods ({@code namespace/name}, a trailing {@code *} matches a prefix) that
     * may run on a tenant's nodes besides the tenant's own pods and DaemonSet pods. {@code expectedSubjects}: RBAC
     * subjects (kind User, Group or ServiceAccount; name {@code *} for every name) that may read Secrets, create
     * pods or exec into pods in tenant namespaces, on top of cluster admins and the control plane's own.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Verify(String podSecurity, TenantNodes tenantNodes, List<Subject> expectedSubjects) {
        @JsonInclude(JsonInclude.Include.NON_NULL)
        public record TenantNodes(List<String> namespaces, List<String> pods) {
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        public record Subject(String kind, String name, String namespace) {
        }
    }

    public FleetConfig(GitLab gitlab, KubernetesApi kubernetesApi, Ceph ceph, Images images, Dns dns,
                       Monitoring monitoring, Defaults defaults, Operator operator, Cluster cluster,
                       EgressPolicy egressPolicy) {
        this(gitlab, kubernetesApi, ceph, images, dns, monitoring, defaults, operator, cluster, egressPolicy, null,
                null, null, null, null);
    }

    /**
     * The cluster's pod and service CIDRs (e.g. kube-controller-manager's --cluster-cidr and kube-apiserver's
     * --service-cluster-ip-range). Optional: when given, no egress rule may open them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cluster(List<String> podCidrs, List<String> serviceCidrs) {
    }

    /**
     * Ranges the platform accepts in egress rules although they cover every address, link-local addresses, the API
     * server or the cluster's ranges: each rule inside one of them is allowed. Empty by default.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EgressPolicy(List<String> allowedRanges) {
    }

    /**
     * GitLab: {@code url}, {@code cidrs} and {@code ports} are where runners reach it. For the operator's own calls
     * (creating, rotating and deleting runners): {@code accessTokenSecret} holds an access token with the
     * create_runner, manage_runner and read_api scopes (or api); {@code caBundle} is a PEM file of the CAs to trust (default: the JDK's);
     * {@code proxy} an http://host:port proxy; {@code timeoutSeconds} per request (default 30);
     * {@code tokenRotationMarginDays}: reset a runner token this long before it expires (default 7).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record GitLab(
            String url,
            List<String> cidrs,
            List<Integer> ports,
            Boolean allowInsecureHttp,
            NamespacedSecretKey accessTokenSecret,
            String caBundle,
            String proxy,
            Integer timeoutSeconds,
            Integer tokenRotationMarginDays) {

        public GitLab(String url, List<String> cidrs, List<Integer> ports, Boolean allowInsecureHttp) {
            this(url, cidrs, ports, allowInsecureHttp, null, null, null, null, null);
        }

        public java.time.Duration timeout() {
            return java.time.Duration.ofSeconds(timeoutSeconds == null ? 30 : timeoutSeconds);
        }

        public java.time.Duration rotationMargin() {
            return java.time.Duration.ofDays(tokenRotationMarginDays == null ? 7 : tokenRotationMarginDays);
        }
    }

    /** One key of a Secret in a named namespace (platform config, not a tenant's); key defaults to "token". */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NamespacedSecretKey(String namespace, String name, String key) {
        public String resolvedKey() {
            return key == null ? "token" : key;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KubernetesApi(List<String> cidrs, List<Integer> ports) {
    }

    /**
     * Ceph RGW: {@code endpoint} is the S3 URL tenants use; {@code adminEndpoint} is where buildfleet calls the
     * Admin Ops API (defaults to {@code endpoint}); {@code adminCredentialsSecret} names the Secret with the RGW
     * admin user's keys for the operator (the CLI reads them from the environment instead).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ceph(String endpoint, String region, List<String> cidrs, String adminEndpoint,
                       NamespacedSecret adminCredentialsSecret) {

        /** The Admin Ops URL: {@code adminEndpoint} when set, else {@code endpoint}. */
        public String resolvedAdminEndpoint() {
            return adminEndpoint != null ? adminEndpoint : endpoint;
        }
    }

    /** A Secret the operator reads from its own namespace or another named one (platform config, not a tenant's). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NamespacedSecret(String namespace, String name) {
    }

    /**
     * Images of the fleet's pods; {@code registryMirrors} are pull-through mirrors (host[:port][/path]) Kaniko tries
     * for base images before their own registry.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Images(String runner, String runnerHelper, String builder, String cacheRegistry,
                         List<String> registryMirrors) {
        public Images(String runner, String runnerHelper, String builder, String cacheRegistry) {
            this(runner, runnerHelper, builder, cacheRegistry, null);
        }
    }

    /** Where cluster DNS runs, so the default-deny policy can let pods resolve names. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Dns(String namespace, Map<String, String> podSelector) {
    }

    /** The namespace Prometheus scrapes from; only it may reach the metrics ports. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Monitoring(String namespace) {
    }

    /**
     * {@code cacheTtl}: how long a Kaniko cache entry lives (Go duration, default 336h); {@code cacheExpiryInterval}:
     * how often the operator prunes expired entries and collects the registry's garbage (default 24h);
     * {@code imagePolicy}: the image rules of tenants that set none (each field on its own);
     * {@code imagePullSecrets}: Secrets every tenant namespace holds for pulling the runner's, job and helper
     * images, before the tenant's own.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Defaults(JobResources jobResources, JobResources helperResources, String cacheTtl,
                           String cacheExpiryInterval, ImagePolicy imagePolicy, List<String> imagePullSecrets) {

        public Defaults(JobResources jobResources, JobResources helperResources, String cacheTtl,
                        String cacheExpiryInterval) {
            this(jobResources, helperResources, cacheTtl, cacheExpiryInterval, null, null);
        }
    }

    /** Where the operator runs: its pods (and only they, besides build jobs) reach each tenant's cache registry. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Operator(String namespace) {
    }
}
