package dev.buildfleet.verify;

import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantObjects;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/** What render writes for a tenant (the model's builders, nothing else), and how verify and plan name an object. */
public final class DesiredObjects {
    private DesiredObjects() {
    }

    public static List<HasMetadata> of(ResolvedTenant tenant) {
        return TenantObjects.build(tenant);
    }

    /** Every object the model can build for the tenant, whatever its monitoring toggles: what plan may prune. */
    public static List<HasMetadata> possible(ResolvedTenant t) {
        return TenantObjects.build(t.withMonitoring(new ResolvedTenant.Monitoring(true, true, true)));
    }

    /** {@code ConfigMap bf-java/runner-config}, {@code Namespace bf-java}. */
    public static String name(HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        return object.getKind() + " " + (namespace == null ? "" : namespace + "/") + object.getMetadata().getName();
    }

    /** Identity across desired and live objects: apiVersion's group, kind, namespace, name. */
    public static String key(HasMetadata object) {
        String apiVersion = object.getApiVersion() == null ? "" : object.getApiVersion();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return group + "/" + object.getKind() + "/" + object.getMetadata().getNamespace() + "/"
                + object.getMetadata().getName();
    }
}
