package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record CacheSpec(
        @JsonPropertyDescription("S3 endpoint URL; defaults to FleetConfig ceph.endpoint.")
        String endpoint,

        @JsonPropertyDescription("S3 region; defaults to FleetConfig ceph.region.")
        String region,

        @Pattern("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
        @JsonPropertyDescription("Bucket name; default bf-<tenant>-cache.")
        String bucket,

        @JsonPropertyDescription("Secret in the tenant namespace with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. "
                + "Omitted: the operator provisions a storage user and writes the Secret itself.")
        SecretKeyRef existingCredentialsSecret,

        @Pattern("^([0-9]+h)?([0-9]+m)?([0-9]+s)?$")
        @JsonPropertyDescription("How long a cache entry lives, as a Go duration (e.g. 336h).")
        String ttl,

        @JsonPropertyDescription("Storage quota of the tenant's bucket user.")
        CacheQuota quota) {
}
