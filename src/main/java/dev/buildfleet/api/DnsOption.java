package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** One resolv.conf option, e.g. ndots 2 or edns0 (no value). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DnsOption(
        @Required
        @JsonPropertyDescription("Option name, e.g. ndots, timeout, attempts, edns0, single-request-reopen.")
        String name,

        @JsonPropertyDescription("Option value, e.g. 2 for ndots; leave out for options without one.")
        String value) {
}
