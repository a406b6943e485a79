package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;

import java.util.List;
import java.util.Map;

/**
 * The runner manager reaches GitLab (job requests), the Kubernetes API (job pods) and Ceph (cache URLs); only the
 * monitoring namespace's Prometheus reaches its metrics port.
 */
public final class RunnerManagerNetworkPolicy {
    public static final String NAME = "runner-manager";

    private RunnerManagerNetworkPolicy() {
    }

    public static NetworkPolicy build(ResolvedTenant t) {
        ResolvedTenant.Network net = t.network();
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(NAME).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .withNewSpec()
                .withNewPodSelector().withMatchLabels(NetworkPolicies.role(t, Names.ROLE_RUNNER_MANAGER))
                .endPodSelector()
                .withPolicyTypes(NetworkPolicies.both())
                .addNewIngress()
                .withFrom(NetworkPolicies.podsInNamespace(net.monitoringNamespace(), Map.of()))
                .withPorts(NetworkPolicies.port("TCP", Names.RUNNER_METRICS_PORT))
                .endIngress()
                .withEgress(
                        NetworkPolicies.egressTo(net.gitlabCidrs(), net.gitlabPorts()),
                        NetworkPolicies.egressTo(net.kubernetesApiCidrs(), net.kubernetesApiPorts()),
                        NetworkPolicies.egressTo(net.cephCidrs(), List.of(t.cache().port())))
                .endSpec()
                .build();
    }
}
