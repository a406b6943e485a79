package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenantStatus;
import dev.buildfleet.api.StorageStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The operator's own Prometheus metrics: reconciles, errors, durations, writes, tenants by readiness, and the
 * per-tenant gauges the alerts of TenantPrometheusRule use.
 */
public class OperatorMetrics {
    private final MeterRegistry registry;
    static final String TENANT_READY = "buildfleet_tenant_ready";
    static final String STORAGE_USED = "buildfleet_tenant_storage_used_bytes";
    static final String STORAGE_QUOTA = "buildfleet_tenant_storage_quota_bytes";
    static final String TOKEN_EXPIRY = "buildfleet_tenant_runner_token_expiry_timestamp_seconds";
    static final String CACHE_READY = "buildfleet_tenant_cache_ready";
    private final Map<String, Boolean> readyByTenant = new ConcurrentHashMap<>();
    private final Map<String, TenantGauges> gauges = new ConcurrentHashMap<>();

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
                .tag("tenant", tenant).register(registry).increment();
    }

    /**
     * Per-tenant gauges from the status just computed: buildfleet_tenant_ready, ..._storage_used_bytes,
     * ..._storage_quota_bytes (only with a quota), ..._runner_token_expiry_timestamp_seconds (only when the status
     * has tokenExpiresAt), ..._cache_ready (only once CacheReady is known). The alerts in TenantPrometheusRule use
     * exactly these names.
     */
    public void tenantStatus(String tenant, BuildTenantStatus status) {
        TenantGauges g = gauges.computeIfAbsent(tenant, t -> new TenantGauges());
        boolean ready = status != null && Conditions.isTrue(status.conditions(), Conditions.READY);
        g.set(registry, tenant, TENANT_READY, "1 when the tenant's Ready condition is True", ready ? 1.0 : 0.0);
        StorageStatus storage = status == null ? null : status.storage();
        g.set(registry, tenant, STORAGE_USED, "Bytes in the tenant's cache bucket as last read from RGW",
                storage == null || storage.usedBytes() == null ? null : storage.usedBytes().doubleValue());
        g.set(registry, tenant, STORAGE_QUOTA, "The tenant's RGW quota in bytes",
                storage == null || storage.quotaBytes() == null || storage.quotaBytes() <= 0 ? null
                        : storage.quotaBytes().doubleValue());
        g.set(registry, tenant, TOKEN_EXPIRY, "When the tenant's GitLab runner token expires, Unix seconds",
                status == null ? null : epochSeconds(status.tokenExpiresAt()));
        var cache = status == null ? null : Conditions.find(status.conditions(), CacheStep.CACHE_READY);
        g.set(registry, tenant, CACHE_READY, "1 when the tenant's CacheReady condition is True (cache expiry works)",
                cache == null ? null : "True".equals(cache.getStatus()) ? 1.0 : 0.0);
    }

    public void forget(String tenant) {
        readyByTenant.remove(tenant);
        TenantGauges g = gauges.remove(tenant);
        if (g != null) {
            g.removeAll(registry);
        }
        registry.find("buildfleet_reconcile_errors").tag("tenant", tenant).meters().forEach(registry::remove);
    }

    private static Double epochSeconds(String timestamp) {
        if (timestamp == null || timestamp.isBlank()) {
            return null;
        }
        try {
            return (double) OffsetDateTime.parse(timestamp).toEpochSecond();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** One tenant's gauges; a gauge exists only while it has a value, so an unknown value is absent, not 0. */
    private static final class TenantGauges {
        private final Map<String, AtomicReference<Double>> values = new ConcurrentHashMap<>();
        private final Map<String, Gauge> meters = new ConcurrentHashMap<>();

        void set(MeterRegistry registry, String tenant, String name, String description, Double value) {
            if (value == null) {
                Gauge gauge = meters.remove(name);
                values.remove(name);
                if (gauge != null) {
                    registry.remove(gauge);
                }
                return;
            }
            AtomicReference<Double> ref = values.computeIfAbsent(name, n -> new AtomicReference<>(value));
            ref.set(value);
            meters.computeIfAbsent(name, n -> Gauge.builder(n, ref, r -> r.get()).description(description)
                    .tag("tenant", tenant).register(registry));
        }

        void removeAll(MeterRegistry registry) {
            meters.values().forEach(registry::remove);
            meters.clear();
            values.clear();
        }
    }
}
