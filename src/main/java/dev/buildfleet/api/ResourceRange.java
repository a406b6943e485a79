package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Quantity;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResourceRange(Quantity request, Quantity limit) {
}
