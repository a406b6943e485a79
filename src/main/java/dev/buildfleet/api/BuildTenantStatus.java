package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildTenantStatus(
        Long observedGeneration,
        List<Condition> conditions,
        String namespace,
        Long runnerId,
        String tokenExpiresAt,
        String bucket,
        CapacityStatus capacity,
        StorageStatus storage,
        CacheStatus cache,
        List<ShapeStatus> shapes) {

    public BuildTenantStatus(Long observedGeneration, List<Condition> conditions, String namespace, Long runnerId,
                             String tokenExpiresAt, String bucket, CapacityStatus capacity, StorageStatus storage,
                             CacheStatus cache) {
        this(observedGeneration, conditions, namespace, runnerId, tokenExpiresAt, bucket, capacity, storage, cache,
                null);
    }

    /** The shape's status, or null. */
    public ShapeStatus shape(String name) {
        return shapes == null ? null : shapes.stream().filter(s -> name.equals(s.name())).findFirst().orElse(null);
    }
}
