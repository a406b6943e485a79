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

    /** A tenant that has no status yet. */
    public static final BuildTenantStatus NONE = new BuildTenantStatus(null, null, null, null, null, null, null, null,
            null, null);

    public BuildTenantStatus withConditions(Long generation, List<Condition> now) {
        return new BuildTenantStatus(generation, now, namespace, runnerId, tokenExpiresAt, bucket, capacity, storage,
                cache, shapes);
    }

    public BuildTenantStatus withPlacement(String newNamespace, String newBucket) {
        return new BuildTenantStatus(observedGeneration, conditions, newNamespace, runnerId, tokenExpiresAt, newBucket,
                capacity, storage, cache, shapes);
    }

    public BuildTenantStatus withRunners(Long newRunnerId, String newTokenExpiresAt, List<ShapeStatus> newShapes) {
        return new BuildTenantStatus(observedGeneration, conditions, namespace, newRunnerId, newTokenExpiresAt, bucket,
                capacity, storage, cache, newShapes);
    }

    public BuildTenantStatus withCapacity(CapacityStatus now) {
        return new BuildTenantStatus(observedGeneration, conditions, namespace, runnerId, tokenExpiresAt, bucket, now,
                storage, cache, shapes);
    }

    public BuildTenantStatus withStorage(StorageStatus now) {
        return new BuildTenantStatus(observedGeneration, conditions, namespace, runnerId, tokenExpiresAt, bucket,
                capacity, now, cache, shapes);
    }

    public BuildTenantStatus withCache(CacheStatus now) {
        return new BuildTenantStatus(observedGeneration, conditions, namespace, runnerId, tokenExpiresAt, bucket,
                capacity, storage, now, shapes);
    }

    /** The shape's status, or null. */
    public ShapeStatus shape(String name) {
        return shapes == null ? null : shapes.stream().filter(s -> name.equals(s.name())).findFirst().orElse(null);
    }
}
