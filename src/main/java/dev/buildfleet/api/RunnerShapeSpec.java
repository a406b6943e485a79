package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * Another runner of the tenant beside its main one (spec.gitlab.runner), e.g. {@code large} for the few builds that
 * need 8 CPUs: its own runner in GitLab with its own tags, job size and concurrency, run by the tenant's one runner
 * manager in the tenant's namespace, on the tenant's nodes, with the tenant's bucket, cache registry and policies.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunnerShapeSpec(
        @Required @Pattern("^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$")
        @JsonPropertyDescription("Name of the shape (lowercase letters, digits, '-'; at most 20), e.g. large.")
        String name,

        @Required
        @JsonPropertyDescription("Its runner in GitLab: an existing token in a Secret, or one the operator creates "
                + "(with the shape's own tags).")
        RunnerSpec runner,

        @Min(1) @Max(200)
        @JsonPropertyDescription("Jobs this shape runs at once. Default 1. All shapes together with the main runner "
                + "run at most 200.")
        Integer concurrency,

        @JsonPropertyDescription("Requests, limits and maxima of its build container; each part falls back on the "
                + "tenant's spec.jobResources, then FleetConfig defaults.")
        JobResources jobResources) {
}
