package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Shared pieces of the tenant's NetworkPolicies. */
final class NetworkPolicies {
    private NetworkPolicies() {
    }

    static NetworkPolicyEgressRule egressTo(Collection<String> cidrs, Collection<Integer> ports) {
        return new NetworkPolicyEgressRuleBuilder()
                .withTo(cidrs.stream().map(NetworkPolicies::cidr).toList())
                .withPorts(ports.stream().map(p -> port("TCP", p)).toList())
                .build();
    }

    static NetworkPolicyPeer cidr(String cidr) {
        return new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(cidr).endIpBlock().build();
    }

    static NetworkPolicyPeer podsInNamespace(String namespace, Map<String, String> podLabels) {
        return new NetworkPolicyPeerBuilder()
                .withNewNamespaceSelector().withMatchLabels(Map.of("kubernetes.io/metadata.name", namespace))
                .endNamespaceSelector()
                .withNewPodSelector().withMatchLabels(podLabels).endPodSelector()
                .build();
    }

    static NetworkPolicyPort port(String protocol, int port) {
        return new NetworkPolicyPortBuilder().withProtocol(protocol).withPort(new IntOrString(port)).build();
    }

    static Map<String, String> role(ResolvedTenant t, String role) {
        return Map.of(Names.TENANT_LABEL, t.name(), Names.ROLE_LABEL, role);
    }

    static List<String> both() {
        return List.of("Ingress", "Egress");
    }
}
