package dev.buildfleet.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tenant's pods as the model makes them, whether or not one runs now: the runner manager's and the cache
 * registry's from their rendered Deployments, a build job's from the pod labels of the rendered config.toml.
 */
final class TenantWorkloads {
    private TenantWorkloads() {
    }

    static Workload runnerManager(ResolvedTenant t, List<HasMetadata> desired, ClusterState cluster) {
        return fromDeployment(t, desired, Names.RUNNER_DEPLOYMENT, cluster);
    }

    static Workload cacheRegistry(ResolvedTenant t, List<HasMetadata> desired, ClusterState cluster) {
        return fromDeployment(t, desired, Names.CACHE_REGISTRY, cluster);
    }

    static Workload buildJob(ResolvedTenant t, List<HasMetadata> desired, ClusterState cluster) {
        ConfigMap config = desired.stream().filter(o -> o instanceof ConfigMap
                        && o.getMetadata().getName().equals(Names.RUNNER_CONFIG_MAP)).map(ConfigMap.class::cast)
                .findFirst().orElseThrow();
        try {
            JsonNode labels = new TomlMapper().readTree(config.getData().get("config.toml")).path("runners").path(0)
                    .path("kubernetes").path("pod_labels");
            Map<String, String> map = new TreeMap<>();
            labels.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
            return new Workload("build job pods", t.namespace(), cluster.namespaceLabels(t.namespace()), map, Map.of(),
                    null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A live pod as NetworkPolicies see it. */
    static Workload of(Pod pod, ClusterState cluster) {
        return new Workload(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(),
                pod.getMetadata().getNamespace(), cluster.namespaceLabels(pod.getMetadata().getNamespace()),
                Labels.of(pod), namedPorts(pod.getSpec()), pod.getStatus() == null ? null
                : pod.getStatus().getPodIP());
    }

    private static Workload fromDeployment(ResolvedTenant t, List<HasMetadata> desired, String name,
                                           ClusterState cluster) {
        Deployment deployment = desired.stream().filter(o -> o instanceof Deployment
                        && o.getMetadata().getName().equals(name)).map(Deployment.class::cast).findFirst()
                .orElseThrow();
        return new Workload(deployment.getSpec().getTemplate().getMetadata().getLabels()
                .getOrDefault(Names.ROLE_LABEL, name) + " pods", t.namespace(), cluster.namespaceLabels(t.namespace()),
                deployment.getSpec().getTemplate().getMetadata().getLabels(),
                namedPorts(deployment.getSpec().getTemplate().getSpec()), null);
    }

    private static Map<String, Integer> namedPorts(PodSpec spec) {
        Map<String, Integer> ports = new TreeMap<>();
        if (spec == null || spec.getContainers() == null) {
            return ports;
        }
        for (Container container : spec.getContainers()) {
            for (ContainerPort port : container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
                if (port.getName() != null) {
                    ports.put(port.getName(), port.getContainerPort());
                }
            }
        }
        return ports;
    }
}
