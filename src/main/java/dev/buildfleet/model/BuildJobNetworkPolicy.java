package dev.buildfleet.model;

import dev.buildfleet.api.EgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Build jobs reach GitLab (clone, artifacts), Ceph (the runner cache through pre-signed URLs; jobs hold no keys)
 * the tenant's cache registry (Kaniko's layer cache) and the tenant's allow-listed destinations. Never the Kubernetes API, never another tenant; nothing connects in.
 */
public final class BuildJobNetworkPolicy {
    public static final String NAME = "build-jobs";

    private BuildJobNetworkPolicy() {
    }

    public static NetworkPolicy build(ResolvedTenant t) {
        ResolvedTenant.Network net = t.network();
        List<NetworkPolicyEgressRule> egress = new ArrayList<>();
        egress.add(NetworkPolicies.egressTo(net.gitlabCidrs(), net.gitlabPorts()));
        egress.add(NetworkPolicies.egressTo(net.cephCidrs(), List.of(t.cache().port())));
        egress.add(new NetworkPolicyEgressRuleBuilder()
                .withTo(NetworkPolicies.podsInNamespace(t.namespace(),
                        NetworkPolicies.role(t, Names.ROLE_CACHE_REGISTRY)))
                .withPorts(NetworkPolicies.port("TCP", Names.CACHE_REGISTRY_PORT))
                .build());
        for (EgressRule rule : t.egress()) {
            egress.add(NetworkPolicies.egressTo(List.of(rule.cidr()), rule.ports()));
        }
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(NAME).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .withNewSpec()
                .withNewPodSelector().withMatchLabels(NetworkPolicies.role(t, Names.ROLE_BUILD_JOB)).endPodSelector()
                .withPolicyTypes(NetworkPolicies.both())
                .withEgress(egress)
                .endSpec()
                .build();
    }
}
