package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;

/** Nothing reaches or leaves a pod of the tenant unless another policy of the tenant allows it. */
public final class DefaultDenyNetworkPolicy {
    public static final String NAME = "default-deny";

    private DefaultDenyNetworkPolicy() {
    }

    public static NetworkPolicy build(ResolvedTenant t) {
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(NAME).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .withNewSpec()
                .withNewPodSelector().endPodSelector()
                .withPolicyTypes(NetworkPolicies.both())
                .endSpec()
                .build();
    }
}
