package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * prometheus-operator ServiceMonitor for the runner's metrics Service (port {@code metrics}, 9252). Every series gets
 * a {@code tenant} label, which the tenant's alerts and the dashboard select on. Scrape job = Service name
 * ({@value Names#RUNNER_METRICS_SERVICE}), prometheus-operator's default.
 */
public final class RunnerServiceMonitor {
    public static final String API_VERSION = "monitoring.coreos.com/v1";
    public static final String KIND = "ServiceMonitor";
    public static final String NAME = "gitlab-runner";

    private RunnerServiceMonitor() {
    }

    public static GenericKubernetesResource build(ResolvedTenant t) {
        return serviceMonitor(t, NAME, RunnerMetricsService.roleLabels(t), "metrics");
    }

    /** A ServiceMonitor of one of the tenant's Services, adding {@code tenant} to every series. */
    static GenericKubernetesResource serviceMonitor(ResolvedTenant t, String name, Map<String, String> selector,
                                                    String port) {
        Map<String, Object> relabel = new LinkedHashMap<>();
        relabel.put("action", "replace");
        relabel.put("targetLabel", "tenant");
        relabel.put("replacement", t.name());
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("port", port);
        endpoint.put("path", "/metrics");
        endpoint.put("interval", "30s");
        endpoint.put("relabelings", List.of(relabel));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("selector", Map.of("matchLabels", selector));
        spec.put("namespaceSelector", Map.of("matchNames", List.of(t.namespace())));
        spec.put("endpoints", List.of(endpoint));
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(API_VERSION).withKind(KIND)
                .withNewMetadata().withName(name).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .addToAdditionalProperties("spec", spec)
                .build();
    }
}
