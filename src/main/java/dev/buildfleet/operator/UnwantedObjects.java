package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.model.CaBundleMounts;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantObjects;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the operator wrote for a tenant and no longer wants: the monitoring objects (ServiceMonitors, PrometheusRule,
 * dashboard ConfigMap) whose spec.monitoring toggle was switched off, and the copy of a CA bundle the fleet no longer
 * names. Only an object the model would build with the
 * toggle on, carrying the managed-by and tenant labels and owned by this very BuildTenant, is deleted; nothing else
 * is ever a candidate. (The cache GC Jobs remove themselves through ttlSecondsAfterFinished.)
 */
final class UnwantedObjects {
    private UnwantedObjects() {
    }

    /**
     * @param live the live object of a candidate, or null (from the informer, or read for kinds without one)
     * @return the objects deleted, as Kind/name
     */
    static List<String> prune(KubernetesClient client, BuildTenant tenant, ResolvedTenant resolved,
                              List<HasMetadata> desired, MonitoringStep monitoring,
                              Function<HasMetadata, HasMetadata> live) {
        Set<String> wanted = desired.stream().map(UnwantedObjects::key).collect(Collectors.toSet());
        List<HasMetadata> candidates = new ArrayList<>(TenantObjects.build(everyToggleOn(resolved)));
        if (resolved.connectivity().caBundle() == null) {
            candidates.add(CaBundleMounts.configMap(resolved, ""));
        }
        candidates.removeIf(o -> wanted.contains(key(o)));
        List<String> deleted = new ArrayList<>();
        // Kinds of absent CRDs were never written.
        for (HasMetadata candidate : monitoring.filter(client, resolved, candidates).applicable()) {
            HasMetadata object = live.apply(candidate);
            if (object == null || !ours(object, tenant, resolved)) {
                continue;
            }
            if (MonitoringStep.withoutInformer(candidate)) {
                ResourceDefinitionContext definition = MonitoringStep.definition(candidate);
                client.genericKubernetesResources(definition).inNamespace(resolved.namespace())
                        .withName(candidate.getMetadata().getName()).delete();
            } else {
                client.resource(object).delete();
            }
            deleted.add(candidate.getKind() + "/" + candidate.getMetadata().getName());
        }
        return deleted;
    }

    private static boolean ours(HasMetadata object, BuildTenant tenant, ResolvedTenant resolved) {
        var labels = object.getMetadata().getLabels();
        List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
        return labels != null && Names.MANAGED_BY.equals(labels.get(Names.MANAGED_BY_LABEL))
                && resolved.name().equals(labels.get(Names.TENANT_LABEL))
                && owners != null && owners.stream().anyMatch(o -> tenant.getMetadata().getUid().equals(o.getUid()));
    }

    private static ResolvedTenant everyToggleOn(ResolvedTenant t) {
        return t.withMonitoring(new ResolvedTenant.Monitoring(true, true, true));
    }

    private static String key(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getName();
    }
}
