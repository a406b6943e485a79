package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodesSpec(
        @JsonPropertyDescription("Node labels every runner, registry and job pod of this tenant is pinned to.")
        Map<String, String> selector,

        @JsonPropertyDescription("Tolerations for the taint that keeps other pods off these nodes. Omitted: "
                + "buildfleet.dev/tenant=<name>:NoSchedule.")
        List<Toleration> tolerations) {
}
