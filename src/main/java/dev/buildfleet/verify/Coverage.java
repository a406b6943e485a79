package dev.buildfleet.verify;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a live rule allows no more than the allowed traffic, judged on the rule itself rather than on today's
 * pods: a peer is inside an allowance when its CIDR lies within the allowed one, or when it is confined to the
 * allowed namespace by name ({@value Labels#NAMESPACE_NAME}) and requires at least the allowed pod labels; each of its
 * ports must be an allowed port of that allowance. A rule open to any peer or any port is never inside.
 */
final class Coverage {
    private Coverage() {
    }

    /** One peer x port of a rule, and the allowance that covers it (empty: the rule allows more than intended). */
    record Part(String peer, String port, Optional<Allowed> coveredBy) {
        String text() {
            return peer + " on " + port + coveredBy.map(a -> " (" + a.why() + ")").orElse("");
        }
    }

    static List<Part> parts(PolicyRule rule, Workload target, List<Allowed> allowed) {
        List<NetworkPolicyPeer> peers = rule.peers().isEmpty() ? Collections.singletonList(null) : rule.peers();
        List<NetworkPolicyPort> ports = rule.ports().isEmpty() ? Collections.singletonList(null) : rule.ports();
        List<Part> parts = new ArrayList<>();
        for (NetworkPolicyPeer peer : peers) {
            for (NetworkPolicyPort port : ports) {
                Allowed.Port resolved = resolve(port, rule.direction() == Direction.INGRESS ? target : null);
                String peerText = peer == null ? (rule.direction() == Direction.INGRESS ? "any source"
                        : "any destination") : PolicyRule.peerText(peer, rule.namespace());
                String portText = port == null ? "any port" : PolicyRule.portsText(List.of(port));
                Optional<Allowed> by = peer == null || resolved == null ? Optional.empty()
                        : allowed.stream().filter(a -> a.ports().contains(resolved))
                        .filter(a -> inside(peer, rule.namespace(), a)).findFirst();
                parts.add(new Part(peerText, portText, by));
            }
        }
        return parts;
    }

    private static boolean inside(NetworkPolicyPeer peer, String policyNamespace, Allowed allowed) {
        if (peer.getIpBlock() != null) {
            IpRange block = IpRange.parse(peer.getIpBlock().getCidr());
            return allowed instanceof Allowed.Cidr cidr && block != null && block.within(cidr.range());
        }
        if (!(allowed instanceof Allowed.Pods pods)) {
            return false;
        }
        Set<String> namespaces = peer.getNamespaceSelector() == null ? Set.of(policyNamespace)
                : Labels.pinnedNames(peer.getNamespaceSelector()).orElse(null);
        if (namespaces == null || !namespaces.equals(Set.of(pods.namespace()))) {
            return false;
        }
        Map<String, String> required = Labels.required(peer.getPodSelector());
        return required.entrySet().containsAll(pods.labels().entrySet());
    }

    /** A single protocol and port number, or null for a port range, a whole protocol or a name not resolvable. */
    private static Allowed.Port resolve(NetworkPolicyPort port, Workload portOwner) {
        if (port == null || port.getPort() == null) {
            return null;
        }
        String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
        Integer number = port.getPort().getIntVal();
        if (number == null) {
            number = portOwner == null ? null : portOwner.namedPorts().get(port.getPort().getStrVal());
        }
        if (number == null || (port.getEndPort() != null && !port.getEndPort().equals(number))) {
            return null;
        }
        return new Allowed.Port(protocol, number);
    }
}
