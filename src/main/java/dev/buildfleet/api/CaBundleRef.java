package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A ConfigMap key holding PEM CA certificates, in the namespace FleetConfig caBundle names. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CaBundleRef(
        @Required @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("The ConfigMap's name.")
        String configMap,
        @Pattern("^[-._a-zA-Z0-9]+$")
        @JsonPropertyDescription("The key holding the PEM bundle. Default: ca.crt.")
        String key) {
}
