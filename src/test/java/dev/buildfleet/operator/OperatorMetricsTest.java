package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenantStatus;
import dev.buildfleet.api.StorageStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The names in the Prometheus output are exactly the ones the alerts use (Micrometer adds suffixes itself). */
class OperatorMetricsTest {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final OperatorMetrics metrics = new OperatorMetrics(registry);

    static BuildTenantStatus status(boolean ready, StorageStatus storage, String tokenExpiresAt) {
        return new BuildTenantStatus(1L, List.of(Conditions.of(Conditions.READY, ready, "R", "m")), "bf-java", null,
                tokenExpiresAt, null, null, storage, null);
    }

    @Test
    void perTenantGaugesCarryTheAlertsNamesAndGoWithTheTenant() {
        metrics.reconciled("java", true, 0, 1_000_000);
        metrics.tenantStatus("java", status(true, new StorageStatus(900L, 3L, 1000L, 10L, "AK", null, null),
                "2026-12-01T00:00:00Z"));
        metrics.failed("java");
        metrics.tenantStatus("dotnet", status(false, null, null));
        String scrape = registry.scrape();
        assertThat(scrape).contains("buildfleet_tenant_ready{tenant=\"java\"} 1.0",
                "buildfleet_tenant_ready{tenant=\"dotnet\"} 0.0",
                "buildfleet_tenant_storage_used_bytes{tenant=\"java\"} 900.0",
                "buildfleet_tenant_storage_quota_bytes{tenant=\"java\"} 1000.0",
                "buildfleet_tenant_runner_token_expiry_timestamp_seconds{tenant=\"java\"} 1.7960832E9",
                "buildfleet_reconcile_errors_total{tenant=\"java\"} 1.0",
                // existing names keep working
                "buildfleet_reconciles_total", "buildfleet_reconcile_duration_seconds_count",
                "buildfleet_object_writes_total", "buildfleet_tenants{ready=\"true\"} 1.0");
        // Unknown values are absent, not 0 (0 would fire the quota and token alerts).
        assertThat(scrape).doesNotContain("buildfleet_tenant_storage_used_bytes{tenant=\"dotnet\"}",
                "buildfleet_tenant_runner_token_expiry_timestamp_seconds{tenant=\"dotnet\"}");

        metrics.forget("java");
        assertThat(registry.scrape()).doesNotContain("tenant=\"java\"")
                .contains("buildfleet_tenant_ready{tenant=\"dotnet\"}");
    }
}
