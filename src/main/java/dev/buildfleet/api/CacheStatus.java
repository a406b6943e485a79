package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The layer cache's expiry as the operator runs it: prune expired tags, then collect garbage read-only. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CacheStatus(
        @JsonPropertyDescription("Serving (read-write), ReadOnly (rolling to read-only for garbage collection) or "
                + "Collecting (the garbage-collection Job runs).")
        String phase,
        @JsonPropertyDescription("When the current phase began (RFC 3339).")
        String phaseSince,
        @JsonPropertyDescription("The garbage-collection Job of the current or last run.")
        String gcJob,
        @JsonPropertyDescription("When the last expiry run finished (RFC 3339).")
        String lastExpiry,
        @JsonPropertyDescription("Cache tags the last expiry run deleted.")
        Integer prunedTags,
        @JsonPropertyDescription("Bucket bytes before the last expiry run deleted anything.")
        Long sizeBytesBefore,
        @JsonPropertyDescription("Bucket bytes after the last expiry run (layer cache and runner cache).")
        Long sizeBytes,
        @JsonPropertyDescription("Why the last expiry run did not finish (CacheReady's reason until the next run).")
        String failureReason,
        @JsonPropertyDescription("What went wrong in the last expiry run, and where to look.")
        String failureMessage) {
}
