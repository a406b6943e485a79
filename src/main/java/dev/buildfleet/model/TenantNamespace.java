package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;

import java.util.Map;
import java.util.TreeMap;

/**
 * The tenant's namespace. Pod Security "baseline" is enforced (no privileged pods, host namespaces or host paths);
 * "restricted" only warns because Kaniko must run as root inside its container to unpack images.
 */
public final class TenantNamespace {
    private TenantNamespace() {
    }

    public static Namespace build(ResolvedTenant t) {
        Map<String, String> labels = new TreeMap<>(t.labels());
        labels.put("pod-security.kubernetes.io/enforce", "baseline");
        labels.put("pod-security.kubernetes.io/enforce-version", "latest");
        labels.put("pod-security.kubernetes.io/warn", "restricted");
        labels.put("pod-security.kubernetes.io/audit", "restricted");
        return new NamespaceBuilder()
                .withNewMetadata().withName(t.namespace()).withLabels(labels).endMetadata()
                .build();
    }
}
