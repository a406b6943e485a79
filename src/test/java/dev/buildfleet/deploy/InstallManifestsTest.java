package dev.buildfleet.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.buildfleet.model.OperatorTenantClusterRole;
import dev.buildfleet.model.RunnerManagerClusterRole;
import dev.buildfleet.render.BuildTenantCrd;
import dev.buildfleet.render.Yaml;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator's own install: kustomize base (built by real kubectl) and Helm chart (real Helm engine) agree. */
class InstallManifestsTest {
    static final Path BASE = Path.of("deploy/base");
    static final Path CHART = Path.of("deploy/helm/buildfleet");
    static Map<String, JsonNode> kustomize;

    @BeforeAll
    static void build() throws Exception {
        Process kubectl = new ProcessBuilder("kubectl", "kustomize", BASE.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.exitValue()).isZero();
        kustomize = byKindAndName(out);
    }

    @Test
    void crdInTheBaseIsTheOneTheBuildGeneratesWithTheColumnsInTheDocumentedOrder() throws IOException {
        assertThat(Yaml.read(Files.readString(BASE.resolve("crd.yaml")))).as("deploy/base/crd.yaml is stale: "
                + "write it with bin/buildfleet crd").isEqualTo(Yaml.read(BuildTenantCrd.yaml()));
        List<String> columns = new ArrayList<>();
        Yaml.read(BuildTenantCrd.yaml()).at("/spec/versions/0/additionalPrinterColumns")
                .forEach(c -> columns.add(c.path("name").asText()));
        assertThat(columns).containsExactly("Ready", "Runner", "Concurrency", "Nodes", "Age");
    }

    @Test
    void operatorHoldsNoSecretOrRoleRightsClusterWideAndBindsOnlyTheTwoTenantClusterRoles() {
        JsonNode role = kustomize.get("ClusterRole/buildfleet-operator");
        assertThat(role.path("rules").toString()).doesNotContain("\"*\"", "escalate", "secrets", "\"roles\"",
                "events");
        role.path("rules").forEach(rule -> {
            if (rule.path("verbs").toString().contains("bind")) {
                assertThat(rule.path("resources").toString()).isEqualTo("[\"clusterroles\"]");
                assertThat(rule.path("resourceNames").toString())
                        .isEqualTo("[\"buildfleet-runner-manager\",\"buildfleet-operator-tenant\"]");
            }
            if (rule.path("verbs").toString().contains("delete")) {
                assertThat(rule.path("resources").toString()).isIn("[\"configmaps\"]",
                        "[\"servicemonitors\",\"prometheusrules\"]");
            }
        });
        JsonNode events = kustomize.get("Role/buildfleet-operator-events");
        assertThat(events.at("/metadata/namespace").asText()).isEqualTo("default");
        assertThat(events.path("rules")).singleElement().satisfies(rule -> {
            assertThat(rule.path("resources").toString()).isEqualTo("[\"events\"]");
            assertThat(rule.path("verbs").toString()).isEqualTo("[\"get\",\"create\",\"patch\"]");
        });
        assertThat(kustomize.get("RoleBinding/buildfleet-operator-events").at("/metadata/namespace").asText())
                .isEqualTo("default");
        JsonNode own = kustomize.get("Role/buildfleet-operator");
        assertThat(own.at("/metadata/namespace").asText()).isEqualTo("buildfleet-system");
        assertThat(own.path("rules").toString()).contains("\"leases\"", "\"patch\"");
        own.path("rules").forEach(rule -> {
            if (rule.path("resources").toString().contains("secrets")) {
                assertThat(rule.path("verbs").toString()).isEqualTo("[\"get\"]");
                assertThat(rule.path("resourceNames").size()).isPositive();
            }
        });
    }

    @Test
    void tenantClusterRolesAreTheOnesTheModelBinds() {
        assertThat(kustomize.get("ClusterRole/" + RunnerManagerClusterRole.NAME))
                .isEqualTo(Serialization.jsonMapper().valueToTree(RunnerManagerClusterRole.build()));
        assertThat(kustomize.get("ClusterRole/" + OperatorTenantClusterRole.NAME))
                .isEqualTo(Serialization.jsonMapper().valueToTree(OperatorTenantClusterRole.build()));
    }

    @Test
    void operatorRunsNonRootWithReadOnlyRootAndTwoReplicasBehindADisruptionBudget() {
        JsonNode deployment = kustomize.get("Deployment/buildfleet-operator");
        JsonNode pod = deployment.at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        JsonNode container = pod.at("/containers/0");
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(kustomize.get("PodDisruptionBudget/buildfleet-operator").at("/spec/minAvailable").asInt())
                .isEqualTo(1);
        assertThat(kustomize).containsKey("Service/buildfleet-operator-metrics");
    }

    @Test
    void helmChartLintsAndRendersTheSameObjectsAsKustomize() throws Exception {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();

        String rendered = new Helm(CHART).template().withName("buildfleet").withNamespace("buildfleet-system")
                .call();
        Map<String, JsonNode> helm = byKindAndName(rendered);
        Map<String, JsonNode> expected = new TreeMap<>(kustomize);
        expected.remove("Namespace/buildfleet-system");   // Helm installs into an existing namespace
        assertThat(helm.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((key, object) -> assertThat(withoutNamespace(helm.get(key))).as(key)
                .isEqualTo(withoutNamespace(object)));
    }

    @Test
    void helmInstallsTheReadOnlyVerifyIdentityOfDeployVerifyWhenAskedTo() throws Exception {
        Process kubectl = new ProcessBuilder("kubectl", "kustomize", "deploy/verify").redirectErrorStream(true)
                .start();
        String out = new String(kubectl.getInputStream().readAllBytes());
        assertThat(kubectl.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.exitValue()).as(out).isZero();
        Map<String, JsonNode> expected = byKindAndName(out);
        Map<String, JsonNode> helm = byKindAndName(new Helm(CHART).template().withName("buildfleet")
                .withNamespace("buildfleet-system").set("verify.enabled", "true").call());
        assertThat(helm).containsKeys(expected.keySet().toArray(String[]::new));
        expected.forEach((key, object) -> assertThat(withoutNamespace(helm.get(key))).as(key)
                .isEqualTo(withoutNamespace(object)));
        assertThat(helm.get("ClusterRole/buildfleet-verify").path("rules").toString())
                .doesNotContain("secrets", "create", "update", "patch", "delete", "\"*\"");
    }

    @Test
    void helmValuesChangeImageAndTenantSelector() throws Exception {
        String rendered = new Helm(CHART).template().withName("buildfleet").withNamespace("ops")
                .set("image.tag", "9.9.9").set("tenantSelector", "fleet=blue").call();
        JsonNode container = byKindAndName(rendered).get("Deployment/buildfleet-operator")
                .at("/spec/template/spec/containers/0");
        assertThat(container.path("image").asText()).endsWith(":9.9.9");
        assertThat(container.path("args").toString()).contains("--tenant-selector", "fleet=blue");
        assertThat(byKindAndName(rendered).get("ClusterRoleBinding/buildfleet-operator").at("/subjects/0/namespace")
                .asText()).isEqualTo("ops");
    }

    /** Compares what matters: no namespace (Helm's is the release's), embedded YAML by content not layout. */
    private static JsonNode withoutNamespace(JsonNode object) {
        ObjectNode copy = object.deepCopy();
        ((ObjectNode) copy.path("metadata")).remove("namespace");
        if (copy.path("data").has("fleet-config.yaml")) {
            ((ObjectNode) copy.path("data")).set("fleet-config.yaml",
                    Yaml.read(copy.path("data").path("fleet-config.yaml").asText()));
        }
        return numbersAsDecimals(copy);
    }

    /** kubectl prints 200.0 as 200; the value is the same. */
    private static JsonNode numbersAsDecimals(JsonNode node) {
        if (node.isNumber()) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.numberNode(
                    node.decimalValue().stripTrailingZeros());
        }
        if (node instanceof ObjectNode object) {
            object.properties().forEach(e -> e.setValue(numbersAsDecimals(e.getValue())));
        }
        if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, numbersAsDecimals(array.get(i)));
            }
        }
        return node;
    }

    private static Map<String, JsonNode> byKindAndName(String multiDoc) {
        Map<String, JsonNode> objects = new TreeMap<>();
        for (String doc : multiDoc.split("(?m)^---\\s*$")) {
            JsonNode node = Yaml.read(doc);
            if (node == null || node.isMissingNode() || node.isNull() || !node.has("kind")) {
                continue;
            }
            objects.put(node.path("kind").asText() + "/" + node.at("/metadata/name").asText(), node);
        }
        return objects;
    }
}
