package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;

import java.util.List;
import java.util.Map;

/**
 * Only this tenant's build-job pods and the operator (which prunes expired cache tags) reach the cache registry, and
 * only the monitoring namespace its debug (metrics) port; the registry itself reaches Ceph only (DNS comes from the
 * namespace-wide DNS policy).
 */
public final class CacheRegistryNetworkPolicy {
    public static final String NAME = "cache-registry";

    private CacheRegistryNetworkPolicy() {
    }

    public static NetworkPolicy build(ResolvedTenant t) {
        ResolvedTenant.Network net = t.network();
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(NAME).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .withNewSpec()
                .withNewPodSelector().withMatchLabels(NetworkPolicies.role(t, Names.ROLE_CACHE_REGISTRY))
                .endPodSelector()
                .withPolicyTypes(NetworkPolicies.both())
                .addNewIngress()
                .withFrom(NetworkPolicies.podsInNamespace(t.namespace(), NetworkPolicies.role(t, Names.ROLE_BUILD_JOB)))
                .withPorts(NetworkPolicies.port("TCP", Names.CACHE_REGISTRY_PORT))
                .endIngress()
                .addNewIngress()
                .withFrom(NetworkPolicies.podsInNamespace(net.operatorNamespace(), Names.OPERATOR_POD_LABELS))
                .withPorts(NetworkPolicies.port("TCP", Names.CACHE_REGISTRY_PORT))
                .endIngress()
                .addNewIngress()
                .withFrom(NetworkPolicies.podsInNamespace(net.monitoringNamespace(), Map.of()))
                .withPorts(NetworkPolicies.port("TCP", Names.CACHE_REGISTRY_DEBUG_PORT))
                .endIngress()
                .withEgress(NetworkPolicies.egressTo(net.cephCidrs(), List.of(t.cache().port())))
                .endSpec()
                .build();
    }
}
