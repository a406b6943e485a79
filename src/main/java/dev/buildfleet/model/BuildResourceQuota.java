package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;

import java.util.Map;
import java.util.TreeMap;

/** Caps the tenant at its declared concurrency, so one team's burst cannot take what its nodes owe to nobody else. */
public final class BuildResourceQuota {
    private BuildResourceQuota() {
    }

    public static ResourceQuota build(ResolvedTenant t) {
        BuildCapacity c = BuildCapacity.of(t);
        Map<String, Quantity> hard = new TreeMap<>();
        hard.put("pods", new Quantity(Integer.toString(c.pods())));
        hard.put("requests.cpu", Quantities.cpu(c.cpuRequests()));
        hard.put("limits.cpu", Quantities.cpu(c.cpuLimits()));
        hard.put("requests.memory", Quantities.bytes(c.memoryRequests()));
        hard.put("limits.memory", Quantities.bytes(c.memoryLimits()));
        hard.put("requests.ephemeral-storage", Quantities.bytes(c.ephemeralStorageRequests()));
        hard.put("limits.ephemeral-storage", Quantities.bytes(c.ephemeralStorageLimits()));
        return new ResourceQuotaBuilder()
                .withNewMetadata().withName(Names.RESOURCE_QUOTA).withNamespace(t.namespace())
                .withLabels(t.labels()).endMetadata()
                .withNewSpec().withHard(hard).endSpec()
                .build();
    }
}
