package dev.buildfleet.verify;

import java.util.List;

/**
 * One object plan would have applied: created (render writes it, the cluster lacks it), changed (with the fields the
 * model sets that differ) or pruned (labelled managed by buildfleet for the tenant, no longer rendered).
 */
public record PlannedChange(Action action, String object, List<FieldDifference> fields, String reason) {
    public enum Action { CREATE, CHANGE, PRUNE }

    public PlannedChange {
        fields = List.copyOf(fields);
    }
}
