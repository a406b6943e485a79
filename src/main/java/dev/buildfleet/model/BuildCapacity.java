package dev.buildfleet.model;

import java.math.BigDecimal;

/**
 * What the tenant needs at full concurrency: each job pod is a build container plus gitlab-runner's helper
 * container, and the namespace also runs the runner manager, the cache registry and, during cache expiry, one
 * garbage-collection Job pod. A few spare job slots cover pods still terminating while their successors start, so a
 * busy runner is not refused by its own quota. Jobs are counted at the most they may ask for ({@code jobMax}), so
 * that 20 jobs that all raise their size still fit, and each runner shape with its own concurrency, size and spare
 * slots.
 */
public record BuildCapacity(int jobs, int spareJobs, int pods,
                            BigDecimal cpuRequests, BigDecimal cpuLimits,
                            BigDecimal memoryRequests, BigDecimal memoryLimits,
                            BigDecimal ephemeralStorageRequests, BigDecimal ephemeralStorageLimits) {

    /** Infrastructure pods: the runner manager, the cache registry and the cache garbage collector. */
    static final int INFRASTRUCTURE_PODS = 3;

    public static BuildCapacity of(ResolvedTenant t) {
        int jobs = 0;
        int spare = 0;
        BigDecimal[] sums = new BigDecimal[6];
        java.util.Arrays.fill(sums, BigDecimal.ZERO);
        ResolvedTenant.Resources helper = t.helper();
        for (ResolvedTenant.Shape shape : t.allShapes()) {
            int shapeSpare = Math.max(1, (shape.concurrency() + 9) / 10);
            int slots = shape.concurrency() + shapeSpare;
            jobs += shape.concurrency();
            spare += shapeSpare;
            ResolvedTenant.Resources job = shape.jobMax();
            sums[0] = sums[0].add(sum(slots, job.cpuRequest(), helper.cpuRequest()));
            sums[1] = sums[1].add(sum(slots, job.cpuLimit(), helper.cpuLimit()));
            sums[2] = sums[2].add(sum(slots, job.memoryRequest(), helper.memoryRequest()));
            sums[3] = sums[3].add(sum(slots, job.memoryLimit(), helper.memoryLimit()));
            sums[4] = sums[4].add(sum(slots, job.ephemeralStorageRequest(), helper.ephemeralStorageRequest()));
            sums[5] = sums[5].add(sum(slots, job.ephemeralStorageLimit(), helper.ephemeralStorageLimit()));
        }
        ResolvedTenant.Resources manager = t.escapeHatch().manager();
        ResolvedTenant.Resources registry = CacheRegistryDeployment.RESOURCES;
        ResolvedTenant.Resources gc = CacheGarbageCollectJob.RESOURCES;
        return new BuildCapacity(jobs, spare, jobs + spare + INFRASTRUCTURE_PODS,
                sums[0].add(infra(manager.cpuRequest(), registry.cpuRequest(), gc.cpuRequest())),
                sums[1].add(infra(manager.cpuLimit(), registry.cpuLimit(), gc.cpuLimit())),
                sums[2].add(infra(manager.memoryRequest(), registry.memoryRequest(), gc.memoryRequest())),
                sums[3].add(infra(manager.memoryLimit(), registry.memoryLimit(), gc.memoryLimit())),
                sums[4].add(infra(manager.ephemeralStorageRequest(), registry.ephemeralStorageRequest(),
                        gc.ephemeralStorageRequest())),
                sums[5].add(infra(manager.ephemeralStorageLimit(), registry.ephemeralStorageLimit(),
                        gc.ephemeralStorageLimit())));
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
