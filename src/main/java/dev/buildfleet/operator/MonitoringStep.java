package dev.buildfleet.operator;

import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.RunnerServiceMonitor;
import dev.buildfleet.model.TenantObjects;
import dev.buildfleet.model.TenantPrometheusRule;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which of the tenant's prometheus-operator objects (ServiceMonitor, PrometheusRule) can be applied: only
 * those whose CRD exists in the cluster. Whether a CRD exists is asked of the API once and remembered for
 * {@link #CACHE_FOR}, so installing prometheus-operator later is noticed within a minute (plus the next reconcile).
 * A missing CRD never fails the tenant's Ready; it shows as {@code MonitoringReady=False/PrometheusOperatorMissing}.
 *
 * <p>These kinds have no informer (an informer on a CRD that may not exist fails to start): the reconciler reads
 * them with a plain GET and writes them through {@link OwnedObjects} like every other object, so drift is still
 * repaired on each reconcile, only not noticed between reconciles.
 */
final class MonitoringStep implements TenantStep {
    static final String MONITORING_READY = "MonitoringReady";
    static final Duration CACHE_FOR = Duration.ofMinutes(1);
    static final String SERVICE_MONITORS_CRD = "servicemonitors.monitoring.coreos.com";
    static final String PROMETHEUS_RULES_CRD = "prometheusrules.monitoring.coreos.com";

    private record Seen(boolean exists, Instant at) {
    }

    private final Clock clock;
    private final Map<String, Seen> crds = new ConcurrentHashMap<>();

    MonitoringStep(Clock clock) {
        this.clock = clock;
    }

    /** @param applicable the desired objects the operator may write; @param condition MonitoringReady */
    record Result(List<HasMetadata> applicable, Condition condition) {
    }

    /** The tenant's ServiceMonitors and PrometheusRule whose CRDs exist, and MonitoringReady. */
    @Override
    public StepResult run(Observation observed) {
        Result monitored = filter(observed.client(), observed.resolved(),
                TenantObjects.prometheusOperatorObjects(observed.resolved()));
        return StepResult.of(monitored.condition()).withObjects(monitored.applicable());
    }

    Result filter(KubernetesClient client, ResolvedTenant tenant, List<HasMetadata> desired) {
        List<HasMetadata> applicable = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (HasMetadata object : desired) {
            String crd = crdOf(object);
            if (crd == null || exists(client, crd)) {
                applicable.add(object);
            } else {
                skipped.add(object.getKind());
            }
        }
        Condition condition;
        if (!skipped.isEmpty()) {
            condition = Conditions.of(MONITORING_READY, false, "PrometheusOperatorMissing", "the cluster has no "
                    + "prometheus-operator CRD for " + String.join(", ", skipped) + " (monitoring.coreos.com), so "
                    + "they were not created; install prometheus-operator, or set spec.monitoring.serviceMonitor/"
                    + "prometheusRule to false. The tenant works without them.");
        } else if (tenant.monitoring().serviceMonitor() || tenant.monitoring().prometheusRule()) {
            condition = Conditions.of(MONITORING_READY, true, "Applied", "ServiceMonitor and PrometheusRule "
                    + "applied as spec.monitoring asks");
        } else {
            condition = Conditions.of(MONITORING_READY, true, "Disabled", "spec.monitoring turns the "
                    + "ServiceMonitor and PrometheusRule off");
        }
        return new Result(applicable, condition);
    }

    /** The live object of a kind without informer, or null. */
    static HasMetadata fetch(KubernetesClient client, HasMetadata desired) {
        return client.genericKubernetesResources(definition(desired))
                .inNamespace(desired.getMetadata().getNamespace()).withName(desired.getMetadata().getName()).get();
    }

    /** The API of a prometheus-operator kind, spelled out so no API discovery is needed. */
    static ResourceDefinitionContext definition(HasMetadata object) {
        String[] groupVersion = object.getApiVersion().split("/");
        return new ResourceDefinitionContext.Builder().withGroup(groupVersion[0]).withVersion(groupVersion[1])
                .withKind(object.getKind()).withPlural(object.getKind().toLowerCase() + "s").withNamespaced(true)
                .build();
    }

    static boolean withoutInformer(HasMetadata object) {
        return object instanceof GenericKubernetesResource;
    }

    /** Whether the object is of a prometheus-operator kind, which only a cluster with its CRD has. */
    static boolean needsCrd(HasMetadata object) {
        return crdOf(object) != null;
    }

    private static String crdOf(HasMetadata object) {
        if (RunnerServiceMonitor.KIND.equals(object.getKind())
                && RunnerServiceMonitor.API_VERSION.equals(object.getApiVersion())) {
            return SERVICE_MONITORS_CRD;
        }
        if (TenantPrometheusRule.KIND.equals(object.getKind())
                && TenantPrometheusRule.API_VERSION.equals(object.getApiVersion())) {
            return PROMETHEUS_RULES_CRD;
        }
        return null;
    }

    private boolean exists(KubernetesClient client, String crd) {
        Instant now = clock.instant();
        Seen seen = crds.get(crd);
        if (seen == null || !now.isBefore(seen.at().plus(CACHE_FOR))) {
            seen = new Seen(client.apiextensions().v1().customResourceDefinitions().withName(crd).get() != null, now);
            crds.put(crd, seen);
        }
        return seen.exists();
    }
}
