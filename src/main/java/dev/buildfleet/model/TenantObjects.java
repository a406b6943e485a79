package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.List;

/** Every Kubernetes object of one tenant, in the order they can be applied. The CLI and the operator both use it. */
public final class TenantObjects {
    private TenantObjects() {
    }

    /** What the operator must write before anything else of the tenant: the namespace and its own rights there. */
    public static List<HasMetadata> access(ResolvedTenant t) {
        return List.of(TenantNamespace.build(t), OperatorTenantRoleBinding.build(t));
    }

    public static List<HasMetadata> build(ResolvedTenant t) {
        // Built once: the ConfigMap carries the text and the Deployment its checksum.
        String configToml = RunnerConfigToml.build(t);
        String registryConfig = CacheRegistryConfig.build(t);
        List<HasMetadata> objects = RunnerPodPatch.addTo(t, ProxySettings.addTo(t, CaBundleMounts.addTo(t,
                new ArrayList<>(List.of(
                TenantNamespace.build(t),
                OperatorTenantRoleBinding.build(t),
                RunnerManagerServiceAccount.build(t),
                BuildServiceAccount.build(t),
                RunnerManagerRoleBinding.build(t),
                BuildResourceQuota.build(t),
                BuildLimitRange.build(t),
                DefaultDenyNetworkPolicy.build(t),
                DnsEgressNetworkPolicy.build(t),
                RunnerManagerNetworkPolicy.build(t),
                BuildJobNetworkPolicy.build(t),
                CacheRegistryNetworkPolicy.build(t),
                CacheGarbageCollectorNetworkPolicy.build(t),
                RunnerConfigMap.build(t, configToml),
                RunnerDeployment.build(t, configToml),
                RunnerMetricsService.build(t),
                CacheRegistryConfigMap.build(t, registryConfig),
                CacheRegistryDeployment.build(t, registryConfig),
                CacheRegistryService.build(t))))));
        if (ProxyEgressNetworkPolicy.build(t) != null) {
            objects.add(objects.indexOf(objects.stream().filter(o -> o.getMetadata().getName()
                    .equals(DnsEgressNetworkPolicy.NAME)).findFirst().orElseThrow()) + 1,
                    ProxyEgressNetworkPolicy.build(t));
        }
        // Monitoring, each switched by the tenant's spec.monitoring toggles. The operator only applies the
        // prometheus-operator kinds when their CRDs exist (see operator.MonitoringStep).
        objects.addAll(prometheusOperatorObjects(t));
        if (t.monitoring().dashboard()) {
            objects.add(GrafanaDashboardConfigMap.build(t));
        }
        return List.copyOf(objects);
    }

    /** The objects of prometheus-operator's kinds (ServiceMonitor, PrometheusRule) that spec.monitoring asks for. */
    public static List<HasMetadata> prometheusOperatorObjects(ResolvedTenant t) {
        List<HasMetadata> objects = new ArrayList<>();
        if (t.monitoring().serviceMonitor()) {
            objects.add(RunnerServiceMonitor.build(t));
            objects.add(CacheRegistryServiceMonitor.build(t));
        }
        if (t.monitoring().prometheusRule()) {
            objects.add(TenantPrometheusRule.build(t));
        }
        return objects;
    }
}
