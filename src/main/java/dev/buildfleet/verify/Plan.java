package dev.buildfleet.verify;

import java.util.List;

/** What applying the rendered fleet would do to the cluster, per tenant; nothing of it has been done. */
public record Plan(List<TenantPlan> tenants) {
    /** terraform plan -detailed-exitcode: 0 nothing to do, 2 changes (1 is an error, decided by the command). */
    public static final int NO_CHANGES = 0;
    public static final int CHANGES = 2;

    public record TenantPlan(String tenant, String namespace, List<PlannedChange> changes) {
        public TenantPlan {
            changes = List.copyOf(changes);
        }
    }

    public Plan {
        tenants = List.copyOf(tenants);
    }

    public long count(PlannedChange.Action action) {
        return tenants.stream().flatMap(t -> t.changes().stream()).filter(c -> c.action() == action).count();
    }

    public int exitCode() {
        return tenants.stream().allMatch(t -> t.changes().isEmpty()) ? NO_CHANGES : CHANGES;
    }
}
