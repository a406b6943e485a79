package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Quantity;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record CacheQuota(Quantity maxSize, @Min(1) Long maxObjects) {
}
