package dev.buildfleet.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a tenant namespace's Secrets by name, as the operator's RoleBinding there allows (no list, no watch). One
 * instance serves one reconcile: each Secret is read once, and what the reconcile writes replaces what it read.
 */
final class TenantSecrets {
    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, Optional<Secret>> read = new HashMap<>();

    TenantSecrets(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    String namespace() {
        return namespace;
    }

    /** @return the Secret, or null when it does not exist */
    Secret get(String name) {
        return read.computeIfAbsent(name, n -> Optional.ofNullable(client.secrets().inNamespace(namespace)
                .withName(n).get())).orElse(null);
    }

    /** The reconcile wrote this Secret: later reads in the same reconcile see it. */
    void written(Secret secret) {
        read.put(secret.getMetadata().getName(), Optional.of(secret));
    }
}
