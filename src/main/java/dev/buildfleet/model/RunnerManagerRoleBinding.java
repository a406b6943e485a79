package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;

/** Grants the runner manager's ClusterRole to its ServiceAccount, in the tenant namespace only. */
public final class RunnerManagerRoleBinding {
    private RunnerManagerRoleBinding() {
    }

    public static RoleBinding build(ResolvedTenant t) {
        return new RoleBindingBuilder()
                .withNewMetadata().withName(Names.RUNNER_MANAGER_ROLE_BINDING).withNamespace(t.namespace())
                .withLabels(t.labels()).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", RunnerManagerClusterRole.NAME)
                .addNewSubject().withKind("ServiceAccount").withName(Names.RUNNER_MANAGER_SERVICE_ACCOUNT)
                .withNamespace(t.namespace()).endSubject()
                .build();
    }
}
