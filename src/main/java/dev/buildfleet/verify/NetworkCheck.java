package dev.buildfleet.verify;

import dev.buildfleet.api.EgressRule;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * From the live NetworkPolicies of every namespace: which sources may reach the tenant's runner manager, cache
 * registry and build jobs, and where each of them may send traffic; whatever goes beyond the platform's endpoints
 * (config.gitlab/ceph/kubernetesApi cidrs, cluster DNS, the monitoring and operator namespaces) and the tenant's
 * declared egress fails. Build jobs never reach the Kubernetes API.
 */
final class NetworkCheck {
    static final String NAME = "network";
    static final String CNI_NOTE = "NetworkPolicies only hold if the cluster's CNI enforces them: verify reads the "
            + "policies and cannot see whether the network plugin applies them (kube-proxy alone does not)";
    private static final int LISTED = 8;

    /** A pod of the tenant and what it is meant to accept and to reach. */
    record Role(Workload workload, List<Allowed> ingress, List<Allowed> egress) {
    }

    private NetworkCheck() {
    }

    static List<CheckResult> check(ResolvedTenant t, ClusterState cluster, List<HasMetadata> desired) {
        PolicySet policies = new PolicySet(cluster.networkPolicies());
        List<Workload> livePods = cluster.pods().stream().map((Pod p) -> TenantWorkloads.of(p, cluster)).toList();
        List<CheckResult> results = new ArrayList<>();
        for (Role role : roles(t, cluster, desired)) {
            for (Direction direction : Direction.values()) {
                results.addAll(judge(t, role, direction, policies, livePods));
            }
        }
        return results;
    }

    static List<Role> roles(ResolvedTenant t, ClusterState cluster, List<HasMetadata> desired) {
        ResolvedTenant.Network net = t.network();
        Allowed dns = new Allowed.Pods("cluster DNS (config.dns)", net.dnsNamespace(), net.dnsPodSelector(),
                List.of(new Allowed.Port("UDP", 53), new Allowed.Port("TCP", 53)));
        List<Allowed> gitlab = cidrs("GitLab (config.gitlab.cidrs)", net.gitlabCidrs(), net.gitlabPorts());
        List<Allowed> ceph = cidrs("Ceph RGW (config.ceph.cidrs)", net.cephCidrs(), List.of(t.cache().port()));
        List<Allowed> api = cidrs("the Kubernetes API (config.kubernetesApi.cidrs)", net.kubernetesApiCidrs(),
                net.kubernetesApiPorts());
        Allowed prometheusOnRunner = new Allowed.Pods("Prometheus (config.monitoring.namespace)",
                net.monitoringNamespace(), Map.of(), Allowed.Port.tcp(List.of(Names.RUNNER_METRICS_PORT)));

        List<Allowed> runnerEgress = new ArrayList<>(gitlab);
        runnerEgress.addAll(api);
        runnerEgress.addAll(ceph);
        runnerEgress.add(dns);

        List<Allowed> registryIngress = List.of(
                new Allowed.Pods("the tenant's build jobs", t.namespace(), Map.of(Names.TENANT_LABEL, t.name(),
                        Names.ROLE_LABEL, Names.ROLE_BUILD_JOB), Allowed.Port.tcp(List.of(Names.CACHE_REGISTRY_PORT))),
                new Allowed.Pods("the operator, pruning expired cache tags (config.operator.namespace)",
                        net.operatorNamespace(), Names.OPERATOR_POD_LABELS,
                        Allowed.Port.tcp(List.of(Names.CACHE_REGISTRY_PORT))),
                new Allowed.Pods("Prometheus (config.monitoring.namespace)", net.monitoringNamespace(), Map.of(),
                        Allowed.Port.tcp(List.of(Names.CACHE_REGISTRY_DEBUG_PORT))));
        List<Allowed> registryEgress = new ArrayList<>(ceph);
        registryEgress.add(dns);

        List<Allowed> jobEgress = new ArrayList<>(gitlab);
        jobEgress.addAll(ceph);
        jobEgress.add(new Allowed.Pods("the tenant's cache registry", t.namespace(), Map.of(Names.TENANT_LABEL,
                t.name(), Names.ROLE_LABEL, Names.ROLE_CACHE_REGISTRY),
                Allowed.Port.tcp(List.of(Names.CACHE_REGISTRY_PORT))));
        for (EgressRule rule : t.egress()) {
            jobEgress.addAll(cidrs("spec.egress " + rule.name(), List.of(rule.cidr()), rule.ports()));
        }
        jobEgress.add(dns);

        return List.of(
                new Role(TenantWorkloads.runnerManager(t, desired, cluster), List.of(prometheusOnRunner),
                        runnerEgress),
                new Role(TenantWorkloads.cacheRegistry(t, desired, cluster), registryIngress, registryEgress),
                new Role(TenantWorkloads.buildJob(t, desired, cluster), List.of(), jobEgress));
    }

    private static List<CheckResult> judge(ResolvedTenant t, Role role, Direction direction, PolicySet policies,
                                           List<Workload> livePods) {
        Workload pod = role.workload();
        List<Allowed> allowed = direction == Direction.INGRESS ? role.ingress() : role.egress();
        String subject = pod.name() + " in " + pod.namespace();
        String verb = direction == Direction.INGRESS ? "accept connections" : "open connections";
        if (policies.isolating(direction, pod).isEmpty()) {
            return List.of(CheckResult.fail(t.name(), NAME, "no NetworkPolicy isolates " + subject + " for "
                            + direction.field + ": they " + verb + (direction == Direction.INGRESS
                            ? " from any pod or address" : " to any pod or address") + " on any port",
                    List.of(new Evidence("NetworkPolicies in " + pod.namespace(), "spec.podSelector, policyTypes",
                            "none selects these labels with policyType " + direction.policyType)),
                    "apply the tenant's rendered NetworkPolicies (default-deny and the others: kubectl apply -k DIR/"
                            + t.name() + ")"));
        }
        List<CheckResult> failures = new ArrayList<>();
        List<Evidence> passed = new ArrayList<>();
        Map<List<String>, Set<String>> summary = new LinkedHashMap<>();
        for (PolicyRule rule : policies.rules(direction, pod)) {
            List<Coverage.Part> parts = Coverage.parts(rule, pod, allowed);
            List<Coverage.Part> beyond = parts.stream().filter(p -> p.coveredBy().isEmpty()).toList();
            if (beyond.isEmpty()) {
                parts.forEach(p -> summary.computeIfAbsent(List.of(p.peer(), p.coveredBy().orElseThrow().why()),
                        k -> new LinkedHashSet<>()).add(p.port()));
                passed.add(new Evidence(rule.object(), rule.field(), rule.text()));
                continue;
            }
            List<Evidence> evidence = new ArrayList<>();
            evidence.add(new Evidence(rule.object(), rule.field(), rule.text()));
            evidence.add(direction == Direction.INGRESS ? sources(rule, pod, policies, livePods)
                    : destinations(rule, pod, policies, livePods));
            failures.add(CheckResult.fail(t.name(), NAME, subject + " " + verb + " beyond what the platform "
                            + "allows: " + beyond.stream().map(Coverage.Part::text).collect(Collectors.joining("; "))
                            + " (" + rule.object() + " " + rule.field() + ")", evidence,
                    "delete or narrow " + rule.object() + " (kubectl -n " + rule.namespace()
                            + " delete networkpolicy " + rule.policy().getMetadata().getName() + "); what is meant: "
                            + (allowed.isEmpty() ? "nothing" : allowed.stream().map(NetworkCheck::text)
                            .collect(Collectors.joining("; ")))));
        }
        if (!failures.isEmpty()) {
            return failures;
        }
        if (direction == Direction.INGRESS && !summary.isEmpty()) {
            passed.add(reachableNow(policies.rules(direction, pod), pod, policies, livePods));
        }
        String what = summary.entrySet().stream().map(e -> e.getKey().get(0) + " on " + String.join(", ",
                e.getValue()) + " (" + e.getKey().get(1) + ")").collect(Collectors.joining("; "));
        return List.of(CheckResult.pass(t.name(), NAME, summary.isEmpty() ? subject + " "
                + (direction == Direction.INGRESS ? "accept no connections" : "open no connections")
                : subject + " " + verb + " only " + (direction == Direction.INGRESS ? "from " : "to ") + what, passed));
    }

    /** The live pods the rule lets in whose own egress policies let them out to the pod, and the addresses. */
    private static Evidence sources(PolicyRule rule, Workload target, PolicySet policies, List<Workload> livePods) {
        return new Evidence("reachable now", "", listed(reaching(rule, target, policies, livePods), "pod")
                + addresses(rule));
    }

    /** Who may connect to the pod today through any of its ingress rules. */
    private static Evidence reachableNow(List<PolicyRule> rules, Workload target, PolicySet policies,
                                         List<Workload> livePods) {
        List<String> reach = rules.stream().flatMap(r -> reaching(r, target, policies, livePods).stream())
                .distinct().sorted().toList();
        return new Evidence("reachable now", "", listed(reach, "pod"));
    }

    private static List<String> reaching(PolicyRule rule, Workload target, PolicySet policies,
                                         List<Workload> livePods) {
        List<Integer> ports = target.namedPorts().isEmpty() ? Collections.singletonList(null)
                : List.copyOf(target.namedPorts().values());
        return livePods.stream()
                .filter(p -> PolicySet.matchesPeer(rule, p))
                .filter(p -> ports.stream().anyMatch(port -> PolicySet.matchesPort(rule.ports(), port, "TCP", target)
                        && policies.allows(Direction.EGRESS, p, target, port, "TCP")))
                .map(Workload::name).sorted().toList();
    }

    private static Evidence destinations(PolicyRule rule, Workload source, PolicySet policies,
                                         List<Workload> livePods) {
        List<String> reach = livePods.stream()
                .filter(p -> PolicySet.matchesPeer(rule, p))
                .filter(p -> policies.allows(Direction.INGRESS, p, source, null, "TCP")
                        || policies.allows(Direction.INGRESS, p, source, null, "UDP"))
                .map(Workload::name).sorted().toList();
        return new Evidence("reachable now", "", listed(reach, "pod") + addresses(rule));
    }

    private static String listed(List<String> names, String what) {
        if (names.isEmpty()) {
            return "no live " + what;
        }
        return names.size() + " live " + what + "(s): " + String.join(", ", names.subList(0, Math.min(LISTED,
                names.size()))) + (names.size() > LISTED ? ", ..." : "");
    }

    private static String addresses(PolicyRule rule) {
        if (rule.peers().isEmpty()) {
            return "; and every address, inside the cluster or outside";
        }
        List<String> blocks = rule.peers().stream().filter(p -> p.getIpBlock() != null)
                .map((NetworkPolicyPeer p) -> PolicyRule.peerText(p, rule.namespace())).toList();
        return blocks.isEmpty() ? "" : "; and addresses in " + String.join(", ", blocks);
    }

    private static List<Allowed> cidrs(String why, List<String> cidrs, List<Integer> ports) {
        return cidrs.stream().map(IpRange::parse).filter(r -> r != null)
                .map(r -> (Allowed) new Allowed.Cidr(why, r, Allowed.Port.tcp(ports))).toList();
    }

    static String text(Allowed allowed) {
        String peer = allowed instanceof Allowed.Cidr c ? c.range().text() : "namespace "
                + ((Allowed.Pods) allowed).namespace() + " pods " + Labels.text(((Allowed.Pods) allowed).labels());
        return peer + " on " + allowed.ports().stream().map(Allowed.Port::toString).collect(Collectors.joining(", "))
                + " (" + allowed.why() + ")";
    }
}
