package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;

/**
 * resolv.conf additions for the tenant's pods, on top of the cluster DNS (dnsPolicy ClusterFirst). No nameservers:
 * the tenant's NetworkPolicies let pods query only the cluster DNS.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DnsConfig(
        @JsonPropertyDescription("Search domains after the cluster's own, e.g. internal.example.com.")
        List<String> searches,

        @JsonPropertyDescription("resolv.conf options, e.g. [{name: ndots, value: \"2\"}].")
        List<DnsOption> options) {
}
