package dev.buildfleet.operator;

import dev.buildfleet.config.FleetConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;

/** Wires the reconciler into a JOSDK Operator; the same wiring runs in production and in the tests. */
public final class BuildfleetOperator {
    private BuildfleetOperator() {
    }

    /**
     * @param leaseNamespace where the leader-election Lease lives, or null to run without leader election (tests,
     *                       a single replica)
     */
    public static Operator create(KubernetesClient client, FleetConfig config, MeterRegistry registry,
                                  String leaseNamespace) {
        return create(client, config, registry, leaseNamespace, null);
    }

    /** @param tenantSelector label selector of the BuildTenants to manage, or null for all */
    public static Operator create(KubernetesClient client, FleetConfig config, MeterRegistry registry,
                                  String leaseNamespace, String tenantSelector) {
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    // Status is written with a JSON merge patch, not server-side apply: see OwnedObjects.
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false);
            if (leaseNamespace != null) {
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration("buildfleet-operator",
                        leaseNamespace));
            }
        });
        operator.register(new BuildTenantReconciler(config, Clock.systemUTC(), new OperatorMetrics(registry)),
                overrider -> {
                    if (tenantSelector != null && !tenantSelector.isBlank()) {
                        overrider.withLabelSelector(tenantSelector);
                    }
                });
        return operator;
    }
}
