package dev.buildfleet.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.buildfleet.render.Yaml;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The CRD the API server will enforce: what it refuses before the operator ever sees a tenant. */
class CrdSchemaTest {
    static JsonNode crd;
    static JsonNode spec;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = CrdSchemaTest.class.getResourceAsStream(
                "/META-INF/fabric8/buildtenants.buildfleet.dev-v1.yml")) {
            assertThat(in).as("CRD generated at build time").isNotNull();
            crd = Yaml.read(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        spec = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    }

    @Test
    void clusterScopedInItsGroupWithStatusSubresource() {
        assertThat(crd.at("/spec/group").asText()).isEqualTo("buildfleet.dev");
        assertThat(crd.at("/spec/scope").asText()).isEqualTo("Cluster");
        assertThat(crd.at("/spec/versions/0/name").asText()).isEqualTo("v1alpha1");
        assertThat(crd.at("/spec/versions/0/subresources").has("status")).isTrue();
    }

    @Test
    void concurrencyDefaultsToTwentyWithinOneAndTwoHundred() {
        JsonNode concurrency = spec.at("/properties/concurrency");
        assertThat(concurrency.path("default").asInt()).isEqualTo(20);
        assertThat(concurrency.path("minimum").asInt()).isEqualTo(1);
        assertThat(concurrency.path("maximum").asInt()).isEqualTo(200);
    }

    @Test
    void gitlabRunnerIsRequiredAndTokenSourcesAreExclusive() {
        assertThat(spec.path("required").toString()).contains("gitlab");
        JsonNode runner = spec.at("/properties/gitlab/properties/runner");
        assertThat(runner.path("x-kubernetes-validations").toString())
                .contains("has(self.tokenSecretRef) != has(self.create)");
        JsonNode create = runner.at("/properties/create");
        assertThat(create.at("/properties/runnerType/enum").toString())
                .contains("instance_type", "group_type", "project_type");
        assertThat(create.at("/properties/accessLevel/enum").toString()).contains("not_protected", "ref_protected");
        assertThat(create.path("x-kubernetes-validations").toString())
                .contains("has(self.groupId)", "has(self.projectId)", "self.runUntagged");
        assertThat(create.at("/properties/maximumTimeout/minimum").asInt()).isEqualTo(600);
    }

    @Test
    void storageIsRetainedUnlessDeletionIsAskedFor() {
        JsonNode policy = spec.at("/properties/storageDeletionPolicy");
        assertThat(policy.path("default").asText()).isEqualTo("Retain");
        assertThat(policy.path("enum").toString()).contains("Retain", "Delete");
    }

    @Test
    void printerColumnsShowReadyRunnerConcurrencyNodesAge() {
        assertThat(crd.at("/spec/versions/0/additionalPrinterColumns").findValuesAsText("name"))
                .containsExactlyInAnyOrder("Ready", "Runner", "Concurrency", "Nodes", "Age");
    }

    @Test
    void egressEntriesNeedANameACidrAndPorts() {
        JsonNode item = spec.at("/properties/egress/items");
        assertThat(item.path("required").toString()).contains("name", "cidr", "ports");
        assertThat(item.at("/properties/ports/items/maximum").asInt()).isEqualTo(65535);
    }

    @Test
    void podSettingsAreTypedSoTheApiServerRefusesTheObviousMistakes() {
        JsonNode pull = spec.at("/properties/imagePolicy/properties/pullPolicy/items/enum");
        assertThat(pull.toString()).isEqualTo("[\"always\",\"if-not-present\",\"never\"]");
        assertThat(spec.at("/properties/imagePolicy/properties/allowedPullPolicies/items/enum")).isEqualTo(pull);
        assertThat(spec.at("/properties/imagePullSecrets/items/pattern").asText()).isNotEmpty();
        JsonNode alias = spec.at("/properties/hostAliases/items");
        assertThat(alias.path("required").toString()).contains("ip", "hostnames");
        assertThat(alias.at("/properties/hostnames/minItems").asInt()).isEqualTo(1);
        assertThat(spec.at("/properties/dnsConfig/properties").has("nameservers")).isFalse();
        assertThat(spec.at("/properties/dnsConfig/properties/options/items/required").toString()).contains("name");
    }
}
