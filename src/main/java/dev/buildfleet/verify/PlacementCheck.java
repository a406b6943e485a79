package dev.buildfleet.verify;

import dev.buildfleet.model.ResolvedTenant;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The tenant's pods run on the tenant's nodes only; those nodes carry a taint only the tenant tolerates; and no pod of
 * another namespace runs on them, except DaemonSet pods, the node's static pods and what config.verify.tenantNodes
 * allows.
 */
final class PlacementCheck {
    static final String NAME = "placement";
    /** Set by the kubelet on the API object of a static pod (one the node runs from its own manifests). */
    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

    private PlacementCheck() {
    }

    static List<CheckResult> check(ResolvedTenant t, ClusterState cluster, VerifySettings settings) {
        List<CheckResult> failures = new ArrayList<>();
        List<Node> nodes = cluster.nodes().stream().filter(n -> isTenantNode(t, n)).toList();
        Set<String> nodeNames = nodes.stream().map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
        String selector = t.nodeSelector().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        if (nodes.isEmpty()) {
            failures.add(CheckResult.fail(t.name(), NAME, "no node carries the labels " + selector
                            + ": the tenant's pods cannot be placed", List.of(new Evidence("nodes", "metadata.labels",
                            "none of " + cluster.nodes().size() + " node(s) matches " + selector)),
                    "label and taint the tenant's nodes: kubectl label node NAME " + selector
                            + " && kubectl taint node NAME " + taintText(t)));
        }
        for (Node node : nodes) {
            if (!reservedFor(node, t.tolerations())) {
                String name = node.getMetadata().getName();
                failures.add(CheckResult.fail(t.name(), NAME, "node " + name + " is labelled for " + t.name()
                                + " but lacks the taint " + taintText(t) + ": pods of any namespace can be "
                                + "scheduled there",
                        List.of(new Evidence("Node " + name, "spec.taints", taints(node))),
                        "kubectl taint node " + name + " " + taintText(t)));
            }
        }
        int own = 0;
        for (Pod pod : cluster.pods()) {
            if (!pod.getMetadata().getNamespace().equals(t.namespace())) {
                continue;
            }
            own++;
            String nodeName = pod.getSpec().getNodeName();
            String object = "Pod " + t.namespace() + "/" + pod.getMetadata().getName();
            if (nodeName != null && !nodeNames.contains(nodeName)) {
                failures.add(CheckResult.fail(t.name(), NAME, object + " runs on " + nodeName
                                + ", which is not a node of " + t.name(),
                        List.of(new Evidence(object, "spec.nodeName", nodeName), new Evidence("Node " + nodeName,
                                "metadata.labels", Labels.text(labels(cluster, nodeName)))),
                        "delete the pod (kubectl -n " + t.namespace() + " delete pod " + pod.getMetadata().getName()
                                + ") and make whatever created it set nodeSelector " + selector
                                + " (the rendered Deployments and config.toml do)"));
            } else if (nodeName == null && !podSelects(pod, t.nodeSelector())) {
                failures.add(CheckResult.fail(t.name(), NAME, object + " is not scheduled yet and its "
                                + "nodeSelector does not keep it on the tenant's nodes",
                        List.of(new Evidence(object, "spec.nodeSelector", String.valueOf(
                                pod.getSpec().getNodeSelector()))),
                        "give it nodeSelector " + selector + " and the tenant's toleration, or delete it"));
            }
        }
        int daemonSetPods = 0;
        int allowed = 0;
        for (Pod pod : cluster.pods()) {
            String namespace = pod.getMetadata().getNamespace();
            String nodeName = pod.getSpec().getNodeName();
            if (namespace.equals(t.namespace()) || nodeName == null || !nodeNames.contains(nodeName)) {
                continue;
            }
            if (ownedByDaemonSet(pod) || isStatic(pod)) {
                daemonSetPods++;
                continue;
            }
            if (settings.allowedOnTenantNodes(namespace, pod.getMetadata().getName())) {
                allowed++;
                continue;
            }
            String object = "Pod " + namespace + "/" + pod.getMetadata().getName();
            List<Evidence> evidence = new ArrayList<>();
            evidence.add(new Evidence(object, "spec.nodeName", nodeName + " (a node of tenant " + t.name() + ")"));
            evidence.add(new Evidence(object, "metadata.ownerReferences", owners(pod)));
            evidence.add(new Evidence(object, "spec.tolerations", tolerations(pod)));
            failures.add(CheckResult.fail(t.name(), NAME, object + " of another namespace runs on " + nodeName
                            + ", a node reserved for " + t.name(), evidence,
                    "delete it (kubectl -n " + namespace + " delete pod " + pod.getMetadata().getName()
                            + ") and remove what lets it there (a toleration of " + taintText(t)
                            + " or a spec.nodeName set by hand); if the platform means it to run there, list its "
                            + "namespace in config.verify.tenantNodes.namespaces"));
        }
        if (!failures.isEmpty()) {
            return failures;
        }
        List<Evidence> evidence = nodes.stream().map(n -> new Evidence("Node " + n.getMetadata().getName(),
                "spec.taints", taints(n))).toList();
        return List.of(CheckResult.pass(t.name(), NAME, own + " pod(s) of " + t.namespace() + " on the tenant's "
                + nodes.size() + " node(s) " + nodeNames.stream().sorted().toList() + ", each tainted "
                + taintText(t) + "; besides them only " + daemonSetPods + " DaemonSet or static pod(s)"
                + (allowed == 0 ? "" : " and " + allowed + " pod(s) config.verify.tenantNodes allows"), evidence));
    }

    static boolean isTenantNode(ResolvedTenant t, Node node) {
        return !t.nodeSelector().isEmpty() && Labels.of(node).entrySet().containsAll(t.nodeSelector().entrySet());
    }

    /** A NoSchedule or NoExecute taint that the tenant's tolerations tolerate, and so other pods do not. */
    static boolean reservedFor(Node node, List<Toleration> tolerations) {
        return nodeTaints(node).stream().filter(taint -> !"PreferNoSchedule".equals(taint.getEffect()))
                .anyMatch(taint -> tolerations.stream().anyMatch(tol -> tolerates(tol, taint)));
    }

    static boolean tolerates(Toleration tol, Taint taint) {
        if (tol.getKey() == null || tol.getKey().isEmpty()) {
            return "Exists".equals(tol.getOperator()) && (tol.getEffect() == null || tol.getEffect().isEmpty()
                    || tol.getEffect().equals(taint.getEffect()));
        }
        if (!tol.getKey().equals(taint.getKey())) {
            return false;
        }
        if (tol.getEffect() != null && !tol.getEffect().isEmpty() && !tol.getEffect().equals(taint.getEffect())) {
            return false;
        }
        return "Exists".equals(tol.getOperator()) || Objects.equals(tol.getValue(), taint.getValue());
    }

    static String taintText(ResolvedTenant t) {
        return t.tolerations().stream().map(tol -> tol.getKey() + ("Exists".equals(tol.getOperator()) ? ""
                : "=" + tol.getValue()) + ":" + (tol.getEffect() == null || tol.getEffect().isEmpty() ? "NoSchedule"
                : tol.getEffect())).collect(Collectors.joining(" "));
    }

    private static boolean podSelects(Pod pod, Map<String, String> selector) {
        Map<String, String> own = pod.getSpec().getNodeSelector();
        return own != null && own.entrySet().containsAll(selector.entrySet());
    }

    private static boolean ownedByDaemonSet(Pod pod) {
        return pod.getMetadata().getOwnerReferences() != null && pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> "DaemonSet".equals(o.getKind()) && Boolean.TRUE.equals(o.getController()));
    }

    private static boolean isStatic(Pod pod) {
        return pod.getMetadata().getAnnotations() != null
                && pod.getMetadata().getAnnotations().containsKey(MIRROR_ANNOTATION);
    }

    private static List<Taint> nodeTaints(Node node) {
        return node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    }

    private static String taints(Node node) {
        List<Taint> taints = nodeTaints(node);
        return taints.isEmpty() ? "(none)" : taints.stream().map(t -> t.getKey() + (t.getValue() == null ? ""
                : "=" + t.getValue()) + ":" + t.getEffect()).collect(Collectors.joining(", "));
    }

    private static String owners(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        return owners == null || owners.isEmpty() ? "(none: a bare pod)" : owners.stream()
                .map(o -> o.getKind() + " " + o.getName()).collect(Collectors.joining(", "));
    }

    /** Without the not-ready/unreachable tolerations the API server gives every pod. */
    private static String tolerations(Pod pod) {
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec()
                .getTolerations().stream().filter(t -> t.getKey() == null
                        || !t.getKey().startsWith("node.kubernetes.io/")).toList();
        return tolerations.isEmpty() ? "(none but the defaults for not-ready nodes)" : tolerations.stream()
                .map(t -> (t.getKey() == null ? "*" : t.getKey()) + " " + t.getOperator()
                        + (t.getValue() == null ? "" : " " + t.getValue())
                        + (t.getEffect() == null ? "" : ":" + t.getEffect()))
                .collect(Collectors.joining(", "));
    }

    private static Map<String, String> labels(ClusterState cluster, String nodeName) {
        return cluster.nodes().stream().filter(n -> n.getMetadata().getName().equals(nodeName)).findFirst()
                .map(Labels::of).orElse(Map.of());
    }
}
