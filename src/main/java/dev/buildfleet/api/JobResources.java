package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Resources of one build container (Kaniko). Each part falls back to FleetConfig defaults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobResources(
        @JsonPropertyDescription("CPU, e.g. request 1, limit 2.")
        ResourceRange cpu,
        @JsonPropertyDescription("Memory, e.g. request 2Gi, limit 4Gi.")
        ResourceRange memory,
        @JsonPropertyDescription("Ephemeral storage for the build's filesystem, e.g. request 10Gi, limit 20Gi.")
        ResourceRange ephemeralStorage) {
}
