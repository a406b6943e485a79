package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;

import java.util.Map;

/**
 * The operator's rights that must not be cluster-wide: the Secrets it writes and reads (runner token, S3 keys, cache
 * registry credentials). Shipped with the install and granted to the operator by a RoleBinding in each tenant
 * namespace ({@link OperatorTenantRoleBinding}), so its token reads no other Secret.
 */
public final class OperatorTenantClusterRole {
    public static final String NAME = "buildfleet-operator-tenant";

    private OperatorTenantClusterRole() {
    }

    public static ClusterRole build() {
        return new ClusterRoleBuilder()
                .withNewMetadata().withName(NAME)
                .withLabels(Map.of("app.kubernetes.io/name", "buildfleet-operator",
                        Names.MANAGED_BY_LABEL, Names.MANAGED_BY)).endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("secrets")
                                .withVerbs("get", "create", "update").build())
                .build();
    }
}
