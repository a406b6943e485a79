package dev.buildfleet;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** What every test against fabric8's mock API server needs: the CRD registered, and clients built from scratch. */
public final class MockApiServer {
    private static final List<String> CLIENT_PROPERTIES = List.of(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY,
            Config.KUBERNETES_TRUST_CERT_SYSTEM_PROPERTY, Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY,
            Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY);

    private MockApiServer() {
    }

    /** Registers the generated BuildTenant CRD; without it the mock server drops status writes. */
    public static void registerCrd(KubernetesClient client) {
        try (InputStream in = MockApiServer.class.getResourceAsStream(
                "/META-INF/fabric8/buildtenants.buildfleet.dev-v1.yml")) {
            client.resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes a client built by {@code new KubernetesClientBuilder().build()} (as `buildfleet operator` does) talk to
     * the mock server, until closed.
     */
    public static AutoCloseable clientsDefaultTo(KubernetesClient mock) {
        System.setProperty(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY, mock.getMasterUrl().toString());
        System.setProperty(Config.KUBERNETES_TRUST_CERT_SYSTEM_PROPERTY, "true");
        System.setProperty(Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false");
        System.setProperty(Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY, "false");
        return () -> CLIENT_PROPERTIES.forEach(System::clearProperty);
    }
}
