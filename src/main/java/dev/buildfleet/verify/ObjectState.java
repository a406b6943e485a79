package dev.buildfleet.verify;

import dev.buildfleet.model.ResolvedTenant;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/** One desired object, its live counterpart (null when missing) and the fields in which they differ. */
public record ObjectState(HasMetadata desired, HasMetadata live, List<FieldDifference> differences) {

    public ObjectState {
        differences = List.copyOf(differences);
    }

    public boolean missing() {
        return live == null;
    }

    public boolean changed() {
        return live != null && !differences.isEmpty();
    }

    /** Each object render writes for the tenant, compared with what the cluster holds. */
    public static List<ObjectState> of(ResolvedTenant tenant, LiveObjects live) {
        return DesiredObjects.of(tenant).stream().map(desired -> {
            HasMetadata actual = live.get(desired);
            return new ObjectState(desired, actual, actual == null ? List.of()
                    : FieldDiff.between(LiveObjects.tree(desired), LiveObjects.tree(actual)));
        }).toList();
    }
}
