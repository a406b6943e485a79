package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;

/** Identity of the runner manager, the only pod of the tenant that talks to the Kubernetes API. */
public final class RunnerManagerServiceAccount {
    private RunnerManagerServiceAccount() {
    }

    public static ServiceAccount build(ResolvedTenant t) {
        return new ServiceAccountBuilder()
                .withNewMetadata().withName(Names.RUNNER_MANAGER_SERVICE_ACCOUNT).withNamespace(t.namespace())
                .withLabels(t.labels()).endMetadata()
                .build();
    }
}
