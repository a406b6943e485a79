package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.List;

/** A destination build jobs may reach, e.g. the company registry or a package mirror. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EgressRule(
        @Required @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$") @Size(max = 40)
        @JsonPropertyDescription("What this destination is, e.g. harbor.")
        String name,

        @Required
        @JsonPropertyDescription("IPv4 or IPv6 CIDR, e.g. 10.20.0.0/16.")
        String cidr,

        @Required @Size(min = 1)
        List<@Min(1) @Max(65535) Integer> ports) {
}
