package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** cache-registry.&lt;ns&gt;.svc:5000, the address in BUILDFLEET_CACHE_REPO; debug port for Prometheus. */
public final class CacheRegistryService {
    private CacheRegistryService() {
    }

    /** The tenant's labels plus its role, so a ServiceMonitor can pick this Service and no other. */
    static java.util.Map<String, String> roleLabels(ResolvedTenant t) {
        java.util.Map<String, String> labels = new java.util.TreeMap<>(t.labels());
        labels.put(Names.ROLE_LABEL, Names.ROLE_CACHE_REGISTRY);
        return labels;
    }

    public static Service build(ResolvedTenant t) {
        return new ServiceBuilder()
                .withNewMetadata().withName(Names.CACHE_REGISTRY).withNamespace(t.namespace())
                .withLabels(roleLabels(t)).endMetadata()
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(NetworkPolicies.role(t, Names.ROLE_CACHE_REGISTRY))
                .addNewPort().withName("registry").withPort(Names.CACHE_REGISTRY_PORT)
                .withTargetPort(new IntOrString("registry")).withProtocol("TCP").endPort()
                .addNewPort().withName("debug").withPort(Names.CACHE_REGISTRY_DEBUG_PORT)
                .withTargetPort(new IntOrString("debug")).withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }
}
