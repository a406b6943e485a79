package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;

/** Identity of build job pods: bound to no Role, and its token is never mounted. */
public final class BuildServiceAccount {
    private BuildServiceAccount() {
    }

    public static ServiceAccount build(ResolvedTenant t) {
        return new ServiceAccountBuilder()
                .withNewMetadata().withName(Names.BUILD_SERVICE_ACCOUNT).withNamespace(t.namespace())
                .withLabels(t.labels()).endMetadata()
                .withAutomountServiceAccountToken(false)
                .build();
    }
}
