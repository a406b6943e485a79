package dev.buildfleet.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a tenant namespace's Secrets by name, as the operator's RoleBinding there allows (no list, no watch). One
 * instance serves one reconcile: each Secret is read once, and what the reconcile writes replaces what it read.
 *
 * <p>Right after the reconcile wrote that RoleBinding, the API server's authorizer may not know it yet (it learns
 * RoleBindings from its own watch, typically within a second): a read refused with 403 then is retried for up to
 * {@link #GRANT_PROPAGATION}, instead of failing the whole reconcile and retrying it from the start.
 */
final class TenantSecrets {
    static final Duration GRANT_PROPAGATION = Duration.ofSeconds(5);
    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, Optional<Secret>> read = new HashMap<>();
    private boolean grantJustWritten;

    TenantSecrets(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    String namespace() {
        return namespace;
    }

    /** This reconcile has just written the operator's RoleBinding in the namespace (or the namespace itself). */
    void grantJustWritten() {
        grantJustWritten = true;
    }

    /** @return the Secret, or null when it does not exist */
    Secret get(String name) {
        return read.computeIfAbsent(name, n -> Optional.ofNullable(fetch(n))).orElse(null);
    }

    private Secret fetch(String name) {
        long deadline = System.nanoTime() + GRANT_PROPAGATION.toNanos();
        long pause = 50;
        while (true) {
            try {
                Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
                grantJustWritten = false;
                return secret;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 403 || !grantJustWritten || System.nanoTime() + pause * 1_000_000 > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the operator's RoleBinding in "
                        + namespace + " to take effect", e);
            }
            pause = Math.min(pause * 2, 800);
        }
    }

    /** The reconcile wrote this Secret: later reads in the same reconcile see it. */
    void written(Secret secret) {
        read.put(secret.getMetadata().getName(), Optional.of(secret));
    }
}
