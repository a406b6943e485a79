package dev.buildfleet.verify;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One ingress or egress rule of a live NetworkPolicy: peers (empty: every source or destination) and ports (empty:
 * every port).
 */
record PolicyRule(NetworkPolicy policy, Direction direction, int index, List<NetworkPolicyPeer> peers,
                  List<NetworkPolicyPort> ports) {

    String object() {
        return "NetworkPolicy " + policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName();
    }

    String field() {
        return "spec." + direction.field + "[" + index + "]";
    }

    String namespace() {
        return policy.getMetadata().getNamespace();
    }

    String text() {
        String peerText = peers.isEmpty() ? (direction == Direction.INGRESS ? "any source" : "any destination")
                : peers.stream().map(p -> peerText(p, namespace())).collect(Collectors.joining("; "));
        return direction.peers + " " + peerText + " on " + portsText(ports);
    }

    static String peerText(NetworkPolicyPeer peer, String policyNamespace) {
        if (peer.getIpBlock() != null) {
            List<String> except = peer.getIpBlock().getExcept();
            return "ipBlock " + peer.getIpBlock().getCidr() + (except == null || except.isEmpty() ? ""
                    : " except " + except);
        }
        String namespaces = peer.getNamespaceSelector() == null ? "namespace " + policyNamespace
                : Labels.pinnedNames(peer.getNamespaceSelector()).map(n -> "namespace " + String.join(",", n))
                .orElse("namespaces " + Labels.text(peer.getNamespaceSelector()));
        return namespaces + " pods " + (peer.getPodSelector() == null ? "{} (all)"
                : Labels.text(peer.getPodSelector()));
    }

    static String portsText(List<NetworkPolicyPort> ports) {
        if (ports.isEmpty()) {
            return "any port";
        }
        return ports.stream().map(p -> (p.getProtocol() == null ? "TCP" : p.getProtocol()) + " "
                + (p.getPort() == null ? "any port" : p.getPort().getIntVal() != null ? p.getPort().getIntVal()
                + (p.getEndPort() == null ? "" : "-" + p.getEndPort()) : p.getPort().getStrVal()))
                .collect(Collectors.joining(", "));
    }
}
