package dev.buildfleet.model;

import java.math.BigDecimal;

/**
 * What the tenant needs at full concurrency: each job pod is a build container plus gitlab-runner's helper
 * container, and the namespace also runs the runner manager. A few spare job slots cover pods still terminating
 * while their successors start, so a busy runner is not refused by its own quota.
 */
public record BuildCapacity(int jobs, int spareJobs, int pods,
                            BigDecimal cpuRequests, BigDecimal cpuLimits,
                            BigDecimal memoryRequests, BigDecimal memoryLimits,
                            BigDecimal ephemeralStorageRequests, BigDecimal ephemeralStorageLimits) {

    /** Infrastructure pods: the runner manager. */
    static final int INFRASTRUCTURE_PODS = 1;

    public static BuildCapacity of(ResolvedTenant t) {
        int spare = Math.max(1, (t.concurrency() + 9) / 10);
        int slots = t.concurrency() + spare;
        ResolvedTenant.Resources job = t.job();
        ResolvedTenant.Resources helper = t.helper();
        ResolvedTenant.Resources manager = RunnerDeployment.MANAGER_RESOURCES;
        return new BuildCapacity(t.concurrency(), spare, slots + INFRASTRUCTURE_PODS,
                sum(slots, job.cpuRequest(), helper.cpuRequest()).add(Quantities.amount(manager.cpuRequest())),
                sum(slots, job.cpuLimit(), helper.cpuLimit()).add(Quantities.amount(manager.cpuLimit())),
                sum(slots, job.memoryRequest(), helper.memoryRequest()).add(Quantities.amount(manager.memoryRequest())),
                sum(slots, job.memoryLimit(), helper.memoryLimit()).add(Quantities.amount(manager.memoryLimit())),
                sum(slots, job.ephemeralStorageRequest(), helper.ephemeralStorageRequest())
                        .add(Quantities.amount(manager.ephemeralStorageRequest())),
                sum(slots, job.ephemeralStorageLimit(), helper.ephemeralStorageLimit())
                        .add(Quantities.amount(manager.ephemeralStorageLimit())));
    }

    private static BigDecimal sum(int n, io.fabric8.kubernetes.api.model.Quantity build,
                                  io.fabric8.kubernetes.api.model.Quantity helper) {
        return Quantities.times(build, n).add(Quantities.times(helper, n));
    }
}
