package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/** Carries the secret-free config.toml; the runner pod copies it into a writable volume at start. */
public final class RunnerConfigMap {
    public static final String KEY = "config.toml";

    private RunnerConfigMap() {
    }

    public static ConfigMap build(ResolvedTenant t, String config) {
        return new ConfigMapBuilder()
                .withNewMetadata().withName(Names.RUNNER_CONFIG_MAP).withNamespace(t.namespace())
                .withLabels(t.labels()).endMetadata()
                .addToData(KEY, config)
                .build();
    }
}
