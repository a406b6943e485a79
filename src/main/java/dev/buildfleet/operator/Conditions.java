package dev.buildfleet.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Standard Kubernetes conditions; a condition keeps its lastTransitionTime while its status does not change. */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String NODES_READY = "NodesReady";
    public static final String CAPACITY_SUFFICIENT = "CapacitySufficient";

    private Conditions() {
    }

    public static Condition of(String type, boolean status, String reason, String message) {
        return new ConditionBuilder().withType(type).withStatus(status ? "True" : "False").withReason(reason)
                .withMessage(message).build();
    }

    /**
     * The new condition list: each wanted condition with observedGeneration set, and the previous transition time
     * when its status is unchanged (so a resync does not look like a change).
     */
    public static List<Condition> merge(List<Condition> previous, List<Condition> wanted, long generation, Instant now) {
        List<Condition> merged = new ArrayList<>();
        for (Condition w : wanted) {
            Condition old = find(previous, w.getType());
            String transition = old != null && Objects.equals(old.getStatus(), w.getStatus())
                    && old.getLastTransitionTime() != null
                    ? old.getLastTransitionTime() : now.truncatedTo(ChronoUnit.SECONDS).toString();
            merged.add(new ConditionBuilder(w).withObservedGeneration(generation).withLastTransitionTime(transition)
                    .build());
        }
        return merged;
    }

    public static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        Condition c = find(conditions, type);
        return c != null && "True".equals(c.getStatus());
    }
}
