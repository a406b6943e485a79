package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A key of a Secret in the tenant's own namespace; buildfleet never reads Secrets of other namespaces. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SecretKeyRef(
        @Required @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") String name,
        @Pattern("^[-._a-zA-Z0-9]+$") String key) {
}
