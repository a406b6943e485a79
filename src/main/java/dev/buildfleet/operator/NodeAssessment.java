package dev.buildfleet.operator;

import dev.buildfleet.api.CapacityStatus;
import dev.buildfleet.model.BuildCapacity;
import dev.buildfleet.model.Quantities;
import dev.buildfleet.model.ResolvedTenant;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Judges a tenant's nodes: do they exist, are they reserved for the tenant (tainted so other pods stay off), are
 * they claimed by one tenant only, and can they hold the tenant's concurrency. Pure: nodes in, conditions out.
 */
public record NodeAssessment(Condition nodesReady, Condition capacitySufficient, CapacityStatus capacity) {

    public static NodeAssessment of(ResolvedTenant tenant, List<Node> nodes, Map<String, Map<String, String>> others) {
        List<Node> matching = nodes.stream().filter(n -> matches(tenant.nodeSelector(), labels(n))).toList();
        Map.Entry<Condition, CapacityStatus> capacity = capacity(tenant, matching);
        return new NodeAssessment(nodesReady(tenant, matching, others), capacity.getKey(), capacity.getValue());
    }

    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    private static Map<String, String> labels(Node node) {
        return node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    }

    private static Condition nodesReady(ResolvedTenant t, List<Node> matching,
                                        Map<String, Map<String, String>> others) {
        if (matching.isEmpty()) {
            return Conditions.of(Conditions.NODES_READY, false, "NoMatchingNodes", "no node carries the labels "
                    + t.nodeSelector() + "; label and taint the tenant's nodes, e.g. kubectl label node NAME "
                    + selectorText(t) + " && kubectl taint node NAME " + taintText(t));
        }
        List<String> untainted = matching.stream().filter(n -> !reservedFor(n, t.tolerations()))
                .map(n -> n.getMetadata().getName()).sorted().toList();
        if (!untainted.isEmpty() && !t.tolerations().isEmpty()) {
            return Conditions.of(Conditions.NODES_READY, false, "NodeNotTainted", "node(s) " + untainted
                    + " lack the taint " + taintText(t) + ": pods of other tenants could be scheduled there; run "
                    + "kubectl taint node NAME " + taintText(t));
        }
        List<String> shared = new ArrayList<>();
        for (Node node : matching) {
            others.forEach((tenant, selector) -> {
                if (matches(selector, labels(node))) {
                    shared.add(node.getMetadata().getName() + " (also " + tenant + ")");
                }
            });
        }
        if (!shared.isEmpty()) {
            return Conditions.of(Conditions.NODES_READY, false, "NodeSharedWithAnotherTenant", "node(s) "
                    + shared.stream().sorted().toList() + " match two tenants' selectors; remove the other tenant's "
                    + "label so each node serves one tenant");
        }
        List<String> notReady = matching.stream().filter(n -> !isReady(n) || Boolean.TRUE.equals(
                n.getSpec() == null ? null : n.getSpec().getUnschedulable())).map(n -> n.getMetadata().getName())
                .sorted().toList();
        if (notReady.size() == matching.size()) {
            return Conditions.of(Conditions.NODES_READY, false, "NodesNotReady", "all matching nodes " + notReady
                    + " are NotReady or cordoned");
        }
        return Conditions.of(Conditions.NODES_READY, true, "NodesReserved", matching.size() + " node(s) labelled "
                + selectorText(t) + " and reserved for the tenant"
                + (notReady.isEmpty() ? "" : "; not schedulable now: " + notReady));
    }

    private static Map.Entry<Condition, CapacityStatus> capacity(ResolvedTenant t, List<Node> nodes) {
        BigDecimal cpu = BigDecimal.ZERO;
        BigDecimal memory = BigDecimal.ZERO;
        BigDecimal ephemeral = BigDecimal.ZERO;
        for (Node node : nodes) {
            Map<String, Quantity> allocatable = node.getStatus() == null || node.getStatus().getAllocatable() == null
                    ? Map.of() : node.getStatus().getAllocatable();
            cpu = cpu.add(amount(allocatable.get("cpu")));
            memory = memory.add(amount(allocatable.get("memory")));
            ephemeral = ephemeral.add(amount(allocatable.get("ephemeral-storage")));
        }
        if (!t.shapes().isEmpty()) {
            return shapesCapacity(t, nodes.size(), cpu, memory, ephemeral);
        }
        BuildCapacity need = BuildCapacity.of(t);
        // At the most a job may request: the runner's full concurrency must fit even when every job raises its size.
        BigDecimal jobCpu = Quantities.amount(t.jobMax().cpuRequest())
                .add(Quantities.amount(t.helper().cpuRequest()));
        BigDecimal jobMemory = Quantities.amount(t.jobMax().memoryRequest())
                .add(Quantities.amount(t.helper().memoryRequest()));
        BigDecimal jobEphemeral = Quantities.amount(t.jobMax().ephemeralStorageRequest())
                .add(Quantities.amount(t.helper().ephemeralStorageRequest()));
        RunnerDeploymentShare manager = new RunnerDeploymentShare(t.escapeHatch().manager());
        int fitCpu = fit(cpu.subtract(manager.cpu), jobCpu);
        int fitMemory = fit(memory.subtract(manager.memory), jobMemory);
        int fitEphemeral = fit(ephemeral.subtract(manager.ephemeral), jobEphemeral);
        int fits = Math.min(fitCpu, Math.min(fitMemory, fitEphemeral));
        BigDecimal requiredCpu = jobCpu.multiply(BigDecimal.valueOf(t.concurrency())).add(manager.cpu);
        BigDecimal requiredMemory = jobMemory.multiply(BigDecimal.valueOf(t.concurrency())).add(manager.memory);
        CapacityStatus status = new CapacityStatus(nodes.size(), Quantities.cpu(cpu).toString(),
                Quantities.cpu(requiredCpu).toString(), Quantities.bytes(memory).toString(),
                Quantities.bytes(requiredMemory).toString(), Math.max(0, fits));
        if (fits >= need.jobs()) {
            return Map.entry(Conditions.of(Conditions.CAPACITY_SUFFICIENT, true, "CapacityFits",
                    t.concurrency() + " jobs need " + cores(requiredCpu) + " CPU and " + Quantities.bytes(requiredMemory)
                            + "; " + nodes.size() + " node(s) offer " + cores(cpu) + " CPU and "
                            + Quantities.bytes(memory)), status);
        }
        List<String> shortOf = new ArrayList<>();
        if (fitCpu < t.concurrency()) {
            shortOf.add(t.concurrency() + " jobs x " + cores(jobCpu) + " CPU need " + cores(requiredCpu) + " CPU; "
                    + nodes.size() + " node(s) offer " + cores(cpu));
        }
        if (fitMemory < t.concurrency()) {
            shortOf.add(t.concurrency() + " jobs x " + Quantities.bytes(jobMemory) + " need "
                    + Quantities.bytes(requiredMemory) + "; the nodes offer " + Quantities.bytes(memory));
        }
        if (fitEphemeral < t.concurrency()) {
            shortOf.add(t.concurrency() + " jobs x " + Quantities.bytes(jobEphemeral) + " ephemeral storage need "
                    + Quantities.bytes(jobEphemeral.multiply(BigDecimal.valueOf(t.concurrency())))
                    + "; the nodes offer " + Quantities.bytes(ephemeral));
        }
        return Map.entry(Conditions.of(Conditions.CAPACITY_SUFFICIENT, false, "InsufficientCapacity",
                String.join("; ", shortOf) + " — at most " + Math.max(0, fits) + " jobs fit; add nodes or lower "
                        + "spec.concurrency"), status);
    }

    /**
     * With runner shapes: every shape's full concurrency at its maximum requests, together. Jobs that fit are counted
     * shape by shape in their order (the main runner first), each shape up to its concurrency.
     */
    private static Map.Entry<Condition, CapacityStatus> shapesCapacity(ResolvedTenant t, int nodeCount,
                                                                     BigDecimal cpu, BigDecimal memory,
                                                                     BigDecimal ephemeral) {
        RunnerDeploymentShare manager = new RunnerDeploymentShare(t.escapeHatch().manager());
        BigDecimal[] left = {cpu.subtract(manager.cpu), memory.subtract(manager.memory),
                ephemeral.subtract(manager.ephemeral)};
        BigDecimal[] required = {manager.cpu, manager.memory, manager.ephemeral};
        int fits = 0;
        List<String> perShape = new ArrayList<>();
        for (ResolvedTenant.Shape shape : t.allShapes()) {
            BigDecimal[] perJob = {
                    Quantities.amount(shape.jobMax().cpuRequest()).add(Quantities.amount(t.helper().cpuRequest())),
                    Quantities.amount(shape.jobMax().memoryRequest())
                            .add(Quantities.amount(t.helper().memoryRequest())),
                    Quantities.amount(shape.jobMax().ephemeralStorageRequest())
                            .add(Quantities.amount(t.helper().ephemeralStorageRequest()))};
            int n = shape.concurrency();
            for (int r = 0; r < 3; r++) {
                n = Math.min(n, fit(left[r], perJob[r]));
                required[r] = required[r].add(perJob[r].multiply(BigDecimal.valueOf(shape.concurrency())));
            }
            for (int r = 0; r < 3; r++) {
                left[r] = left[r].subtract(perJob[r].multiply(BigDecimal.valueOf(Math.max(0, n))));
            }
            fits += Math.max(0, n);
            perShape.add((shape.main() ? "main" : shape.name()) + " " + shape.concurrency() + " x " + cores(perJob[0])
                    + " CPU, " + Quantities.bytes(perJob[1]));
        }
        CapacityStatus status = new CapacityStatus(nodeCount, Quantities.cpu(cpu).toString(),
                Quantities.cpu(required[0]).toString(), Quantities.bytes(memory).toString(),
                Quantities.bytes(required[1]).toString(), fits);
        String need = t.totalConcurrency() + " jobs (" + String.join(", ", perShape) + ") need " + cores(required[0])
                + " CPU, " + Quantities.bytes(required[1]) + " and " + Quantities.bytes(required[2])
                + " ephemeral storage; " + nodeCount + " node(s) offer " + cores(cpu) + " CPU, "
                + Quantities.bytes(memory) + " and " + Quantities.bytes(ephemeral);
        boolean enough = required[0].compareTo(cpu) <= 0 && required[1].compareTo(memory) <= 0
                && required[2].compareTo(ephemeral) <= 0;
        return enough
                ? Map.entry(Conditions.of(Conditions.CAPACITY_SUFFICIENT, true, "CapacityFits", need), status)
                : Map.entry(Conditions.of(Conditions.CAPACITY_SUFFICIENT, false, "InsufficientCapacity", need
                        + " — at most " + fits + " jobs fit; add nodes or lower the shapes' concurrency"), status);
    }

    /** The manager pod's requests, which share the tenant's nodes with the jobs. */
    private record RunnerDeploymentShare(BigDecimal cpu, BigDecimal memory, BigDecimal ephemeral) {
        RunnerDeploymentShare(ResolvedTenant.Resources manager) {
            this(Quantities.amount(manager.cpuRequest()), Quantities.amount(manager.memoryRequest()),
                    Quantities.amount(manager.ephemeralStorageRequest()));
        }
    }

    private static int fit(BigDecimal available, BigDecimal perJob) {
        if (available.signum() <= 0) {
            return 0;
        }
        return available.divide(perJob, 0, RoundingMode.FLOOR).min(BigDecimal.valueOf(Integer.MAX_VALUE)).intValue();
    }

    private static String cores(BigDecimal cores) {
        return cores.stripTrailingZeros().toPlainString();
    }

    private static BigDecimal amount(Quantity q) {
        return q == null ? BigDecimal.ZERO : Quantities.amount(q);
    }

    private static boolean isReady(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The node carries a NoSchedule/NoExecute taint that the tenant's tolerations, and so only its pods, tolerate. */
    private static boolean reservedFor(Node node, List<Toleration> tolerations) {
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints();
        return taints.stream().filter(taint -> !"PreferNoSchedule".equals(taint.getEffect()))
                .anyMatch(taint -> tolerations.stream().anyMatch(tol -> tolerates(tol, taint)));
    }

    private static boolean tolerates(Toleration tol, Taint taint) {
        if (tol.getKey() == null || !tol.getKey().equals(taint.getKey())) {
            return false;
        }
        if (tol.getEffect() != null && !tol.getEffect().isEmpty() && !tol.getEffect().equals(taint.getEffect())) {
            return false;
        }
        return "Exists".equals(tol.getOperator()) || java.util.Objects.equals(tol.getValue(), taint.getValue());
    }

    private static String selectorText(ResolvedTenant t) {
        return t.nodeSelector().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    private static String taintText(ResolvedTenant t) {
        return t.tolerations().stream().map(tol -> tol.getKey() + ("Exists".equals(tol.getOperator()) ? ""
                : "=" + tol.getValue()) + ":" + (tol.getEffect() == null ? "NoSchedule" : tol.getEffect()))
                .collect(Collectors.joining(" "));
    }
}
