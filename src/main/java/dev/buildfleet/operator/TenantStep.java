package dev.buildfleet.operator;

/**
 * One concern of a tenant's reconcile (its storage, its runners, its cache, ...). The reconciler hands each step what
 * it observed of the tenant and runs them in order; a step acts on its own integration (RGW, GitLab, the cache
 * registry) and answers with the objects it wants, its conditions, its events and its part of the status. No step
 * writes Kubernetes objects or the status itself.
 */
interface TenantStep {
    StepResult run(Observation observed);

    /** The tenant is gone: drop what the step remembers of it. */
    default void forget(String tenant) {
    }
}
