package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record GitLabSpec(
        @JsonPropertyDescription("GitLab base URL; defaults to FleetConfig gitlab.url.")
        String url,

        @Required
        @JsonPropertyDescription("Where the runner authentication token (glrt-...) comes from.")
        RunnerSpec runner) {
}
