package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;

/**
 * Grants the operator's ServiceAccount {@link OperatorTenantClusterRole} in the tenant namespace: the operator writes
 * it right after the namespace, before any Secret.
 */
public final class OperatorTenantRoleBinding {
    public static final String NAME = "buildfleet-operator";

    private OperatorTenantRoleBinding() {
    }

    public static RoleBinding build(ResolvedTenant t) {
        return new RoleBindingBuilder()
                .withNewMetadata().withName(NAME).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", OperatorTenantClusterRole.NAME)
                .addNewSubject().withKind("ServiceAccount").withName(Names.OPERATOR_SERVICE_ACCOUNT)
                .withNamespace(t.network().operatorNamespace()).endSubject()
                .build();
    }
}
