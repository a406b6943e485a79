package dev.buildfleet.model;

import java.math.BigDecimal;

/**
 * What the tenant needs at full concurrency: each job pod is a build container plus gitlab-runner's helper
 * container, and the namespace also runs the runner manager, the cache registry and, during cache expiry, one
 * garbage-collection Job pod. A few spare job slots cover pods still terminating while their successors start, so a
 * busy runner is not refused by its own quota. Jobs are counted at the most they may ask for ({@code jobMax}), so
 * that 20 jobs that all raise their size still fit.
 */
public record BuildCapacity(int jobs, int spareJobs, int pods,
                            BigDecimal cpuRequests, BigDecimal cpuLimits,
                            BigDecimal memoryRequests, BigDecimal memoryLimits,
                            BigDecimal ephemeralStorageRequests, BigDecimal ephemeralStorageLimits) {

    /** Infrastructure pods: the runner manager, the cache registry and the cache garbage collector. */
    static final int INFRASTRUCTURE_PODS = 3;

    public static BuildCapacity of(ResolvedTenant t) {
        int spare = Math.max(1, (t.concurrency() + 9) / 10);
        int slots = t.concurrency() + spare;
        ResolvedTenant.Resources job = t.jobMax();
        ResolvedTenant.Resources helper = t.helper();
        ResolvedTenant.Resources manager = t.escapeHatch().manager();
        ResolvedTenant.Resources registry = CacheRegistryDeployment.RESOURCES;
        ResolvedTenant.Resources gc = CacheGarbageCollectJob.RESOURCES;
        return new BuildCapacity(t.concurrency(), spare, slots + INFRASTRUCTURE_PODS,
                sum(slots, job.cpuRequest(), helper.cpuRequest())
                        .add(infra(manager.cpuRequest(), registry.cpuRequest(), gc.cpuRequest())),
                sum(slots, job.cpuLimit(), helper.cpuLimit()).add(infra(manager.cpuLimit(), registry.cpuLimit(), gc.cpuLimit())),
                sum(slots, job.memoryRequest(), helper.memoryRequest())
                        .add(infra(manager.memoryRequest(), registry.memoryRequest(), gc.memoryRequest())),
                sum(slots, job.memoryLimit(), helper.memoryLimit())
                        .add(infra(manager.memoryLimit(), registry.memoryLimit(), gc.memoryLimit())),
                sum(slots, job.ephemeralStorageRequest(), helper.ephemeralStorageRequest())
                        .add(infra(manager.ephemeralStorageRequest(), registry.ephemeralStorageRequest(), gc.ephemeralStorageRequest())),
                sum(slots, job.ephemeralStorageLimit(), helper.ephemeralStorageLimit())
                        .add(infra(manager.ephemeralStorageLimit(), registry.ephemeralStorageLimit(), gc.ephemeralStorageLimit())));
    }

    private static BigDecimal infra(io.fabric8.kubernetes.api.model.Quantity... pods) {
        BigDecimal total = BigDecimal.ZERO;
        for (var pod : pods) {
            total = total.add(Quantities.amount(pod));
        }
        return total;
    }

    private static BigDecimal sum(int n, io.fabric8.kubernetes.api.model.Quantity build,
                                  io.fabric8.kubernetes.api.model.Quantity helper) {
        return Quantities.times(build, n).add(Quantities.times(helper, n));
    }
}
