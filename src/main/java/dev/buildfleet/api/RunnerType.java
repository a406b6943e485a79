package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum RunnerType {
    @JsonProperty("instance_type") INSTANCE_TYPE,
    @JsonProperty("group_type") GROUP_TYPE,
    @JsonProperty("project_type") PROJECT_TYPE
}
