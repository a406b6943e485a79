package dev.buildfleet.model;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.BuildTenantSpec;
import dev.buildfleet.api.CacheQuota;
import dev.buildfleet.api.CacheSpec;
import dev.buildfleet.api.DeletionPolicy;
import dev.buildfleet.api.DnsConfig;
import dev.buildfleet.api.DnsOption;
import dev.buildfleet.api.HostAlias;
import dev.buildfleet.api.ImagePolicy;
import dev.buildfleet.api.JobResources;
import dev.buildfleet.api.MonitoringSpec;
import dev.buildfleet.api.NodesSpec;
import dev.buildfleet.api.PullPolicy;
import dev.buildfleet.api.ResourceRange;
import dev.buildfleet.config.Defaults;
import dev.buildfleet.config.FleetConfig;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/** Fills every default of a validated tenant: tenant spec first, then FleetConfig, then {@link Defaults}. */
public final class TenantResolver {
    private static final ImagePolicy NO_IMAGE_POLICY = new ImagePolicy(null, null, null, null);
    private static final DnsConfig NO_DNS_CONFIG = new DnsConfig(null, null);

    private TenantResolver() {
    }

    public static ResolvedTenant resolve(FleetConfig config, BuildTenant tenant) {
        String name = tenant.getMetadata().getName();
        BuildTenantSpec spec = tenant.getSpec();
        FleetConfig.Defaults fleetDefaults = or(config.defaults(), new FleetConfig.Defaults(null, null, null, null));

        String gitlabUrl = or(spec.gitlab().url(), config.gitlab().url());
        ResolvedTenant.SecretRef token = spec.gitlab().runner().tokenSecretRef() == null
                ? new ResolvedTenant.SecretRef(Names.RUNNER_TOKEN_SECRET, Names.RUNNER_TOKEN_KEY)
                : new ResolvedTenant.SecretRef(spec.gitlab().runner().tokenSecretRef().name(),
                or(spec.gitlab().runner().tokenSecretRef().key(), Names.RUNNER_TOKEN_KEY));

        NodesSpec nodes = or(spec.nodes(), new NodesSpec(null, null));
        TreeMap<String, String> selector = new TreeMap<>(nodes.selector() == null || nodes.selector().isEmpty()
                ? Map.of(Names.TENANT_LABEL, name) : nodes.selector());
        List<Toleration> tolerations = nodes.tolerations() != null ? List.copyOf(nodes.tolerations())
                : List.of(new TolerationBuilder().withKey(Names.TENANT_LABEL).withOperator("Equal")
                .withValue(name).withEffect("NoSchedule").build());

        CacheSpec cache = or(spec.cache(), new CacheSpec(null, null, null, null, null, null));
        CacheQuota quota = or(cache.quota(), new CacheQuota(null, null));
        ResolvedTenant.Cache resolvedCache = new ResolvedTenant.Cache(
                URI.create(or(cache.endpoint(), config.ceph().endpoint())),
                or(cache.region(), config.ceph().region(), Defaults.CEPH_REGION),
                or(cache.bucket(), Names.defaultBucket(name)),
                cache.existingCredentialsSecret() == null ? Names.CACHE_CREDENTIALS_SECRET
                        : cache.existingCredentialsSecret().name(),
                cache.existingCredentialsSecret() == null,
                GoDuration.parse(or(cache.ttl(), fleetDefaults.cacheTtl(), Defaults.CACHE_TTL)),
                GoDuration.parse(or(fleetDefaults.cacheExpiryInterval(), Defaults.CACHE_EXPIRY_INTERVAL)),
                quota.maxSize(), quota.maxObjects());

        FleetConfig.Images images = or(config.images(), new FleetConfig.Images(null, null, null, null));
        String builderImage = spec.builder() != null && spec.builder().image() != null ? spec.builder().image()
                : or(images.builder(), Defaults.BUILDER_IMAGE);

        FleetConfig.Dns dns = or(config.dns(), new FleetConfig.Dns(null, null));
        FleetConfig.KubernetesApi api = config.kubernetesApi();
        ResolvedTenant.Network network = new ResolvedTenant.Network(
                List.copyOf(config.gitlab().cidrs()),
                or(config.gitlab().ports(), List.of(URI.create(gitlabUrl).getPort() > 0
                        ? URI.create(gitlabUrl).getPort() : gitlabUrl.startsWith("http:") ? 80 : 443)),
                List.copyOf(api.cidrs()),
                or(api.ports(), Defaults.KUBERNETES_API_PORTS),
                List.copyOf(config.ceph().cidrs()),
                or(dns.namespace(), Defaults.DNS_NAMESPACE),
                new TreeMap<>(or(dns.podSelector(), Defaults.DNS_POD_SELECTOR)),
                config.monitoring() == null ? Defaults.MONITORING_NAMESPACE
                        : or(config.monitoring().namespace(), Defaults.MONITORING_NAMESPACE),
                config.operator() == null ? Defaults.OPERATOR_NAMESPACE
                        : or(config.operator().namespace(), Defaults.OPERATOR_NAMESPACE));

        MonitoringSpec monitoring = or(spec.monitoring(), new MonitoringSpec(null, null, null));
        ResolvedTenant.Resources job = resources(spec.jobResources(), fleetDefaults.jobResources(),
                Defaults.JOB_RESOURCES);
        return new ResolvedTenant(
                name,
                Names.namespace(name),
                URI.create(gitlabUrl),
                token,
                spec.gitlab().runner().create(),
                or(spec.concurrency(), Defaults.CONCURRENCY),
                selector,
                tolerations,
                job,
                resources(null, fleetDefaults.helperResources(), Defaults.HELPER_RESOURCES),
                resolvedCache,
                new ResolvedTenant.Images(or(images.runner(), Defaults.RUNNER_IMAGE), images.runnerHelper(),
                        builderImage, or(images.cacheRegistry(), Defaults.CACHE_REGISTRY_IMAGE),
                        images.registryMirrors() == null ? List.of() : List.copyOf(images.registryMirrors())),
                spec.egress() == null ? List.of() : List.copyOf(spec.egress()),
                network,
                new ResolvedTenant.Monitoring(or(monitoring.serviceMonitor(), true),
                        or(monitoring.prometheusRule(), true), or(monitoring.dashboard(), true)),
                or(spec.storageDeletionPolicy(), DeletionPolicy.Retain),
                imageRules(spec.imagePolicy(), fleetDefaults.imagePolicy(), builderImage),
                union(fleetDefaults.imagePullSecrets(), spec.imagePullSecrets()),
                hostAliases(config.hostAliases(), spec.hostAliases()),
                dnsConfig(config.dnsConfig(), spec.dnsConfig()),
                Connectivity.resolve(config, name, spec),
                maxima(spec.jobResources(), fleetDefaults.jobResources(), job),
                escapeHatch(spec),
                shapes(spec, fleetDefaults));
    }

    /** Each shape's sizes fall back on the tenant's spec.jobResources, then the fleet's, part by part. */
    static List<ResolvedTenant.Shape> shapes(BuildTenantSpec spec, FleetConfig.Defaults fleetDefaults) {
        if (spec.shapes() == null) {
            return List.of();
        }
        List<ResolvedTenant.Shape> out = new ArrayList<>();
        for (var shape : spec.shapes()) {
            JobResources tenant = merged(shape.jobResources(), spec.jobResources());
            ResolvedTenant.Resources job = resources(tenant, fleetDefaults.jobResources(), Defaults.JOB_RESOURCES);
            ResolvedTenant.SecretRef token = shape.runner().tokenSecretRef() == null
                    ? new ResolvedTenant.SecretRef(Names.runnerTokenSecret(shape.name()), Names.RUNNER_TOKEN_KEY)
                    : new ResolvedTenant.SecretRef(shape.runner().tokenSecretRef().name(),
                    or(shape.runner().tokenSecretRef().key(), Names.RUNNER_TOKEN_KEY));
            out.add(new ResolvedTenant.Shape(shape.name(), or(shape.concurrency(), 1), job,
                    maxima(tenant, fleetDefaults.jobResources(), job), token, shape.runner().create()));
        }
        return List.copyOf(out);
    }

    /** The shape's resources over the tenant's, each range and each of its bounds on its own. */
    private static JobResources merged(JobResources shape, JobResources tenant) {
        if (shape == null) {
            return tenant;
        }
        if (tenant == null) {
            return shape;
        }
        return new JobResources(range(shape.cpu(), tenant.cpu()), range(shape.memory(), tenant.memory()),
                range(shape.ephemeralStorage(), tenant.ephemeralStorage()));
    }

    private static ResourceRange range(ResourceRange shape, ResourceRange tenant) {
        if (shape == null || tenant == null) {
            return shape == null ? tenant : shape;
        }
        return new ResourceRange(or(shape.request(), tenant.request()), or(shape.limit(), tenant.limit()),
                or(shape.maxRequest(), tenant.maxRequest()), or(shape.maxLimit(), tenant.maxLimit()));
    }

    static ResolvedTenant.EscapeHatch escapeHatch(BuildTenantSpec spec) {
        if (spec.runnerConfig() == null && spec.runnerPodPatch() == null) {
            return ResolvedTenant.EscapeHatch.NONE;
        }
        Map<String, Object> patch = spec.runnerPodPatch() == null ? Map.of() : spec.runnerPodPatch();
        return new ResolvedTenant.EscapeHatch(spec.runnerConfig() == null ? Map.of() : spec.runnerConfig(), patch,
                RunnerPodPatch.managerResources(patch, RunnerDeployment.MANAGER_RESOURCES));
    }

    /** Each maximum falls back on its own, like the sizes, and finally on the size itself: no overwrite. */
    static ResolvedTenant.Resources maxima(JobResources tenant, JobResources fleet, ResolvedTenant.Resources size) {
        return new ResolvedTenant.Resources(
                most(tenant, fleet, JobResources::cpu, ResourceRange::maxRequest, size.cpuRequest()),
                most(tenant, fleet, JobResources::cpu, ResourceRange::maxLimit, size.cpuLimit()),
                most(tenant, fleet, JobResources::memory, ResourceRange::maxRequest, size.memoryRequest()),
                most(tenant, fleet, JobResources::memory, ResourceRange::maxLimit, size.memoryLimit()),
                most(tenant, fleet, JobResources::ephemeralStorage, ResourceRange::maxRequest,
                        size.ephemeralStorageRequest()),
                most(tenant, fleet, JobResources::ephemeralStorage, ResourceRange::maxLimit,
                        size.ephemeralStorageLimit()));
    }

    private static Quantity most(JobResources tenant, JobResources fleet, Function<JobResources, ResourceRange> part,
                                 Function<ResourceRange, Quantity> bound, Quantity size) {
        Quantity most = first(part, bound, tenant, fleet);
        return most == null ? size : most;
    }

    /** Each field falls back on its own; the builder image is always allowed, being the job's default image. */
    static ResolvedTenant.ImageRules imageRules(ImagePolicy tenant, ImagePolicy fleet, String builderImage) {
        ImagePolicy t = or(tenant, NO_IMAGE_POLICY);
        ImagePolicy f = or(fleet, NO_IMAGE_POLICY);
        Set<String> images = new LinkedHashSet<>(List.of(builderImage));
        images.addAll(or(t.allowedImages(), f.allowedImages(), List.of()));
        // An empty allowed_services allows every service; gitlab-runner always accepts the job's own image, so a
        // list of only that one allows no other.
        Set<String> services = new LinkedHashSet<>(or(t.allowedServices(), f.allowedServices(), List.of()));
        if (services.isEmpty()) {
            services.add(builderImage);
        }
        List<PullPolicy> pull = or(t.pullPolicy(), f.pullPolicy());
        List<PullPolicy> allowedPull = or(t.allowedPullPolicies(), f.allowedPullPolicies());
        return new ResolvedTenant.ImageRules(List.copyOf(images), List.copyOf(services),
                pull == null ? ResolvedTenant.ImageRules.DEFAULT_PULL_POLICY : names(pull),
                allowedPull == null ? ResolvedTenant.ImageRules.DEFAULT_ALLOWED_PULL_POLICIES : names(allowedPull));
    }

    /** One entry per IP (the API server keeps hostAliases as a map keyed by ip), the platform's names first. */
    static List<HostAlias> hostAliases(List<HostAlias> fleet, List<HostAlias> tenant) {
        Map<String, Set<String>> byIp = new LinkedHashMap<>();
        for (HostAlias alias : union(fleet, tenant)) {
            byIp.computeIfAbsent(alias.ip(), ip -> new LinkedHashSet<>()).addAll(alias.hostnames());
        }
        List<HostAlias> out = new ArrayList<>();
        byIp.forEach((ip, hostnames) -> out.add(new HostAlias(ip, List.copyOf(hostnames))));
        return List.copyOf(out);
    }

    /** Search domains add up; an option the tenant names replaces the fleet's option of that name. */
    static DnsConfig dnsConfig(DnsConfig fleet, DnsConfig tenant) {
        DnsConfig f = or(fleet, NO_DNS_CONFIG);
        DnsConfig t = or(tenant, NO_DNS_CONFIG);
        List<String> searches = union(f.searches(), t.searches());
        Map<String, DnsOption> options = new LinkedHashMap<>();
        for (DnsOption option : union(f.options(), t.options())) {
            options.put(option.name(), option);
        }
        if (searches.isEmpty() && options.isEmpty()) {
            return null;
        }
        return new DnsConfig(searches, List.copyOf(options.values()));
    }

    /** The platform's entries first, then the tenant's, each once. */
    static <T> List<T> union(List<T> fleet, List<T> tenant) {
        Set<T> all = new LinkedHashSet<>();
        all.addAll(or(fleet, List.of()));
        all.addAll(or(tenant, List.of()));
        return List.copyOf(all);
    }

    private static List<String> names(List<PullPolicy> policies) {
        return policies.stream().map(PullPolicy::tomlName).distinct().toList();
    }

    /** Each request and limit falls back on its own, so a tenant can change only the memory limit. */
    static ResolvedTenant.Resources resources(JobResources tenant, JobResources fleet, JobResources builtIn) {
        return new ResolvedTenant.Resources(
                pick(tenant, fleet, builtIn, JobResources::cpu, ResourceRange::request),
                pick(tenant, fleet, builtIn, JobResources::cpu, ResourceRange::limit),
                pick(tenant, fleet, builtIn, JobResources::memory, ResourceRange::request),
                pick(tenant, fleet, builtIn, JobResources::memory, ResourceRange::limit),
                pick(tenant, fleet, builtIn, JobResources::ephemeralStorage, ResourceRange::request),
                pick(tenant, fleet, builtIn, JobResources::ephemeralStorage, ResourceRange::limit));
    }

    private static Quantity pick(JobResources tenant, JobResources fleet, JobResources builtIn,
                                 Function<JobResources, ResourceRange> part,
                                 Function<ResourceRange, Quantity> bound) {
        Quantity picked = first(part, bound, tenant, fleet, builtIn);
        if (picked == null) {
            throw new IllegalStateException("built-in defaults are complete");
        }
        return picked;
    }

    /** The bound of the first source that sets it, or null. */
    private static Quantity first(Function<JobResources, ResourceRange> part, Function<ResourceRange, Quantity> bound,
                                  JobResources... sources) {
        for (JobResources source : sources) {
            if (source != null && part.apply(source) != null && bound.apply(part.apply(source)) != null) {
                return bound.apply(part.apply(source));
            }
        }
        return null;
    }

    @SafeVarargs
    static <T> T or(T... candidates) {
        for (T candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        return null;
    }
}
