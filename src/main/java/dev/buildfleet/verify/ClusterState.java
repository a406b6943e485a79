package dev.buildfleet.verify;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the isolation checks judge, read once with LIST requests over every namespace: nodes, namespaces, pods,
 * NetworkPolicies and RBAC. No Secret is read.
 */
public record ClusterState(List<Namespace> namespaces, List<Node> nodes, List<Pod> pods,
                           List<NetworkPolicy> networkPolicies, List<Role> roles, List<RoleBinding> roleBindings,
                           List<ClusterRole> clusterRoles, List<ClusterRoleBinding> clusterRoleBindings) {

    public static ClusterState read(KubernetesClient client) {
        return new ClusterState(
                client.namespaces().list().getItems(),
                client.nodes().list().getItems(),
                client.pods().inAnyNamespace().list().getItems(),
                client.network().v1().networkPolicies().inAnyNamespace().list().getItems(),
                client.rbac().roles().inAnyNamespace().list().getItems(),
                client.rbac().roleBindings().inAnyNamespace().list().getItems(),
                client.rbac().clusterRoles().list().getItems(),
                client.rbac().clusterRoleBindings().list().getItems());
    }

    public Optional<Namespace> namespace(String name) {
        return namespaces.stream().filter(n -> n.getMetadata().getName().equals(name)).findFirst();
    }

    public Map<String, String> namespaceLabels(String name) {
        // A namespace not created yet will carry this label, which the API server sets on every namespace.
        return namespace(name).map(Labels::of).orElse(Map.of(Labels.NAMESPACE_NAME, name));
    }
}
