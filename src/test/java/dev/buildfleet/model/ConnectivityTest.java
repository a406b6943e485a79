package dev.buildfleet.model;

import dev.buildfleet.Fixtures;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.CaBundleRef;
import dev.buildfleet.api.BuildTenantSpec;
import dev.buildfleet.config.Fleet;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectivityTest {
    @Test
    void aTenantsCaBundleReplacesTheFleetsInTheSameNamespace() {
        Fleet fleet = Fixtures.example();
        BuildTenant java = Serialization.clone(fleet.tenants().getFirst());
        BuildTenantSpec s = java.getSpec();
        java.setSpec(new BuildTenantSpec(s.gitlab(), s.concurrency(), s.nodes(), s.jobResources(), s.cache(),
                s.builder(), s.egress(), s.monitoring(), s.storageDeletionPolicy(), s.imagePolicy(),
                s.imagePullSecrets(), s.hostAliases(), s.dnsConfig(), new CaBundleRef("java-ca", "bundle.pem")));

        assertThat(TenantResolver.resolve(fleet.config(), java).connectivity().caBundle())
                .isEqualTo(new Connectivity.CaBundle("buildfleet-system", "java-ca", "bundle.pem", "spec.caBundle"));
        assertThat(TenantResolver.resolve(fleet.config(), fleet.tenants().get(1)).connectivity().caBundle())
                .isEqualTo(new Connectivity.CaBundle("buildfleet-system", "corporate-ca", "ca.crt",
                        "config.caBundle"));
    }
}
