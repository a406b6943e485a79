package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.BuildTenantStatus;
import dev.buildfleet.model.ResolvedTenant;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;

import java.util.List;
import java.util.Map;

/**
 * What a reconcile pass observed of one valid tenant, handed to each step: the tenant and its resolved spec, its
 * status as last written, its Secrets (read by name, once per pass), its owned objects and nodes from the informers.
 *
 * @param nodes      the nodes carrying a label of the tenant's selector (a superset of its nodes)
 * @param neighbours other tenants whose selector one of the tenant's nodes matches too, with their selectors
 */
record Observation(BuildTenant tenant, ResolvedTenant resolved, TenantSecrets secrets, List<Node> nodes,
                   Map<String, Map<String, String>> neighbours, Context<BuildTenant> context) {

    String name() {
        return tenant.getMetadata().getName();
    }

    /** The status as last written (the primary cache has this process's own writes at once), or null. */
    BuildTenantStatus status() {
        return tenant.getStatus();
    }

    KubernetesClient client() {
        return context.getClient();
    }

    /** The owned object of that kind and name in the informer's cache, or null. */
    <R extends HasMetadata> R owned(Class<R> type, String name) {
        return context.getSecondaryResources(type).stream().filter(o -> o.getMetadata().getName().equals(name))
                .findFirst().orElse(null);
    }

    <R extends HasMetadata> List<R> owned(Class<R> type) {
        return List.copyOf(context.getSecondaryResources(type));
    }
}
