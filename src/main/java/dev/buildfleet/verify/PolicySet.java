package dev.buildfleet.verify;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every live NetworkPolicy, evaluated as the NetworkPolicy API defines it: a pod selected by a policy of a direction is
 * isolated in that direction, and then only what some rule of such a policy allows passes; a connection needs the
 * source's egress and the destination's ingress to allow it.
 */
final class PolicySet {
    private final List<NetworkPolicy> policies;

    PolicySet(List<NetworkPolicy> policies) {
        this.policies = List.copyOf(policies);
    }

    /** The policies of the pod's namespace that select it and isolate it in {@code direction}. */
    List<NetworkPolicy> isolating(Direction direction, Workload pod) {
        return policies.stream().filter(p -> p.getMetadata().getNamespace().equals(pod.namespace()))
                .filter(p -> p.getSpec() != null && Labels.matches(p.getSpec().getPodSelector() == null
                        ? new io.fabric8.kubernetes.api.model.LabelSelector() : p.getSpec().getPodSelector(),
                        pod.labels()))
                .filter(p -> isolates(p, direction)).toList();
    }

    /** The rules that decide the pod's traffic in {@code direction} (none when it is not isolated). */
    List<PolicyRule> rules(Direction direction, Workload pod) {
        List<PolicyRule> rules = new ArrayList<>();
        for (NetworkPolicy policy : isolating(direction, pod)) {
            if (direction == Direction.INGRESS) {
                List<NetworkPolicyIngressRule> ingress = policy.getSpec().getIngress();
                for (int i = 0; ingress != null && i < ingress.size(); i++) {
                    rules.add(new PolicyRule(policy, direction, i, orEmpty(ingress.get(i).getFrom()),
                            orEmpty(ingress.get(i).getPorts())));
                }
            } else {
                List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
                for (int i = 0; egress != null && i < egress.size(); i++) {
                    rules.add(new PolicyRule(policy, direction, i, orEmpty(egress.get(i).getTo()),
                            orEmpty(egress.get(i).getPorts())));
                }
            }
        }
        return rules;
    }

    /**
     * Whether {@code self}'s policies let traffic with {@code peer} through in {@code direction} on the port (null:
     * some port).
     */
    boolean allows(Direction direction, Workload self, Workload peer, Integer port, String protocol) {
        if (isolating(direction, self).isEmpty()) {
            return true;
        }
        Workload portOwner = direction == Direction.INGRESS ? self : peer;
        return rules(direction, self).stream().anyMatch(rule -> matchesPeer(rule, peer)
                && matchesPort(rule.ports(), port, protocol, portOwner));
    }

    static boolean matchesPeer(PolicyRule rule, Workload pod) {
        return rule.peers().isEmpty() || rule.peers().stream().anyMatch(p -> matches(p, rule.namespace(), pod));
    }

    static boolean matches(NetworkPolicyPeer peer, String policyNamespace, Workload pod) {
        if (peer.getIpBlock() != null) {
            IpRange block = IpRange.parse(peer.getIpBlock().getCidr());
            return pod.ip() != null && block != null && block.contains(pod.ip())
                    && (peer.getIpBlock().getExcept() == null || peer.getIpBlock().getExcept().stream()
                    .map(IpRange::parse).noneMatch(e -> e != null && e.contains(pod.ip())));
        }
        boolean namespace = peer.getNamespaceSelector() == null ? pod.namespace().equals(policyNamespace)
                : Labels.matches(peer.getNamespaceSelector(), pod.namespaceLabels());
        return namespace && (peer.getPodSelector() == null || Labels.matches(peer.getPodSelector(), pod.labels()));
    }

    static boolean matchesPort(List<NetworkPolicyPort> ports, Integer port, String protocol, Workload portOwner) {
        if (ports.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPort p : ports) {
            if (!Objects.equals(p.getProtocol() == null ? "TCP" : p.getProtocol(), protocol)) {
                continue;
            }
            if (p.getPort() == null || port == null) {
                return true;
            }
            Integer number = p.getPort().getIntVal() != null ? p.getPort().getIntVal()
                    : portOwner == null ? null : portOwner.namedPorts().get(p.getPort().getStrVal());
            if (number != null && (number.equals(port) || (p.getEndPort() != null && number <= port
                    && port <= p.getEndPort()))) {
                return true;
            }
        }
        return false;
    }

    static boolean isolates(NetworkPolicy policy, Direction direction) {
        List<String> types = policy.getSpec().getPolicyTypes();
        if (types == null || types.isEmpty()) {
            return direction == Direction.INGRESS || (policy.getSpec().getEgress() != null
                    && !policy.getSpec().getEgress().isEmpty());
        }
        return types.contains(direction.policyType);
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
