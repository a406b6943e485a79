package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;

import java.util.List;

/**
 * What gitlab-runner's Kubernetes executor needs in its own namespace, per the executor's permission table
 * (attach strategy, pod informers, pod warning events). Namespaced only: no ClusterRole, no other namespace.
 */
public final class RunnerManagerRole {
    private RunnerManagerRole() {
    }

    public static Role build(ResolvedTenant t) {
        return new RoleBuilder()
                .withNewMetadata().withName(Names.RUNNER_MANAGER_ROLE).withNamespace(t.namespace())
                .withLabels(t.labels()).endMetadata()
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
