package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

import java.util.Map;

/** Stable address of the runner manager's Prometheus endpoint (gitlab-runner listen_address). */
public final class RunnerMetricsService {
    private RunnerMetricsService() {
    }

    /** The tenant's labels plus its role, so a ServiceMonitor can pick this Service and no other. */
    static Map<String, String> roleLabels(ResolvedTenant t) {
        Map<String, String> labels = new java.util.TreeMap<>(t.labels());
        labels.put(Names.ROLE_LABEL, Names.ROLE_RUNNER_MANAGER);
        return labels;
    }

    public static Service build(ResolvedTenant t) {
        return new ServiceBuilder()
                .withNewMetadata().withName(Names.RUNNER_METRICS_SERVICE).withNamespace(t.namespace())
                .withLabels(roleLabels(t)).endMetadata()
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(Map.of(Names.TENANT_LABEL, t.name(), Names.ROLE_LABEL, Names.ROLE_RUNNER_MANAGER))
                .addNewPort().withName("metrics").withPort(Names.RUNNER_METRICS_PORT)
                .withTargetPort(new IntOrString("metrics")).withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }
}
