package dev.buildfleet.model;

import dev.buildfleet.api.DeletionPolicy;
import dev.buildfleet.api.DnsConfig;
import dev.buildfleet.api.EgressRule;
import dev.buildfleet.api.HostAlias;
import dev.buildfleet.api.RunnerCreateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * A validated tenant with every default filled in from the FleetConfig: the single input of all builders.
 * Builders never look at the raw spec, so a default is decided in exactly one place ({@link TenantResolver}).
 * {@code hostAliases} has one entry per IP; {@code dnsConfig} is null when neither fleet nor tenant sets one.
 * {@code job} is a job's size when it asks for none, {@code jobMax} the most it may ask for (equal to {@code job} where
 * no overwrite is allowed): the LimitRange, the quota and the capacity check are sized for {@code jobMax}.
 */
public record ResolvedTenant(
        String name,
        String namespace,
        URI gitlabUrl,
        SecretRef runnerToken,
        RunnerCreateSpec runnerCreate,
        int concurrency,
        SortedMap<String, String> nodeSelector,
        List<Toleration> tolerations,
        Resources job,
        Resources helper,
        Cache cache,
        Images images,
        List<EgressRule> egress,
        Network network,
        Monitoring monitoring,
        DeletionPolicy storageDeletionPolicy,
        ImageRules imageRules,
        List<String> imagePullSecrets,
        List<HostAlias> hostAliases,
        DnsConfig dnsConfig,
        Connectivity connectivity,
        Resources jobMax,
        EscapeHatch escapeHatch,
        List<Shape> shapes) {

    /**
     * One runner of the tenant in config.toml and in GitLab. The main one is the spec's ({@link #mainShape}); the
     * others come from spec.shapes. {@code tokenPlaceholder} is what config.toml holds in place of its token.
     */
    public record Shape(String name, int concurrency, Resources job, Resources jobMax, SecretRef runnerToken,
                        RunnerCreateSpec runnerCreate) {
        public boolean main() {
            return name == null;
        }

        public String tokenPlaceholder() {
            return "$" + tokenVariable();
        }

        /** The install-config container's variable holding this runner's token. */
        public String tokenVariable() {
            return main() ? "RUNNER_TOKEN" : "RUNNER_TOKEN_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        }
    }

    /** The spec's own runner as a shape without a name. */
    public Shape mainShape() {
        return new Shape(null, concurrency, job, jobMax, runnerToken, runnerCreate);
    }

    /** The main runner first, then spec.shapes in their order. */
    public List<Shape> allShapes() {
        List<Shape> all = new java.util.ArrayList<>(shapes.size() + 1);
        all.add(mainShape());
        all.addAll(shapes);
        return all;
    }

    /** The same tenant with other monitoring toggles, e.g. all on to know every object the model can build. */
    public ResolvedTenant withMonitoring(Monitoring other) {
        return new ResolvedTenant(name, namespace, gitlabUrl, runnerToken, runnerCreate, concurrency, nodeSelector,
                tolerations, job, helper, cache, images, egress, network, other, storageDeletionPolicy, imageRules,
                imagePullSecrets, hostAliases, dnsConfig, connectivity, jobMax, escapeHatch, shapes);
    }

    /** Jobs the runner manager runs at once over all its runners (config.toml's concurrent). */
    public int totalConcurrency() {
        return concurrency + shapes.stream().mapToInt(Shape::concurrency).sum();
    }

    public ResolvedTenant(String name, String namespace, URI gitlabUrl, SecretRef runnerToken,
                          RunnerCreateSpec runnerCreate, int concurrency, SortedMap<String, String> nodeSelector,
                          List<Toleration> tolerations, Resources job, Resources helper, Cache cache, Images images,
                          List<EgressRule> egress, Network network, Monitoring monitoring,
                          DeletionPolicy storageDeletionPolicy, ImageRules imageRules, List<String> imagePullSecrets,
                          List<HostAlias> hostAliases, DnsConfig dnsConfig, Connectivity connectivity) {
        this(name, namespace, gitlabUrl, runnerToken, runnerCreate, concurrency, nodeSelector, tolerations, job,
                helper, cache, images, egress, network, monitoring, storageDeletionPolicy, imageRules,
                imagePullSecrets, hostAliases, dnsConfig, connectivity, job, EscapeHatch.NONE, List.of());
    }

    public ResolvedTenant(String name, String namespace, URI gitlabUrl, SecretRef runnerToken,
                          RunnerCreateSpec runnerCreate, int concurrency, SortedMap<String, String> nodeSelector,
                          List<Toleration> tolerations, Resources job, Resources helper, Cache cache, Images images,
                          List<EgressRule> egress, Network network, Monitoring monitoring,
                          DeletionPolicy storageDeletionPolicy, ImageRules imageRules, List<String> imagePullSecrets,
                          List<HostAlias> hostAliases, DnsConfig dnsConfig) {
        this(name, namespace, gitlabUrl, runnerToken, runnerCreate, concurrency, nodeSelector, tolerations, job,
                helper, cache, images, egress, network, monitoring, storageDeletionPolicy, imageRules,
                imagePullSecrets, hostAliases, dnsConfig, Connectivity.NONE);
    }

    /**
     * A tenant with the built-in image rules (its builder image only, no services), no image pull Secret, no host
     * alias and the cluster's DNS settings.
     */
    public ResolvedTenant(String name, String namespace, URI gitlabUrl, SecretRef runnerToken,
                          RunnerCreateSpec runnerCreate, int concurrency, SortedMap<String, String> nodeSelector,
                          List<Toleration> tolerations, Resources job, Resources helper, Cache cache, Images images,
                          List<EgressRule> egress, Network network, Monitoring monitoring,
                          DeletionPolicy storageDeletionPolicy) {
        this(name, namespace, gitlabUrl, runnerToken, runnerCreate, concurrency, nodeSelector, tolerations, job,
                helper, cache, images, egress, network, monitoring, storageDeletionPolicy,
                ImageRules.builderOnly(images.builder()), List.of(), List.of(), null);
    }

    public record SecretRef(String name, String key) {
    }

    /**
     * The validated escape hatches: extra [[runners]] keys, a patch of the manager's pod template, and the manager
     * container's resources after that patch (the quota counts them).
     */
    public record EscapeHatch(Map<String, Object> runnerConfig, Map<String, Object> runnerPodPatch,
                              Resources manager) {
        public static final EscapeHatch NONE = new EscapeHatch(Map.of(), Map.of(), RunnerDeployment.MANAGER_RESOURCES);
    }

    public record Resources(Quantity cpuRequest, Quantity cpuLimit,
                            Quantity memoryRequest, Quantity memoryLimit,
                            Quantity ephemeralStorageRequest, Quantity ephemeralStorageLimit) {
    }

    public record Cache(URI endpoint, String region, String bucket, String credentialsSecret,
                        boolean provisioned, Duration ttl, Duration expiryInterval, Quantity maxSize,
                        Long maxObjects) {

        /** host[:port] as gitlab-runner's ServerAddress wants it. */
        public String serverAddress() {
            return endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
        }

        public boolean insecure() {
            return "http".equals(endpoint.getScheme());
        }

        public int port() {
            return endpoint.getPort() > 0 ? endpoint.getPort() : insecure() ? 80 : 443;
        }
    }

    public record Images(String runner, String runnerHelper, String builder, String cacheRegistry,
                         List<String> registryMirrors) {
        public Images(String runner, String runnerHelper, String builder, String cacheRegistry) {
            this(runner, runnerHelper, builder, cacheRegistry, List.of());
        }
    }

    /** Where pods of this tenant may connect to; NetworkPolicies can only name CIDRs for things outside the cluster. */
    public record Network(List<String> gitlabCidrs, List<Integer> gitlabPorts,
                          List<String> kubernetesApiCidrs, List<Integer> kubernetesApiPorts,
                          List<String> cephCidrs,
                          String dnsNamespace, Map<String, String> dnsPodSelector,
                          String monitoringNamespace, String operatorNamespace) {
    }

    public record Monitoring(boolean serviceMonitor, boolean prometheusRule, boolean dashboard) {
    }

    /**
     * gitlab-runner's image rules for job pods, every list non-empty: an empty allowed_images or allowed_services
     * would allow every image. Patterns as gitlab-runner matches them (doublestar globs); pull policies by their
     * config.toml names.
     */
    public record ImageRules(List<String> allowedImages, List<String> allowedServices, List<String> pullPolicy,
                             List<String> allowedPullPolicies) {
        public static final List<String> DEFAULT_PULL_POLICY = List.of("if-not-present");
        /** never is left out: a job asking for it would run whatever image a node happens to hold. */
        public static final List<String> DEFAULT_ALLOWED_PULL_POLICIES = List.of("always", "if-not-present");

        public static ImageRules builderOnly(String builderImage) {
            return new ImageRules(List.of(builderImage), List.of(builderImage), DEFAULT_PULL_POLICY,
                    DEFAULT_ALLOWED_PULL_POLICIES);
        }
    }

    public Map<String, String> labels() {
        return Map.of(Names.TENANT_LABEL, name, Names.MANAGED_BY_LABEL, Names.MANAGED_BY);
    }
}
