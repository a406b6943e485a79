package dev.buildfleet.model;

import dev.buildfleet.config.Defaults;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * prometheus-operator PrometheusRule with the tenant's alerts. Every expression is scoped to {@code tenant="NAME"}:
 * the runner's series get that label from {@link RunnerServiceMonitor}, the operator's own per-tenant series carry
 * it natively. gitlab-runner metric names are the ones its Go source registers (commands/builds_helper.go,
 * helpers/prometheus/failures_collector.go, network/api_requests_collector.go); there is no
 * gitlab_runner_jobs_running_total.
 */
public final class TenantPrometheusRule {
    public static final String API_VERSION = "monitoring.coreos.com/v1";
    public static final String KIND = "PrometheusRule";
    public static final String NAME = "buildfleet-alerts";

    /** One alert; {@code runbook} is the section anchor in docs/runbooks.md. */
    public record Alert(String name, String expr, String forDuration, String severity, String summary,
                        String description, String runbook) {
    }

    private TenantPrometheusRule() {
    }

    public static List<Alert> alerts(ResolvedTenant t) {
        String sel = "tenant=\"" + t.name() + "\"";
        String job = Names.RUNNER_METRICS_SERVICE;
        int concurrency = t.concurrency();
        return List.of(
                new Alert("BuildfleetRunnerDown",
                        "up{job=\"" + job + "\"," + sel + "} == 0",
                        "5m", "critical",
                        "GitLab runner of tenant {{ $labels.tenant }} is down",
                        "Prometheus cannot scrape the gitlab-runner manager of tenant {{ $labels.tenant }} "
                                + "(namespace " + t.namespace() + ") for 5 minutes: no CI job of this tenant is picked up.",
                        "runner-down"),
                new Alert("BuildfleetRunnerSaturated",
                        "sum by (tenant) (gitlab_runner_jobs{" + sel + "})\n  >= 0.9 * sum by (tenant) "
                                + "(gitlab_runner_concurrent{" + sel + "})",
                        "15m", "warning",
                        "GitLab runner of tenant {{ $labels.tenant }} is saturated",
                        "Tenant {{ $labels.tenant }} runs at least 90% of its " + concurrency
                                + " job slots for 15 minutes; further jobs queue in GitLab.",
                        "runner-saturated"),
                new Alert("BuildfleetJobFailureRatioHigh",
                        "sum by (tenant) (rate(gitlab_runner_failed_jobs_total{" + sel
                                + ",failure_reason!=\"script_failure\"}[30m]))\n  / sum by (tenant) "
                                + "(rate(gitlab_runner_jobs_total{" + sel + "}[30m])) > 0.2",
                        "15m", "warning",
                        "Many CI jobs of tenant {{ $labels.tenant }} fail for non-script reasons",
                        "{{ $value | humanizePercentage }} of the jobs of tenant {{ $labels.tenant }} failed in the "
                                + "last 30 minutes for a reason other than the job's own script (system, runner, "
                                + "image pull, timeout).",
                        "job-failure-ratio-high"),
                new Alert("BuildfleetRunnerApiErrors",
                        "sum by (tenant) (rate(gitlab_runner_api_request_statuses_total{" + sel
                                + ",status!~\"2..\"}[10m]))\n  / sum by (tenant) "
                                + "(rate(gitlab_runner_api_request_statuses_total{" + sel + "}[10m])) > 0.1",
                        "15m", "warning",
                        "GitLab API requests of tenant {{ $labels.tenant }}'s runner fail",
                        "{{ $value | humanizePercentage }} of the requests from the runner of tenant "
                                + "{{ $labels.tenant }} to GitLab got a non-2xx answer or none at all (token "
                                + "revoked or expired, GitLab down, network policy).",
                        "runner-api-errors"),
                new Alert("BuildfleetTenantNotReady",
                        "buildfleet_tenant_ready{" + sel + "} == 0",
                        "10m", "critical",
                        "BuildTenant {{ $labels.tenant }} is not Ready",
                        "The operator reports Ready=False for tenant {{ $labels.tenant }} for 10 minutes; "
                                + "kubectl describe buildtenant {{ $labels.tenant }} says why.",
                        "tenant-not-ready"),
                new Alert("BuildfleetCacheBucketNearQuota",
                        "buildfleet_tenant_storage_used_bytes{" + sel + "}\n  / buildfleet_tenant_storage_quota_bytes{"
                                + sel + "} > 0.9",
                        "15m", "warning",
                        "Cache bucket of tenant {{ $labels.tenant }} is over 90% of its quota",
                        "The Ceph bucket " + t.cache().bucket() + " uses {{ $value | humanizePercentage }} of its "
                                + "quota; at 100% cache uploads fail and builds get slow.",
                        "cache-bucket-near-quota"),
                new Alert("BuildfleetRunnerTokenExpiring",
                        "buildfleet_tenant_runner_token_expiry_timestamp_seconds{" + sel + "} - time() < 7 * 86400",
                        "1h", "warning",
                        "Runner token of tenant {{ $labels.tenant }} expires within 7 days",
                        "The GitLab runner authentication token of tenant {{ $labels.tenant }} expires in "
                                + "{{ $value | humanizeDuration }}; after that the runner picks up no job.",
                        "runner-token-expiring"),
                new Alert("BuildfleetReconcileErrors",
                        "rate(buildfleet_reconcile_errors_total{" + sel + "}[10m]) > 0",
                        "15m", "warning",
                        "The operator fails to reconcile tenant {{ $labels.tenant }}",
                        "Reconciles of tenant {{ $labels.tenant }} keep failing and are retried with backoff; "
                                + "the tenant's Ready condition carries the error.",
                        "reconcile-errors"),
                new Alert("BuildfleetCacheRegistryDown",
                        "up{job=~\".*cache-registry.*\"," + sel + "} == 0",
                        "5m", "critical",
                        "Cache registry of tenant {{ $labels.tenant }} is down",
                        "Prometheus cannot scrape the layer cache registry of tenant {{ $labels.tenant }}; "
                                + "Kaniko builds run without cache (slow) or fail to push cache layers.",
                        "cache-registry-down"),
                new Alert("BuildfleetCacheExpiryFailing",
                        "buildfleet_tenant_cache_ready{" + sel + "} == 0",
                        "2h", "warning",
                        "Cache expiry of tenant {{ $labels.tenant }} is failing",
                        "The operator reports CacheReady=False for tenant {{ $labels.tenant }} for 2 hours: expired "
                                + "Kaniko cache entries are not pruned or not garbage-collected, so the bucket keeps "
                                + "growing; kubectl describe buildtenant {{ $labels.tenant }} says why.",
                        "cache-expiry-failing"));
    }

    /** The {@code spec.groups} list, as prometheus (and promtool) read it in a rules file. */
    public static List<Map<String, Object>> groups(ResolvedTenant t) {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Alert a : alerts(t)) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("alert", a.name());
            rule.put("expr", a.expr());
            rule.put("for", a.forDuration());
            rule.put("labels", Map.of("severity", a.severity(), "tenant", t.name()));
            rule.put("annotations", Map.of("summary", a.summary(), "description", a.description(),
                    "runbook_url", Defaults.RUNBOOK_URL + "#" + a.runbook()));
            rules.add(rule);
        }
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("name", "buildfleet-" + t.name());
        group.put("rules", rules);
        return List.of(group);
    }

    public static GenericKubernetesResource build(ResolvedTenant t) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(API_VERSION).withKind(KIND)
                .withNewMetadata().withName(NAME).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .addToAdditionalProperties("spec", Map.of("groups", groups(t)))
                .build();
    }
}
