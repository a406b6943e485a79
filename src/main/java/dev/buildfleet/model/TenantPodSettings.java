package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;

import java.util.List;

/**
 * What every pod buildfleet runs in a tenant namespace (runner, cache registry, its garbage collection) gets besides
 * its own spec: image pull Secrets, /etc/hosts entries and resolver settings. Job pods get the same through
 * config.toml. Each is null rather than empty, so a tenant without them keeps the pod spec it had.
 */
final class TenantPodSettings {
    private TenantPodSettings() {
    }

    static List<LocalObjectReference> imagePullSecrets(ResolvedTenant t) {
        return t.imagePullSecrets().isEmpty() ? null
                : t.imagePullSecrets().stream().map(LocalObjectReference::new).toList();
    }

    static List<HostAlias> hostAliases(ResolvedTenant t) {
        return t.hostAliases().isEmpty() ? null
                : t.hostAliases().stream().map(a -> new HostAlias(a.hostnames(), a.ip())).toList();
    }

    /** Added to the cluster DNS settings (dnsPolicy stays ClusterFirst). */
    static PodDNSConfig dnsConfig(ResolvedTenant t) {
        if (t.dnsConfig() == null) {
            return null;
        }
        List<PodDNSConfigOption> options = t.dnsConfig().options().stream()
                .map(o -> new PodDNSConfigOption(o.name(), o.value())).toList();
        return new PodDNSConfig(null, options.isEmpty() ? null : options,
                t.dnsConfig().searches().isEmpty() ? null : t.dnsConfig().searches());
    }
}
