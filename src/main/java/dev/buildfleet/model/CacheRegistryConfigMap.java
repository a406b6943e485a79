package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/** Carries the cache registry's secret-free config.yml. */
public final class CacheRegistryConfigMap {
    public static final String NAME = "cache-registry-config";
    public static final String KEY = "config.yml";

    private CacheRegistryConfigMap() {
    }

    public static ConfigMap build(ResolvedTenant t, String config) {
        return new ConfigMapBuilder()
                .withNewMetadata().withName(NAME).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .addToData(KEY, config)
                .build();
    }
}
