package dev.buildfleet.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Reads a tenant namespace's Secrets by name, as the operator's RoleBinding there allows (no list, no watch). */
final class TenantSecrets {
    private final KubernetesClient client;
    private final String namespace;

    TenantSecrets(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** @return the Secret, or null when it does not exist */
    Secret get(String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }
}
