package dev.buildfleet.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.List;
import java.util.Map;

/**
 * Applies a tenant's validated {@code spec.runnerPodPatch} to the runner manager's pod template, after every other
 * builder: maps are merged, a {@code null} removes a key, and lists of named entries (containers, env, volumes,
 * volumeMounts) are merged entry by entry by name, as a strategic merge patch does; other lists are replaced.
 */
public final class RunnerPodPatch {
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private RunnerPodPatch() {
    }

    public static List<HasMetadata> addTo(ResolvedTenant t, List<HasMetadata> objects) {
        Map<String, Object> patch = t.escapeHatch().runnerPodPatch();
        if (patch.isEmpty()) {
            return objects;
        }
        for (HasMetadata object : objects) {
            if (object instanceof Deployment d && Names.RUNNER_DEPLOYMENT.equals(d.getMetadata().getName())) {
                JsonNode template = merge(JSON.valueToTree(d.getSpec().getTemplate()), JSON.valueToTree(patch));
                d.getSpec().setTemplate(JSON.convertValue(template, PodTemplateSpec.class));
            }
        }
        return objects;
    }

    /** The manager container's resources once the patch's requests and limits of the runner container apply. */
    static ResolvedTenant.Resources managerResources(Map<String, Object> patch, ResolvedTenant.Resources base) {
        JsonNode runner = null;
        for (JsonNode container : JSON.valueToTree(patch).path("spec").path("containers")) {
            if ("runner".equals(container.path("name").asText())) {
                runner = container.path("resources");
            }
        }
        if (runner == null) {
            return base;
        }
        JsonNode requests = runner.path("requests");
        JsonNode limits = runner.path("limits");
        return new ResolvedTenant.Resources(
                amount(requests, "cpu", base.cpuRequest()), amount(limits, "cpu", base.cpuLimit()),
                amount(requests, "memory", base.memoryRequest()), amount(limits, "memory", base.memoryLimit()),
                amount(requests, "ephemeral-storage", base.ephemeralStorageRequest()),
                amount(limits, "ephemeral-storage", base.ephemeralStorageLimit()));
    }

    private static Quantity amount(JsonNode amounts, String name, Quantity base) {
        JsonNode value = amounts.get(name);
        return value == null || value.isNull() ? base : new Quantity(value.asText());
    }

    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!(patch instanceof ObjectNode patchObject) || !(target instanceof ObjectNode targetObject)) {
            return patch.deepCopy();
        }
        ObjectNode out = targetObject.deepCopy();
        patchObject.properties().forEach(e -> {
            JsonNode value = e.getValue();
            if (value.isNull()) {
                out.remove(e.getKey());
            } else if (value.isArray() && out.path(e.getKey()).isArray() && named((ArrayNode) value)) {
                out.set(e.getKey(), mergeByName((ArrayNode) out.get(e.getKey()), (ArrayNode) value));
            } else {
                out.set(e.getKey(), out.has(e.getKey()) ? merge(out.get(e.getKey()), value) : value.deepCopy());
            }
        });
        return out;
    }

    private static boolean named(ArrayNode list) {
        for (JsonNode entry : list) {
            if (!entry.isObject() || !entry.path("name").isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static ArrayNode mergeByName(ArrayNode target, ArrayNode patch) {
        ArrayNode out = target.deepCopy();
        for (JsonNode entry : patch) {
            int at = -1;
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).path("name").asText().equals(entry.path("name").asText())) {
                    at = i;
                }
            }
            if (at < 0) {
                out.add(entry.deepCopy());
            } else {
                out.set(at, merge(out.get(at), entry));
            }
        }
        return out;
    }
}
