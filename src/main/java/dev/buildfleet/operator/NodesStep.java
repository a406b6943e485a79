package dev.buildfleet.operator;

/** Whether the tenant's nodes exist, are ready and hold its job slots: NodesReady, CapacitySufficient, capacity. */
final class NodesStep implements TenantStep {
    @Override
    public StepResult run(Observation observed) {
        NodeAssessment assessed = NodeAssessment.of(observed.resolved(), observed.nodes(), observed.neighbours());
        return StepResult.of(assessed.nodesReady(), assessed.capacitySufficient())
                .withStatus(s -> s.withCapacity(assessed.capacity()));
    }
}
