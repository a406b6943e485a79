package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenantStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What one step of a reconcile wants.
 *
 * @param conditions its conditions, in the order the status shows them
 * @param objects    the objects it adds to the tenant's desired objects
 * @param adjust     applied to every desired object, the other steps' too: how the step shapes them (e.g. the
 *                   annotation on a pod template that rolls the pods when its key changes); may return a new object
 * @param events     what happened, for the tenant's Events
 * @param status     its part of the tenant's status, applied to the status being built
 * @param recheckIn  when it wants to look again even if nothing changes, or null
 */
record StepResult(List<Condition> conditions, List<HasMetadata> objects, UnaryOperator<HasMetadata> adjust,
                  List<TenantEvent> events, UnaryOperator<BuildTenantStatus> status, Duration recheckIn) {
    static final StepResult NOTHING = new StepResult(List.of(), List.of(), UnaryOperator.identity(), List.of(),
            UnaryOperator.identity(), null);

    static StepResult of(Condition... conditions) {
        return NOTHING.withConditions(List.of(conditions));
    }

    StepResult withConditions(List<Condition> more) {
        return new StepResult(concat(conditions, more), objects, adjust, events, status, recheckIn);
    }

    StepResult withObjects(List<? extends HasMetadata> more) {
        return new StepResult(conditions, concat(objects, more), adjust, events, status, recheckIn);
    }

    StepResult withAdjust(UnaryOperator<HasMetadata> next) {
        UnaryOperator<HasMetadata> first = adjust;
        return new StepResult(conditions, objects, o -> next.apply(first.apply(o)), events, status, recheckIn);
    }

    StepResult withEvents(List<TenantEvent> more) {
        return new StepResult(conditions, objects, adjust, concat(events, more), status, recheckIn);
    }

    StepResult withStatus(UnaryOperator<BuildTenantStatus> next) {
        UnaryOperator<BuildTenantStatus> first = status;
        return new StepResult(conditions, objects, adjust, events, s -> next.apply(first.apply(s)), recheckIn);
    }

    /** Keeps the sooner of this and an earlier wish. */
    StepResult recheckIn(Duration after) {
        Duration sooner = recheckIn == null || after.compareTo(recheckIn) < 0 ? after : recheckIn;
        return new StepResult(conditions, objects, adjust, events, status, sooner);
    }

    private static <T> List<T> concat(List<T> first, List<? extends T> second) {
        if (second.isEmpty()) {
            return first;
        }
        List<T> out = new ArrayList<>(first.size() + second.size());
        out.addAll(first);
        out.addAll(second);
        return List.copyOf(out);
    }
}
