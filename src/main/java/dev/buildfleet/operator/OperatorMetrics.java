package dev.buildfleet.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The operator's own Prometheus metrics: reconciles, errors, durations, writes and tenants by readiness. */
public class OperatorMetrics {
    private final MeterRegistry registry;
    private final Map<String, Boolean> readyByTenant = new ConcurrentHashMap<>();

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("buildfleet_tenants", readyByTenant, m -> m.values().stream().filter(b -> b).count())
                .description("BuildTenants by Ready condition").tag("ready", "true").register(registry);
        Gauge.builder("buildfleet_tenants", readyByTenant, m -> m.values().stream().filter(b -> !b).count())
                .description("BuildTenants by Ready condition").tag("ready", "false").register(registry);
    }

    public void reconciled(String tenant, boolean ready, int writes, long nanos) {
        readyByTenant.put(tenant, ready);
        Timer.builder("buildfleet_reconcile_duration").description("Time to reconcile one tenant")
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
        Counter.builder("buildfleet_reconciles").description("Reconciles finished").register(registry).increment();
        Counter.builder("buildfleet_object_writes").description("Objects created or updated")
                .register(registry).increment(writes);
    }

    public void failed(String tenant) {
        Counter.builder("buildfleet_reconcile_errors").description("Reconciles that failed and will be retried")
                .register(registry).increment();
    }

    public void forget(String tenant) {
        readyByTenant.remove(tenant);
    }
}
