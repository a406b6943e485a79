package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;

/**
 * Which images the tenant's jobs may run and how they are pulled: gitlab-runner's allowed_images, allowed_services,
 * pull_policy and allowed_pull_policies. Each field left out falls back on its own to FleetConfig
 * defaults.imagePolicy, then to the built-in default.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImagePolicy(
        @JsonPropertyDescription("Images a job may name in .gitlab-ci.yml besides the builder image, as exact "
                + "references or gitlab-runner's globs (* within one /-part, ** across parts, ?, [abc], {a,b}), "
                + "e.g. registry.example.com/java/**. Default: FleetConfig, else the builder image only.")
        List<String> allowedImages,

        @JsonPropertyDescription("Images a job may run as services, same patterns. Default: FleetConfig, else "
                + "none (gitlab-runner still accepts the job image and its helper image).")
        List<String> allowedServices,

        @JsonPropertyDescription("How job pods pull images when the job names no pull_policy: always, "
                + "if-not-present, never. Default: FleetConfig, else if-not-present.")
        List<PullPolicy> pullPolicy,

        @JsonPropertyDescription("The pull policies a job may ask for; pullPolicy must be among them. Default: "
                + "FleetConfig, else always and if-not-present.")
        List<PullPolicy> allowedPullPolicies) {
}
