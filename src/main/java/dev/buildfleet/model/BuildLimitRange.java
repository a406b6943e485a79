package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.Map;

/**
 * Gives a container that names no resources the job's defaults (so the quota can admit it), and caps any container
 * at the most a job may ask for (its limits, or the overwrite maxima where jobs may raise them).
 */
public final class BuildLimitRange {
    private BuildLimitRange() {
    }

    public static LimitRange build(ResolvedTenant t) {
        ResolvedTenant.Resources job = t.job();
        // The largest of every shape's maxima: one LimitRange serves all the tenant's runners.
        ResolvedTenant.Resources max = t.jobMax();
        for (ResolvedTenant.Shape shape : t.shapes()) {
            max = new ResolvedTenant.Resources(max.cpuRequest(), larger(max.cpuLimit(), shape.jobMax().cpuLimit()),
                    max.memoryRequest(), larger(max.memoryLimit(), shape.jobMax().memoryLimit()),
                    max.ephemeralStorageRequest(),
                    larger(max.ephemeralStorageLimit(), shape.jobMax().ephemeralStorageLimit()));
        }
        return new LimitRangeBuilder()
                .withNewMetadata().withName(Names.LIMIT_RANGE).withNamespace(t.namespace())
                .withLabels(t.labels()).endMetadata()
                .withNewSpec()
                .addNewLimit()
                .withType("Container")
                .withDefaultRequest(resources(job.cpuRequest(), job.memoryRequest(), job.ephemeralStorageRequest()))
                .withDefault(resources(job.cpuLimit(), job.memoryLimit(), job.ephemeralStorageLimit()))
                .withMax(resources(max.cpuLimit(), max.memoryLimit(), max.ephemeralStorageLimit()))
                .endLimit()
                .endSpec()
                .build();
    }

    private static Quantity larger(Quantity a, Quantity b) {
        return Quantities.amount(b).compareTo(Quantities.amount(a)) > 0 ? b : a;
    }

    private static Map<String, Quantity> resources(Quantity cpu, Quantity memory, Quantity ephemeral) {
        return Map.of("cpu", cpu, "memory", memory, "ephemeral-storage", ephemeral);
    }
}
