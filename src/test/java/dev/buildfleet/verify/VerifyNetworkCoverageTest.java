package dev.buildfleet.verify;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** NetworkPolicy semantics (isolation, peers, ports) and when a live rule stays within what is allowed. */
class VerifyNetworkCoverageTest {
    static final Workload REGISTRY = new Workload("cache-registry pods", "bf-java",
            Map.of(Labels.NAMESPACE_NAME, "bf-java"), Map.of("role", "cache-registry"), Map.of("registry", 5000),
            null);
    static final List<Allowed> FROM_JOBS = List.of(new Allowed.Pods("jobs", "bf-java",
            Map.of("role", "build-job"), Allowed.Port.tcp(List.of(5000))));

    static NetworkPolicyPeer pods(Map<String, String> namespace, Map<String, String> pods) {
        NetworkPolicyPeerBuilder peer = new NetworkPolicyPeerBuilder();
        if (namespace != null) {
            peer.withNewNamespaceSelector().withMatchLabels(namespace).endNamespaceSelector();
        }
        if (pods != null) {
            peer.withNewPodSelector().withMatchLabels(pods).endPodSelector();
        }
        return peer.build();
    }

    static NetworkPolicyPort tcp(Object port) {
        return new NetworkPolicyPortBuilder().withPort(port instanceof Integer i ? new IntOrString(i)
                : new IntOrString((String) port)).build();
    }

    static PolicyRule ingress(List<NetworkPolicyPeer> peers, List<NetworkPolicyPort> ports) {
        NetworkPolicy policy = new NetworkPolicyBuilder().withNewMetadata().withName("p").withNamespace("bf-java")
                .endMetadata().withNewSpec().withNewPodSelector().endPodSelector().endSpec().build();
        return new PolicyRule(policy, Direction.INGRESS, 0, peers, ports);
    }

    static boolean covered(PolicyRule rule) {
        return Coverage.parts(rule, REGISTRY, FROM_JOBS).stream().allMatch(p -> p.coveredBy().isPresent());
    }

    @Test
    void aPeerConfinedToTheNamespaceByNameWithAtLeastTheAllowedLabelsOnTheAllowedPortIsWithin() {
        assertThat(covered(ingress(List.of(pods(Map.of(Labels.NAMESPACE_NAME, "bf-java"),
                Map.of("role", "build-job", "extra", "x"))), List.of(tcp(5000))))).isTrue();
        assertThat(covered(ingress(List.of(pods(null, Map.of("role", "build-job"))), List.of(tcp(5000)))))
                .as("no namespaceSelector: the policy's own namespace").isTrue();
        assertThat(covered(ingress(List.of(pods(null, Map.of("role", "build-job"))), List.of(tcp("registry")))))
                .as("a named port of the target").isTrue();
    }

    @Test
    void anyPeerAnyPortOtherLabelsOtherPortsAndUnpinnedNamespacesAreBeyond() {
        assertThat(covered(ingress(List.of(), List.of(tcp(5000))))).as("any source").isFalse();
        assertThat(covered(ingress(List.of(pods(null, Map.of("role", "build-job"))), List.of())))
                .as("any port").isFalse();
        assertThat(covered(ingress(List.of(pods(null, Map.of())), List.of(tcp(5000))))).as("every pod").isFalse();
        assertThat(covered(ingress(List.of(pods(null, null)), List.of(tcp(5000))))).as("no podSelector").isFalse();
        assertThat(covered(ingress(List.of(pods(null, Map.of("role", "build-job"))), List.of(tcp(5001)))))
                .isFalse();
        assertThat(covered(ingress(List.of(pods(Map.of("team", "java"), Map.of("role", "build-job"))),
                List.of(tcp(5000))))).as("a label any namespace may carry later").isFalse();
        assertThat(covered(ingress(List.of(pods(Map.of(), Map.of("role", "build-job"))), List.of(tcp(5000)))))
                .as("every namespace").isFalse();
    }

    @Test
    void anIpBlockIsWithinOnlyWhenItLiesInsideAnAllowedCidr() {
        List<Allowed> ceph = List.of(new Allowed.Cidr("Ceph", IpRange.parse("10.10.1.0/24"),
                Allowed.Port.tcp(List.of(443))));
        NetworkPolicy policy = new NetworkPolicyBuilder().withNewMetadata().withName("p").withNamespace("bf-java")
                .endMetadata().withNewSpec().withNewPodSelector().endPodSelector().endSpec().build();
        java.util.function.Function<String, Boolean> within = cidr -> Coverage.parts(new PolicyRule(policy,
                        Direction.EGRESS, 0, List.of(new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(cidr)
                        .endIpBlock().build()), List.of(tcp(443))), REGISTRY, ceph).stream()
                .allMatch(p -> p.coveredBy().isPresent());
        assertThat(within.apply("10.10.1.0/24")).isTrue();
        assertThat(within.apply("10.10.1.128/25")).isTrue();
        assertThat(within.apply("10.10.0.0/16")).isFalse();
        assertThat(within.apply("0.0.0.0/0")).isFalse();
        assertThat(within.apply("fd00::/8")).isFalse();
    }

    @Test
    void isolationFollowsPolicyTypesAndAConnectionNeedsBothEnds() {
        NetworkPolicy denyIngress = new NetworkPolicyBuilder().withNewMetadata().withName("deny").withNamespace("a")
                .endMetadata().withNewSpec().withNewPodSelector().endPodSelector().endSpec().build();
        NetworkPolicy egressOnly = new NetworkPolicyBuilder().withNewMetadata().withName("out").withNamespace("b")
                .endMetadata().withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Egress")
                .addNewEgress().withTo(pods(Map.of(Labels.NAMESPACE_NAME, "a"), null)).endEgress().endSpec().build();
        Workload a = new Workload("a/x", "a", Map.of(Labels.NAMESPACE_NAME, "a"), Map.of(), Map.of(), "10.0.0.1");
        Workload b = new Workload("b/y", "b", Map.of(Labels.NAMESPACE_NAME, "b"), Map.of(), Map.of(), "10.0.0.2");
        PolicySet set = new PolicySet(List.of(denyIngress, egressOnly));
        assertThat(set.isolating(Direction.INGRESS, a)).as("policyTypes absent: Ingress").hasSize(1);
        assertThat(set.isolating(Direction.EGRESS, a)).as("no egress rules, no Egress type").isEmpty();
        assertThat(set.isolating(Direction.INGRESS, b)).as("policyTypes [Egress] only").isEmpty();
        assertThat(set.allows(Direction.EGRESS, b, a, 80, "TCP")).isTrue();
        assertThat(set.allows(Direction.INGRESS, a, b, 80, "TCP")).as("a's ingress is closed").isFalse();
        assertThat(set.allows(Direction.EGRESS, b, b, 80, "TCP")).as("b may only reach a").isFalse();
    }
}
