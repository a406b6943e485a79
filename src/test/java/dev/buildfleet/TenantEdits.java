package dev.buildfleet;

import dev.buildfleet.api.BuildTenant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.net.HttpURLConnection;
import java.util.function.UnaryOperator;

/**
 * A test's change to a BuildTenant, as a user's {@code kubectl edit} would make it: read, change, write, and read again
 * when the operator wrote the object's status in between (the API server answers 409 then).
 */
public final class TenantEdits {
    private static final int ATTEMPTS = 20;

    private TenantEdits() {
    }

    public static BuildTenant edit(KubernetesClient client, String name, UnaryOperator<BuildTenant> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.resources(BuildTenant.class).withName(name).edit(change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
