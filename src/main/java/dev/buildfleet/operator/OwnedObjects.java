package dev.buildfleet.operator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.buildfleet.api.BuildTenant;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Makes each desired object exist as the model built it, writing only when something the model sets differs.
 *
 * <p>Write path: create, or update (PUT with the cached resourceVersion, so a concurrent change is a conflict that is
 * retried, never overwritten blindly) of the actual object with the desired one laid over it, merge-patch style:
 * objects merge, lists and values are replaced. Chosen because it behaves the same against a real API server and
 * fabric8's CRUD mock (which has no server-side apply), keeps what the API server set (clusterIP, defaulted probe
 * fields, other controllers' annotations), and replaces lists whole (NetworkPolicy rules, Role rules).
 * Comparison is "desired is a subset of actual", so server defaults never look like drift.
 */
public final class OwnedObjects {
    private final KubernetesClient client;

    public OwnedObjects(KubernetesClient client) {
        this.client = client;
    }

    public enum Kind { UNCHANGED, CREATED, UPDATED }

    /**
     * What happened, and for an update the first field that differed (for the log; never a Secret's data).
     * {@code before} is the object compared against: the caller's, or the live one when a create found the name taken.
     */
    public record Outcome(Kind kind, String difference, HasMetadata written, HasMetadata before) {
    }

    /** @param actual the object as the caller last saw it (informer cache), or null when it saw none */
    public Outcome apply(BuildTenant owner, HasMetadata desired, HasMetadata actual) {
        desired.getMetadata().setOwnerReferences(List.of(ownerReference(owner)));
        if (actual == null) {
            try {
                return new Outcome(Kind.CREATED, null, write(desired, true), null);
            } catch (KubernetesClientException e) {
                // Ours, but the cache had not seen it yet (a watch behind, a create whose answer was lost): compare
                // with it. Anything else of that name is not ours to take over.
                HasMetadata live = e.getCode() == 409 ? read(desired) : null;
                if (live == null || !ownedBy(live, owner)) {
                    throw e;
                }
                return apply(owner, desired, live);
            }
        }
        String difference = firstDifference(tree(desired), tree(actual), "");
        if (difference == null) {
            return new Outcome(Kind.UNCHANGED, null, actual, actual);
        }
        JsonNode merged = overlay(tree(actual).deepCopy(), tree(desired));
        return new Outcome(Kind.UPDATED, difference,
                write(Serialization.jsonMapper().convertValue(merged, desired.getClass()), false), actual);
    }

    private static boolean ownedBy(HasMetadata object, BuildTenant owner) {
        List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
        return owners != null && owners.stream().anyMatch(r -> owner.getMetadata().getUid().equals(r.getUid()));
    }

    private HasMetadata read(HasMetadata object) {
        return object instanceof GenericKubernetesResource ? MonitoringStep.fetch(client, object)
                : client.resource(object).get();
    }

    /** Typed objects through their handler; kinds of optional CRDs with their API spelled out (no discovery). */
    private HasMetadata write(HasMetadata object, boolean create) {
        if (object instanceof GenericKubernetesResource generic) {
            var resource = client.genericKubernetesResources(MonitoringStep.definition(generic))
                    .inNamespace(generic.getMetadata().getNamespace()).resource(generic);
            return create ? resource.create() : resource.update();
        }
        return create ? client.resource(object).create() : client.resource(object).update();
    }

    static OwnerReference ownerReference(BuildTenant owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** RFC 7386 merge of {@code patch} into {@code target} (no nulls occur in our desired objects). */
    static JsonNode overlay(JsonNode target, JsonNode patch) {
        if (!(target instanceof com.fasterxml.jackson.databind.node.ObjectNode object) || !patch.isObject()) {
            return patch.deepCopy();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode existing = object.get(field.getKey());
            object.set(field.getKey(), existing == null ? field.getValue().deepCopy()
                    : overlay(existing, field.getValue()));
        }
        return object;
    }

    private static JsonNode tree(HasMetadata object) {
        JsonNode node = Serialization.jsonMapper().valueToTree(object);
        return node;
    }

    /** Every field of {@code desired} is in {@code actual} with the same value; lists must match element-wise. */
    static boolean isSubset(JsonNode desired, JsonNode actual) {
        return firstDifference(desired, actual, "") == null;
    }

    /** @return the path of the first field of {@code desired} that {@code actual} lacks or differs in, or null */
    static String firstDifference(JsonNode desired, JsonNode actual, String path) {
        if (desired == null || desired.isNull()) {
            return null;
        }
        if (actual == null || actual.isNull() || actual.isMissingNode()) {
            return desired.isContainerNode() && desired.isEmpty() ? null : path;
        }
        if (desired.isObject()) {
            if (!actual.isObject()) {
                return path;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String difference = firstDifference(field.getValue(), actual.get(field.getKey()),
                        path + "." + field.getKey());
                if (difference != null) {
                    return difference;
                }
            }
            return null;
        }
        if (desired.isArray()) {
            if (!actual.isArray() || actual.size() != desired.size()) {
                return path;
            }
            for (int i = 0; i < desired.size(); i++) {
                String difference = firstDifference(desired.get(i), actual.get(i), path + "[" + i + "]");
                if (difference != null) {
                    return difference;
                }
            }
            return null;
        }
        return desired.asText().equals(actual.asText()) ? null : path;
    }
}
