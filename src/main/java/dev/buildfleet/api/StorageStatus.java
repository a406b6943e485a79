package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** The tenant's bucket as the operator last saw it, and the state of a key rotation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StorageStatus(
        Long usedBytes,
        Long usedObjects,
        Long quotaBytes,
        Long quotaObjects,
        String accessKeyId,
        String rotationHandled,
        List<String> retiringAccessKeyIds) {
}
