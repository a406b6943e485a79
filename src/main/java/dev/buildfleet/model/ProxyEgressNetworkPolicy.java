package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;

import java.util.Map;

/**
 * Every pod of the tenant may reach the fleet's HTTP proxy, at its CIDRs and ports only: what the pods fetch
 * through it (public registries, mirrors) needs no egress rule of its own, and nothing else opens.
 */
public final class ProxyEgressNetworkPolicy {
    public static final String NAME = "allow-proxy";

    private ProxyEgressNetworkPolicy() {
    }

    /** Null when the fleet has no proxy. */
    public static NetworkPolicy build(ResolvedTenant t) {
        Connectivity.Proxy proxy = t.connectivity().proxy();
        if (proxy == null || proxy.cidrs().isEmpty()) {   // no peer would mean every address
            return null;
        }
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(NAME).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .withNewSpec()
                .withNewPodSelector().withMatchLabels(Map.of(Names.TENANT_LABEL, t.name())).endPodSelector()
                .withPolicyTypes("Egress")
                .withEgress(NetworkPolicies.egressTo(proxy.cidrs(), proxy.ports()))
                .endSpec()
                .build();
    }
}
