package dev.buildfleet.operator;

import dev.buildfleet.model.TenantObjects;

/**
 * The objects the model builds for the tenant, with the same builders as {@code buildfleet render}; those of
 * prometheus-operator's kinds come from {@link MonitoringStep}, which knows whether the cluster has their CRDs.
 */
final class ModelObjectsStep implements TenantStep {
    @Override
    public StepResult run(Observation observed) {
        return StepResult.NOTHING.withObjects(TenantObjects.build(observed.resolved()).stream()
                .filter(o -> !MonitoringStep.needsCrd(o)).toList());
    }
}
