package dev.buildfleet.operator;

import dev.buildfleet.Fixtures;
import dev.buildfleet.model.ResolvedTenant;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NodeAssessmentTest {
    final ResolvedTenant java = Fixtures.resolved("java");

    static Node node(String name, Map<String, String> labels, String taintValue, boolean ready, String cpu) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withAllocatable(Map.of("cpu", new Quantity(cpu), "memory", new Quantity("256Gi"),
                        "ephemeral-storage", new Quantity("2Ti")))
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus();
        if (taintValue != null) {
            b.editSpec().addNewTaint().withKey("buildfleet.dev/tenant").withValue(taintValue).withEffect("NoSchedule")
                    .endTaint().endSpec();
        }
        return b.build();
    }

    @Test
    void nodeCarryingTwoTenantsLabelsIsReported() {
        Node shared = node("w1", Map.of("buildfleet.dev/tenant", "java", "pool", "dotnet"), "java", true, "64");
        var result = NodeAssessment.of(java, List.of(shared), Map.of("dotnet", Map.of("pool", "dotnet")));
        assertThat(result.nodesReady().getStatus()).isEqualTo("False");
        assertThat(result.nodesReady().getReason()).isEqualTo("NodeSharedWithAnotherTenant");
        assertThat(result.nodesReady().getMessage()).contains("w1 (also dotnet)");
    }

    @Test
    void taintOfAnotherTenantDoesNotReserveTheNode() {
        Node wrongTaint = node("w1", Map.of("buildfleet.dev/tenant", "java"), "dotnet", true, "64");
        var result = NodeAssessment.of(java, List.of(wrongTaint), Map.of());
        assertThat(result.nodesReady().getReason()).isEqualTo("NodeNotTainted");
    }

    @Test
    void onlyNodesMatchingTheSelectorCount() {
        Node mine = node("w1", Map.of("buildfleet.dev/tenant", "java"), "java", true, "64");
        Node theirs = node("w2", Map.of("buildfleet.dev/tenant", "dotnet"), "dotnet", true, "64");
        var result = NodeAssessment.of(java, List.of(mine, theirs), Map.of("dotnet",
                Map.of("buildfleet.dev/tenant", "dotnet")));
        assertThat(result.nodesReady().getStatus()).isEqualTo("True");
        assertThat(result.capacity().nodes()).isEqualTo(1);
        assertThat(result.capacity().allocatableCpu()).isEqualTo("64");
        // (64 - 0.1 manager) / 1.2 per job = 53 jobs fit
        assertThat(result.capacity().maxConcurrentJobs()).isEqualTo(53);
        assertThat(result.capacitySufficient().getStatus()).isEqualTo("True");
    }

    @Test
    void capacityIsJudgedAtTheMostAJobMayRequest() {
        ResolvedTenant raisable = Fixtures.resolvedWith("java", root -> Fixtures.tenantSpec(root, 0)
                .putObject("jobResources").putObject("cpu").put("maxRequest", "3").put("maxLimit", "4"));
        Node mine = node("w1", Map.of("buildfleet.dev/tenant", "java"), "java", true, "64");
        // 20 default jobs (1.2 CPU each) fit on 64 CPUs; 20 jobs at their 3-CPU maximum (3.2 each) do not.
        assertThat(NodeAssessment.of(java, List.of(mine), Map.of()).capacitySufficient().getStatus())
                .isEqualTo("True");
        var result = NodeAssessment.of(raisable, List.of(mine), Map.of());
        assertThat(result.capacity().maxConcurrentJobs()).isEqualTo(19);
        assertThat(result.capacitySufficient().getStatus()).isEqualTo("False");
        assertThat(result.capacitySufficient().getMessage()).contains("20 jobs x 3.2 CPU");
    }

    @Test
    void allNodesNotReadyIsReported() {
        Node down = node("w1", Map.of("buildfleet.dev/tenant", "java"), "java", false, "64");
        var result = NodeAssessment.of(java, List.of(down), Map.of());
        assertThat(result.nodesReady().getReason()).isEqualTo("NodesNotReady");
    }

    @Test
    void conditionKeepsItsTransitionTimeWhileItsStatusHolds() {
        var t0 = Instant.parse("2026-11-23T10:00:00Z");
        var first = Conditions.merge(null, List.of(Conditions.of("Ready", false, "A", "a")), 1, t0);
        var same = Conditions.merge(first, List.of(Conditions.of("Ready", false, "B", "b")), 2,
                t0.plusSeconds(60));
        var flipped = Conditions.merge(same, List.of(Conditions.of("Ready", true, "C", "c")), 2,
                t0.plusSeconds(120));
        assertThat(same.get(0).getLastTransitionTime()).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(same.get(0).getObservedGeneration()).isEqualTo(2L);
        assertThat(flipped.get(0).getLastTransitionTime()).isEqualTo("2026-11-23T10:02:00Z");
    }
}
