package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What the tenant's nodes offer against what its concurrency needs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CapacityStatus(
        Integer nodes,
        String allocatableCpu,
        String requiredCpu,
        String allocatableMemory,
        String requiredMemory,
        Integer maxConcurrentJobs) {
}
