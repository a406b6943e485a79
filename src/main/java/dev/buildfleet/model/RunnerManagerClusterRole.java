package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;

import java.util.List;
import java.util.Map;

/**
 * What gitlab-runner's Kubernetes executor needs in its own namespace, per the executor's permission table (attach
 * strategy, pod informers, pod warning events). One ClusterRole for the whole fleet, shipped with the install and
 * granted in each tenant namespace by a RoleBinding only: the operator never creates a Role, so it needs neither these
 * rights nor {@code escalate}, only {@code bind} on this one name.
 */
public final class RunnerManagerClusterRole {
    public static final String NAME = "buildfleet-runner-manager";

    private RunnerManagerClusterRole() {
    }

    public static ClusterRole build() {
        return new ClusterRoleBuilder()
                .withNewMetadata().withName(NAME)
                .withLabels(Map.of("app.kubernetes.io/name", "buildfleet-operator",
                        Names.MANAGED_BY_LABEL, Names.MANAGED_BY)).endMetadata()
                .withRules(
                        rule("pods", "create", "delete", "get", "list", "watch"),
                        rule("pods/attach", "create", "delete", "get", "patch"),
                        rule("pods/exec", "create", "delete", "get", "patch"),
                        rule("pods/log", "get", "list"),
                        rule("secrets", "create", "delete", "get", "update"),
                        rule("serviceaccounts", "get"),
                        rule("services", "create", "get"),
                        rule("events", "list", "watch"))
                .build();
    }

    private static PolicyRule rule(String resource, String... verbs) {
        return new PolicyRuleBuilder().withApiGroups("").withResources(resource).withVerbs(List.of(verbs)).build();
    }
}
