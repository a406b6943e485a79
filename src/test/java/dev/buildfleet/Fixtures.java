package dev.buildfleet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The shipped example fleet, and variations of it, as tests' input. */
public final class Fixtures {
    public static final Path EXAMPLE = Path.of("examples/fleet.yaml");
    private static final YAMLMapper YAML = new YAMLMapper();

    private Fixtures() {
    }

    public static String exampleText() {
        try {
            return Files.readString(EXAMPLE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Fleet example() {
        return FleetLoader.load(EXAMPLE);
    }

    public static ResolvedTenant resolved(String tenant) {
        Fleet fleet = example();
        return TenantResolver.resolve(fleet.config(), fleet.tenants().stream()
                .filter(t -> t.getMetadata().getName().equals(tenant)).findFirst().orElseThrow());
    }

    /** One tenant of the example fleet after {@code change} edited the fleet's tree. */
    public static ResolvedTenant resolvedWith(String tenant, Consumer<ObjectNode> change) {
        Fleet fleet = FleetLoader.parse(exampleWith(change)).fleet();
        return TenantResolver.resolve(fleet.config(), fleet.tenants().stream()
                .filter(t -> t.getMetadata().getName().equals(tenant)).findFirst().orElseThrow());
    }

    /** The example fleet as YAML after {@code change} edited its tree. */
    public static String exampleWith(Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) YAML.readTree(exampleText());
            change.accept(root);
            return YAML.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode tenantSpec(ObjectNode root, int index) {
        return (ObjectNode) root.withArray("tenants").get(index).get("spec");
    }

    /** The example fleet's CA bundle (config.caBundle: ConfigMap corporate-ca in buildfleet-system), a test CA's. */
    public static void createExampleCaBundle(io.fabric8.kubernetes.client.KubernetesClient client) {
        client.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
                .withName("corporate-ca").withNamespace("buildfleet-system").endMetadata()
                .withData(java.util.Map.of("ca.crt", dev.buildfleet.tls.TestCa.create("example corporate CA").pem()))
                .build()).create();
    }
}
