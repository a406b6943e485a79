package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** gitlab-runner's pull policies (common/config.go), mapped to Kubernetes' Always, IfNotPresent and Never. */
public enum PullPolicy {
    @JsonProperty("always") ALWAYS,
    @JsonProperty("if-not-present") IF_NOT_PRESENT,
    @JsonProperty("never") NEVER;

    /** The name config.toml and .gitlab-ci.yml use, the same as the JSON name. */
    public String tomlName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
