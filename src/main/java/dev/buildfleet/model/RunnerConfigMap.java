package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/** Carries the secret-free config.toml; the runner pod copies it into a writable volume at start. */
public final class RunnerConfigMap {
    public static final String KEY = "config.toml";
    /** The manager's stable system_id ({@link RunnerSystemId}), copied beside config.toml at start. */
    public static final String SYSTEM_ID_KEY = "runner_system_id";

    private RunnerConfigMap() {
    }

    public static ConfigMap build(ResolvedTenant t, String config) {
        return new ConfigMapBuilder()
                .withNewMetadata().withName(Names.RUNNER_CONFIG_MAP).withNamespace(t.namespace())
                .withLabels(t.labels()).endMetadata()
                .addToData(KEY, config)
                .addToData(SYSTEM_ID_KEY, RunnerSystemId.of(t.name()))
                .build();
    }
}
