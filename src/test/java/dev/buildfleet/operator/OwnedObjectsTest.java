package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A create that finds the name taken: the tenant's own object is converged, anyone else's is left alone. */
@EnableKubernetesMockClient(crud = true)
class OwnedObjectsTest {
    KubernetesClient client;

    private static BuildTenant tenant(String uid) {
        BuildTenant tenant = new BuildTenant("java", null);
        tenant.getMetadata().setUid(uid);
        return tenant;
    }

    private static Service service(int port) {
        return new ServiceBuilder().withNewMetadata().withName("cache-registry").withNamespace("bf-java")
                .withLabels(Map.of("app", "cache-registry")).endMetadata()
                .withNewSpec().addNewPort().withName("registry").withPort(port).endPort().endSpec().build();
    }

    @Test
    void theTenantsOwnObjectTheCacheHadNotSeenYetIsComparedAndUpdatedNotAFailedCreate() {
        BuildTenant java = tenant("uid-java");
        var created = new OwnedObjects(client).apply(java, service(5000), null).written();
        assertThat(created.getMetadata().getResourceVersion()).isNotNull();

        OwnedObjects.Outcome again = new OwnedObjects(client).apply(java, service(5001), null);
        assertThat(again.kind()).isEqualTo(OwnedObjects.Kind.UPDATED);
        assertThat(again.before().getMetadata().getResourceVersion())
                .isEqualTo(created.getMetadata().getResourceVersion());
        assertThat(client.services().inNamespace("bf-java").withName("cache-registry").get().getSpec().getPorts())
                .singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(5001));
    }

    @Test
    void anObjectOfTheSameNameThatIsNotTheTenantsStaysAsItIsAndTheCreateFails() {
        client.resource(service(7000)).create();
        assertThatThrownBy(() -> new OwnedObjects(client).apply(tenant("uid-java"), service(5000), null))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
        Service kept = client.services().inNamespace("bf-java").withName("cache-registry").get();
        assertThat(kept.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(7000));
        assertThat(kept.getMetadata().getOwnerReferences()).isNullOrEmpty();
    }
}
