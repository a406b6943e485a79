package dev.buildfleet.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the live counterparts of the model's objects: GET and LIST only, never a write. Kinds of optional CRDs
 * (ServiceMonitor, PrometheusRule) are read with their API spelled out; while their CRD is absent they read as absent.
 */
public final class LiveObjects {
    private final KubernetesClient client;

    public LiveObjects(KubernetesClient client) {
        this.client = client;
    }

    /** The live object named like {@code desired}, or null. */
    public HasMetadata get(HasMetadata desired) {
        try {
            if (desired instanceof GenericKubernetesResource) {
                return client.genericKubernetesResources(definition(desired))
                        .inNamespace(desired.getMetadata().getNamespace()).withName(desired.getMetadata().getName())
                        .get();
            }
            return client.resource(desired).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    /**
     * The objects in the tenant's namespace labelled managed by buildfleet for this tenant, of every kind the model
     * can build (never Secrets: they are not the model's, and verify reads none).
     */
    public List<HasMetadata> managed(ResolvedTenant tenant) {
        Map<String, String> labels = Map.of(Names.MANAGED_BY_LABEL, Names.MANAGED_BY, Names.TENANT_LABEL,
                tenant.name());
        Map<String, HasMetadata> kinds = new LinkedHashMap<>();
        for (HasMetadata possible : DesiredObjects.possible(tenant)) {
            if (!(possible instanceof Namespace)) {
                kinds.putIfAbsent(possible.getApiVersion() + "/" + possible.getKind(), possible);
            }
        }
        List<HasMetadata> found = new ArrayList<>();
        for (HasMetadata example : kinds.values()) {
            try {
                List<? extends HasMetadata> items = example instanceof GenericKubernetesResource
                        ? client.genericKubernetesResources(definition(example)).inNamespace(tenant.namespace())
                        .withLabels(labels).list().getItems()
                        : client.resources(example.getClass()).inNamespace(tenant.namespace()).withLabels(labels)
                        .list().getItems();
                for (HasMetadata item : items) {
                    // Generic list items may come without their kind; they are of the kind that was listed.
                    if (item instanceof GenericKubernetesResource generic && generic.getKind() == null) {
                        generic.setApiVersion(example.getApiVersion());
                        generic.setKind(example.getKind());
                    }
                    found.add(item);
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
        return found;
    }

    /** Namespaces labelled managed by buildfleet (those of tenants no longer in the fleet, too). */
    public List<Namespace> managedNamespaces() {
        return client.namespaces().withLabel(Names.MANAGED_BY_LABEL, Names.MANAGED_BY).list().getItems();
    }

    public static JsonNode tree(HasMetadata object) {
        return Serialization.jsonMapper().valueToTree(object);
    }

    private static ResourceDefinitionContext definition(HasMetadata object) {
        String[] groupVersion = object.getApiVersion().split("/");
        return new ResourceDefinitionContext.Builder().withGroup(groupVersion[0]).withVersion(groupVersion[1])
                .withKind(object.getKind()).withPlural(object.getKind().toLowerCase(java.util.Locale.ROOT) + "s")
                .withNamespaced(true).build();
    }
}
