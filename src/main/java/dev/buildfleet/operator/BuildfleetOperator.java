package dev.buildfleet.operator;

import dev.buildfleet.cache.CacheRegistries;
import dev.buildfleet.cache.HttpCacheRegistry;
import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.gitlab.GitLabRunners;
import dev.buildfleet.storage.TenantStorage;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Duration;

/** Wires the reconciler into a JOSDK Operator; the same wiring runs in production and in the tests. */
public final class BuildfleetOperator {
    static final Duration LEASE_DURATION = Duration.ofSeconds(15);
    static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
    static final Duration RETRY_PERIOD = Duration.ofSeconds(2);
    public static final Duration GITLAB_RETRY = BuildTenantReconciler.GITLAB_RETRY;

    private BuildfleetOperator() {
    }

    /**
     * @param leaseNamespace where the leader-election Lease lives, or null to run without leader election
     * @param leaseIdentity  this replica's name in the Lease (the pod name), or null for the host name
     * @param tenantSelector label selector of the BuildTenants to manage, or null for all
     * @param exitOnLostLease a replica that loses the Lease exits, so Kubernetes restarts it as a clean standby
     *                        (true in production; tests run replicas in one JVM)
     */
    public record Options(String leaseNamespace, String leaseIdentity, String tenantSelector,
                          boolean exitOnLostLease) {
        public static final Options SINGLE = new Options(null, null, null, true);
    }

    public static Operator create(KubernetesClient client, FleetConfig config, MeterRegistry registry,
                                  Options options) {
        return create(client, config, registry, options, Integrations.DEFAULT);
    }

    /** @param storage the RGW client for provisioning tenants' storage, or null when none is configured */
    public static Operator create(KubernetesClient client, FleetConfig config, MeterRegistry registry,
                                  Options options, TenantStorage storage) {
        return create(client, config, registry, options, storage, null, BuildTenantReconciler.GITLAB_RETRY);
    }

    /**
     * @param gitlab      the GitLab client for creating and rotating runners, or null when none is configured
     * @param gitlabRetry first delay before a failed GitLab call (e.g. deleting a runner) is retried
     */
    public static Operator create(KubernetesClient client, FleetConfig config, MeterRegistry registry,
                                  Options options, TenantStorage storage, GitLabRunners gitlab,
                                  Duration gitlabRetry) {
        return create(client, config, registry, options, Integrations.DEFAULT.withStorage(storage)
                .withGitLab(gitlab, gitlabRetry));
    }

    /**
     * What the operator talks to besides Kubernetes.
     *
     * @param storage         the RGW client for provisioning tenants' storage, or null when none is configured
     * @param gitlab          the GitLab client for creating and rotating runners, or null when none is configured
     * @param gitlabRetry     first delay before a failed GitLab call (e.g. deleting a runner) is retried
     * @param cacheRegistries opens a tenant cache registry's API (cache expiry)
     * @param clock           the time the operator goes by (expiry, token rotation, condition times)
     */
    public record Integrations(TenantStorage storage, GitLabRunners gitlab, Duration gitlabRetry,
                               CacheRegistries cacheRegistries, Clock clock) {
        public static final Integrations DEFAULT = new Integrations(null, null, BuildTenantReconciler.GITLAB_RETRY,
                HttpCacheRegistry::new,
                Clock.systemUTC());

        public Integrations withStorage(TenantStorage storage) {
            return new Integrations(storage, gitlab, gitlabRetry, cacheRegistries, clock);
        }

        public Integrations withGitLab(GitLabRunners gitlab, Duration gitlabRetry) {
            return new Integrations(storage, gitlab, gitlabRetry, cacheRegistries, clock);
        }

        public Integrations withCacheRegistries(CacheRegistries cacheRegistries) {
            return new Integrations(storage, gitlab, gitlabRetry, cacheRegistries, clock);
        }

        public Integrations withClock(Clock clock) {
            return new Integrations(storage, gitlab, gitlabRetry, cacheRegistries, clock);
        }
    }

    public static Operator create(KubernetesClient client, FleetConfig config, MeterRegistry registry,
                                  Options options, Integrations integrations) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    // Status is written with a JSON merge patch, not server-side apply: see OwnedObjects.
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false);
            if (options.leaseNamespace() != null) {
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration("buildfleet-operator",
                        options.leaseNamespace(), LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD,
                        options.leaseIdentity(), null, options.exitOnLostLease()));
            }
        });
        operator.register(new BuildTenantReconciler(config, new OperatorMetrics(registry), integrations),
                overrider -> {
                    if (options.tenantSelector() != null && !options.tenantSelector().isBlank()) {
                        overrider.withLabelSelector(options.tenantSelector());
                    }
                });
        return operator;
    }
}
