package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@EnableKubernetesMockClient(crud = true)
class EventRecorderTest {
    KubernetesClient client;

    @Test
    void aRepeatCountsUpOneEventAndADifferentMessageIsAnEventOfItsOwn() {
        BuildTenant tenant = new BuildTenant("java", null);
        tenant.getMetadata().setUid("uid-1");
        EventRecorder events = new EventRecorder(client);
        events.warning(tenant, "NodesMissing", "no node matches buildfleet.dev/tenant=java");
        events.warning(tenant, "NodesMissing", "no node matches buildfleet.dev/tenant=java");
        events.normal(tenant, "NodesReserved", "2 nodes");

        List<Event> recorded = client.v1().events().inAnyNamespace().list().getItems();
        assertThat(recorded).hasSize(2).allSatisfy(e -> {
            assertThat(e.getMetadata().getNamespace()).isEqualTo("default");
            assertThat(e.getInvolvedObject().getNamespace()).isNull();
            assertThat(e.getInvolvedObject().getName()).isEqualTo("java");
        });
        assertThat(recorded).filteredOn(e -> e.getReason().equals("NodesMissing")).singleElement()
                .satisfies(e -> {
                    assertThat(e.getCount()).isEqualTo(2);
                    assertThat(e.getType()).isEqualTo("Warning");
                });
    }

    @Test
    void aRecreatedTenantOfTheSameNameStartsItsOwnEvents() {
        BuildTenant first = new BuildTenant("java", null);
        first.getMetadata().setUid("uid-1");
        BuildTenant second = new BuildTenant("java", null);
        second.getMetadata().setUid("uid-2");
        assertThat(EventRecorder.name(first, "Normal", "Ready", "m"))
                .isNotEqualTo(EventRecorder.name(second, "Normal", "Ready", "m"))
                .startsWith("java.");
    }
}
