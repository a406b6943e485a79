package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * prometheus-operator ServiceMonitor for the cache registry's debug port (Distribution's Prometheus metrics), with a
 * {@code tenant} label on every series. Scrape job = Service name ({@code cache-registry}), which the tenant's
 * "cache registry down" alert selects.
 */
public final class CacheRegistryServiceMonitor {
    public static final String NAME = "cache-registry";

    private CacheRegistryServiceMonitor() {
    }

    public static GenericKubernetesResource build(ResolvedTenant t) {
        return RunnerServiceMonitor.serviceMonitor(t, NAME, CacheRegistryService.roleLabels(t), "debug");
    }
}
