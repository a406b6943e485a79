package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A runner shape's runner in GitLab, as the operator last saw it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShapeStatus(String name, Long runnerId, String tokenExpiresAt) {
}
