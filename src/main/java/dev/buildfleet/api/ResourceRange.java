package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * A job's request and limit of one resource, and how far a job may raise each with gitlab-runner's
 * KUBERNETES_&lt;RESOURCE&gt;_REQUEST / _LIMIT variables (its {@code *_overwrite_max_allowed} keys).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResourceRange(
        Quantity request,
        Quantity limit,
        @JsonPropertyDescription("The largest request a job may ask for with its KUBERNETES_*_REQUEST variable. "
                + "Default: the request (no overwrite). Quota and capacity are sized for it.")
        Quantity maxRequest,
        @JsonPropertyDescription("The largest limit a job may ask for with its KUBERNETES_*_LIMIT variable. "
                + "Default: the limit (no overwrite). The LimitRange caps containers at it.")
        Quantity maxLimit) {

    public ResourceRange(Quantity request, Quantity limit) {
        this(request, limit, null, null);
    }
}
