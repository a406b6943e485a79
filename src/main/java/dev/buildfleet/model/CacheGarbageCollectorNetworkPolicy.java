package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;

import java.util.List;

/** The cache garbage-collection Job's pods reach Ceph and nothing else; nothing reaches them. */
public final class CacheGarbageCollectorNetworkPolicy {
    public static final String NAME = "cache-gc";

    private CacheGarbageCollectorNetworkPolicy() {
    }

    public static NetworkPolicy build(ResolvedTenant t) {
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(NAME).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .withNewSpec()
                .withNewPodSelector().withMatchLabels(NetworkPolicies.role(t, Names.ROLE_CACHE_GC)).endPodSelector()
                .withPolicyTypes(NetworkPolicies.both())
                .withEgress(NetworkPolicies.egressTo(t.network().cephCidrs(), List.of(t.cache().port())))
                .endSpec()
                .build();
    }
}
