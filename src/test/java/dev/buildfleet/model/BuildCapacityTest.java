package dev.buildfleet.model;

import dev.buildfleet.Fixtures;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BuildCapacityTest {
    @Test
    void quotaAdmitsFullConcurrencyPlusSpareSlotsAndTheManager() {
        Map<String, Quantity> hard = BuildResourceQuota.build(Fixtures.resolved("java")).getSpec().getHard();
        // 20 jobs + 2 spare slots, each a 1-CPU build container and a 200m helper, plus the 100m manager, the
        // 100m cache registry and the 100m cache garbage collector.
        assertThat(hard.get("requests.cpu")).isEqualTo(new Quantity("26700m"));
        // limits: 22 x (2 + 1) + 1 + 2 + 1
        assertThat(hard.get("limits.cpu")).isEqualTo(new Quantity("70"));
        // 22 x (2Gi + 256Mi) + 128Mi + 128Mi + 128Mi
        assertThat(Quantities.amount(hard.get("requests.memory")))
                .isEqualByComparingTo(Quantities.amount(new Quantity("49.875Gi")));
        // 22 x (10Gi + 1Gi) + 100Mi + 100Mi + 64Mi
        assertThat(Quantities.amount(hard.get("requests.ephemeral-storage")))
                .isEqualByComparingTo(Quantities.amount(new Quantity("242Gi")).add(Quantities.amount(new Quantity("264Mi"))));
        // 22 job pods, the manager, the registry and one garbage-collection Job pod
        assertThat(hard.get("pods")).isEqualTo(new Quantity("25"));
    }

    @Test
    void quotaFollowsConcurrency() {
        var tenant = Fixtures.resolved("java");
        var five = new ResolvedTenant(tenant.name(), tenant.namespace(), tenant.gitlabUrl(), tenant.runnerToken(),
                tenant.runnerCreate(), 5, tenant.nodeSelector(), tenant.tolerations(), tenant.job(), tenant.helper(),
                tenant.cache(), tenant.images(), tenant.egress(), tenant.network(), tenant.monitoring(),
                tenant.storageDeletionPolicy());
        Map<String, Quantity> hard = BuildResourceQuota.build(five).getSpec().getHard();
        assertThat(hard.get("pods")).isEqualTo(new Quantity("9"));
        assertThat(hard.get("requests.cpu")).isEqualTo(new Quantity("7500m"));
    }

    @Test
    void whereJobsMayRaiseTheirSizeTheLimitRangeAndQuotaAreSizedForTheMaxima() {
        var tenant = Fixtures.resolvedWith("java", root -> Fixtures.tenantSpec(root, 0).putObject("jobResources")
                .putObject("cpu").put("maxRequest", "4").put("maxLimit", "8"));
        LimitRangeItem item = BuildLimitRange.build(tenant).getSpec().getLimits().get(0);
        assertThat(item.getDefaultRequest().get("cpu")).isEqualTo(new Quantity("1"));
        assertThat(item.getDefault().get("cpu")).isEqualTo(new Quantity("2"));
        assertThat(item.getMax().get("cpu")).isEqualTo(new Quantity("8"));
        assertThat(item.getMax().get("memory")).isEqualTo(new Quantity("4Gi"));
        Map<String, Quantity> hard = BuildResourceQuota.build(tenant).getSpec().getHard();
        // 22 x (4 + 0.2) + 0.3 and 22 x (8 + 1) + 4: every slot may hold a job at its maxima.
        assertThat(hard.get("requests.cpu")).isEqualTo(new Quantity("92700m"));
        assertThat(hard.get("limits.cpu")).isEqualTo(new Quantity("202"));
        assertThat(hard.get("requests.memory")).isEqualTo(BuildResourceQuota.build(Fixtures.resolved("java"))
                .getSpec().getHard().get("requests.memory"));
    }

    @Test
    void withRunnerShapesTheQuotaAndLimitRangeCoverEveryShapeTogether() {
        var shaped = Fixtures.resolvedWith("java", root -> {
            var shape = Fixtures.tenantSpec(root, 0).putArray("shapes").addObject().put("name", "large")
                    .put("concurrency", 4);
            shape.putObject("runner").putObject("tokenSecretRef").put("name", "large-token");
            shape.putObject("jobResources").putObject("cpu").put("request", "4").put("limit", "8");
        });
        Map<String, Quantity> hard = BuildResourceQuota.build(shaped).getSpec().getHard();
        // main: 22 slots as before; large: 4 + 1 spare slots of (4 + 0.2) CPU requested, (8 + 1) limited.
        assertThat(Quantities.amount(hard.get("requests.cpu"))).isEqualByComparingTo("47.7");
        assertThat(Quantities.amount(hard.get("limits.cpu"))).isEqualByComparingTo("115");
        assertThat(hard.get("pods")).isEqualTo(new Quantity("30"));
        LimitRangeItem item = BuildLimitRange.build(shaped).getSpec().getLimits().get(0);
        assertThat(item.getMax().get("cpu")).isEqualTo(new Quantity("8"));
        assertThat(item.getDefault().get("cpu")).isEqualTo(new Quantity("2"));
    }

    @Test
    void limitRangeDefaultsAreTheJobSize() {
        LimitRangeItem item = BuildLimitRange.build(Fixtures.resolved("dotnet")).getSpec().getLimits().get(0);
        assertThat(item.getDefaultRequest().get("memory")).isEqualTo(new Quantity("3Gi"));
        assertThat(item.getDefault().get("memory")).isEqualTo(new Quantity("6Gi"));
        assertThat(item.getMax().get("cpu")).isEqualTo(new Quantity("2"));
    }
}
