package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.List;

/** An /etc/hosts entry of the tenant's pods, e.g. the internal GitLab's address before DNS knows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostAlias(
        @Required
        @JsonPropertyDescription("IPv4 or IPv6 address, e.g. 10.10.0.10.")
        String ip,

        @Required @Size(min = 1)
        @JsonPropertyDescription("DNS names that resolve to ip, e.g. gitlab.internal.example.com; no wildcards.")
        List<String> hostnames) {
}
