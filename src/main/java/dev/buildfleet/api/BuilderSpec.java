package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuilderSpec(
        @JsonPropertyDescription("Default job image, e.g. a pinned Kaniko debug image; defaults to FleetConfig.")
        String image) {
}
