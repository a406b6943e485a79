package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum AccessLevel {
    @JsonProperty("not_protected") NOT_PROTECTED,
    @JsonProperty("ref_protected") REF_PROTECTED
}
