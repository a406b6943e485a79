package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;

/** Every pod of the tenant may ask cluster DNS, and nothing else, on port 53. */
public final class DnsEgressNetworkPolicy {
    public static final String NAME = "allow-dns";

    private DnsEgressNetworkPolicy() {
    }

    public static NetworkPolicy build(ResolvedTenant t) {
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(NAME).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .withNewSpec()
                .withNewPodSelector().endPodSelector()
                .withPolicyTypes("Egress")
                .addNewEgress()
                .withTo(NetworkPolicies.podsInNamespace(t.network().dnsNamespace(), t.network().dnsPodSelector()))
                .withPorts(NetworkPolicies.port("UDP", 53), NetworkPolicies.port("TCP", 53))
                .endEgress()
                .endSpec()
                .build();
    }
}
