package dev.buildfleet.validation;

import dev.buildfleet.config.FleetConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Ranges no egress rule may open on its own: every address, the link-local range (cloud metadata at
 * 169.254.169.254), the Kubernetes API server, and the cluster's pod and service ranges where the FleetConfig names
 * them. A job that may send to those reaches the API server with whatever token it finds, the node's metadata
 * credentials, or other tenants' pods past their ingress rules. The platform can accept a range on purpose by
 * listing one that contains it in {@code config.egressPolicy.allowedRanges}.
 */
final class EgressRanges {
    private static final List<Cidr.Range> LINK_LOCAL = List.of(
            Objects.requireNonNull(Cidr.range("169.254.0.0/16")), Objects.requireNonNull(Cidr.range("fe80::/10")));

    private EgressRanges() {
    }

    /**
     * Why {@code cidr} (valid per {@link Cidr#check}) may not be opened, or null when it may. {@code apiToo}: also
     * refuse overlap with the API server (false for the API server's own CIDRs).
     */
    static String refusal(String cidr, FleetConfig config, boolean apiToo) {
        Cidr.Range range = Cidr.range(cidr);
        if (range == null) {
            return null;
        }
        for (Cidr.Range allowed : ranges(config.egressPolicy() == null ? null
                : config.egressPolicy().allowedRanges())) {
            if (range.within(allowed)) {
                return null;
            }
        }
        String why = null;
        if (range.everything()) {
            why = "covers every address";
        } else if (LINK_LOCAL.stream().anyMatch(range::overlaps)) {
            why = "overlaps the link-local range " + LINK_LOCAL.stream().filter(range::overlaps).findFirst()
                    .orElseThrow().text() + " (cloud metadata services answer at 169.254.169.254 with the node's "
                    + "credentials)";
        } else if (apiToo && config.kubernetesApi() != null) {
            why = overlap(range, config.kubernetesApi().cidrs(), "the Kubernetes API server's",
                    "config.kubernetesApi.cidrs");
        }
        if (why == null && config.cluster() != null) {
            why = overlap(range, config.cluster().podCidrs(), "the cluster's pod range", "config.cluster.podCidrs");
            if (why == null) {
                why = overlap(range, config.cluster().serviceCidrs(), "the cluster's service range",
                        "config.cluster.serviceCidrs");
            }
        }
        return why == null ? null : "'" + cidr + "' " + why + "; open narrower ranges, or, if the platform means "
                + "to allow this one, list a range that contains it in config.egressPolicy.allowedRanges";
    }

    private static String overlap(Cidr.Range range, List<String> cidrs, String what, String field) {
        for (Cidr.Range other : ranges(cidrs)) {
            if (range.overlaps(other)) {
                return "overlaps " + what + " " + other.text() + " (" + field + ")";
            }
        }
        return null;
    }

    private static List<Cidr.Range> ranges(List<String> cidrs) {
        List<Cidr.Range> out = new ArrayList<>();
        if (cidrs != null) {
            for (String c : cidrs) {
                Cidr.Range r = Cidr.range(c);
                if (r != null) {
                    out.add(r);
                }
            }
        }
        return out;
    }
}
