package dev.buildfleet.operator;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading a tenant's Secrets while the API server's authorizer catches up with the RoleBinding just written. */
@EnableKubernetesMockClient
class TenantSecretsTest {
    private static final String PATH = "/api/v1/namespaces/bf-java/secrets/runner-token";
    KubernetesMockServer server;
    KubernetesClient client;

    private void refuseTwiceThenServe() {
        server.expect().get().withPath(PATH).andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                .withMessage("secrets \"runner-token\" is forbidden").build()).times(2);
        server.expect().get().withPath(PATH).andReturn(200, new SecretBuilder().withNewMetadata()
                .withName("runner-token").withNamespace("bf-java").endMetadata().build()).once();
    }

    @Test
    void aReadRefusedRightAfterTheGrantWasWrittenIsRetriedUntilTheGrantTakesEffect() {
        refuseTwiceThenServe();
        TenantSecrets secrets = new TenantSecrets(client, "bf-java");
        secrets.grantJustWritten();
        assertThat(secrets.get("runner-token").getMetadata().getName()).isEqualTo("runner-token");
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void aRefusalWithoutAFreshGrantFailsAtOnce() {
        refuseTwiceThenServe();
        TenantSecrets secrets = new TenantSecrets(client, "bf-java");
        assertThatThrownBy(() -> secrets.get("runner-token")).isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }
}
