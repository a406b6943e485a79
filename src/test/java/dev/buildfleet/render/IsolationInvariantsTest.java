package dev.buildfleet.render;

import com.fasterxml.jackson.databind.JsonNode;
import dev.buildfleet.model.OperatorTenantClusterRole;
import dev.buildfleet.model.RunnerManagerClusterRole;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.buildfleet.Fixtures;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What a security reviewer checks in the rendered example fleet, object by object. */
class IsolationInvariantsTest {
    static Fleet fleet;
    static SortedMap<String, String> files;
    static Map<String, List<JsonNode>> objectsByTenant = new HashMap<>();
    static Map<String, ResolvedTenant> tenants = new HashMap<>();

    @BeforeAll
    static void render() {
        fleet = Fixtures.example();
        files = FleetRenderer.render(fleet);
        fleet.tenants().forEach(t -> tenants.put(t.getMetadata().getName(), TenantResolver.resolve(fleet.config(), t)));
        files.forEach((path, text) -> {
            if (path.contains("/") && !path.endsWith("kustomization.yaml")) {
                objectsByTenant.computeIfAbsent(path.substring(0, path.indexOf('/')), k -> new ArrayList<>())
                        .add(Yaml.read(text));
            }
        });
    }

    @Test
    void everyObjectLivesInItsTenantsNamespace() {
        assertThat(objectsByTenant).containsOnlyKeys("java", "dotnet");
        objectsByTenant.forEach((tenant, objects) -> {
            for (JsonNode o : objects) {
                String namespace = o.path("kind").asText().equals("Namespace")
                        ? o.path("metadata").path("name").asText()
                        : o.path("metadata").path("namespace").asText();
                assertThat(namespace).as(describe(o)).isEqualTo("bf-" + tenant);
                assertThat(o.path("metadata").path("labels").path("buildfleet.dev/tenant").asText())
                        .as(describe(o)).isEqualTo(tenant);
            }
        });
    }

    @Test
    void runnerManagerAndJobPodsArePinnedToTheTenantsNodesOnly() throws IOException {
        for (var entry : tenants.entrySet()) {
            String tenant = entry.getKey();
            for (String deployment : List.of("gitlab-runner", "cache-registry")) {
                JsonNode pod = find(tenant, "Deployment", deployment).path("spec").path("template").path("spec");
                assertThat(pod.path("nodeSelector").properties()).as(deployment).hasSize(1);
                assertThat(pod.path("nodeSelector").path("buildfleet.dev/tenant").asText()).isEqualTo(tenant);
                assertThat(pod.path("tolerations")).hasSize(1);
                assertThat(pod.path("tolerations").get(0).path("value").asText()).isEqualTo(tenant);
                assertThat(pod.path("tolerations").get(0).path("operator").asText()).isEqualTo("Equal");
            }

            JsonNode k8s = configToml(tenant).path("runners").get(0).path("kubernetes");
            assertThat(k8s.path("namespace").asText()).isEqualTo("bf-" + tenant);
            assertThat(k8s.path("node_selector").properties()).hasSize(1);
            assertThat(k8s.path("node_selector").path("buildfleet.dev/tenant").asText()).isEqualTo(tenant);
            assertThat(k8s.path("node_tolerations").properties()).hasSize(1);
            assertThat(k8s.path("node_tolerations").path("buildfleet.dev/tenant=" + tenant).asText())
                    .isEqualTo("NoSchedule");
            // A job may not move itself to another namespace, node or identity.
            assertThat(k8s.has("namespace_overwrite_allowed")).isFalse();
            assertThat(k8s.has("node_selector_overwrite_allowed")).isFalse();
            assertThat(k8s.has("node_tolerations_overwrite_allowed")).isFalse();
            assertThat(k8s.has("service_account_overwrite_allowed")).isFalse();
            assertThat(k8s.has("pod_labels_overwrite_allowed")).isFalse();
        }
    }

    @Test
    void noTenantNamesAnythingOfAnother() {
        for (String tenant : tenants.keySet()) {
            String text = String.join("\n", files.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(tenant + "/")).map(Map.Entry::getValue).toList());
            for (ResolvedTenant other : tenants.values()) {
                if (other.name().equals(tenant)) {
                    continue;
                }
                assertThat(text).doesNotContain(other.namespace());
                assertThat(text).doesNotContain(other.cache().bucket());
                other.nodeSelector().forEach((k, v) -> assertThat(text).doesNotContain(k + ": " + v)
                        .doesNotContain(k + "=" + v).doesNotContain("'" + k + "' = '" + v + "'"));
                assertThat(text).doesNotContainPattern(Pattern.compile("\\b" + other.name() + "\\b"));
            }
        }
    }

    @Test
    void noContainerIsPrivilegedOrCanEscalate() throws IOException {
        objectsByTenant.values().stream().flatMap(List::stream)
                .filter(o -> o.path("kind").asText().equals("Deployment"))
                .forEach(d -> {
                    JsonNode pod = d.path("spec").path("template").path("spec");
                    assertThat(pod.path("hostNetwork").asBoolean(false)).isFalse();
                    assertThat(pod.path("hostPID").asBoolean(false)).isFalse();
                    List<JsonNode> containers = new ArrayList<>();
                    pod.path("containers").forEach(containers::add);
                    pod.path("initContainers").forEach(containers::add);
                    for (JsonNode c : containers) {
                        JsonNode sc = c.path("securityContext");
                        assertThat(sc.path("privileged").asBoolean(true)).as(c.path("name").asText()).isFalse();
                        assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
                        assertThat(sc.path("runAsNonRoot").asBoolean(false)).isTrue();
                        assertThat(sc.path("readOnlyRootFilesystem").asBoolean(false)).isTrue();
                    }
                });
        for (String tenant : tenants.keySet()) {
            JsonNode k8s = configToml(tenant).path("runners").get(0).path("kubernetes");
            assertThat(k8s.path("privileged").asBoolean(true)).isFalse();
            assertThat(k8s.path("allow_privilege_escalation").asBoolean(true)).isFalse();
            assertThat(k8s.path("build_container_security_context").path("privileged").asBoolean(true)).isFalse();
            assertThat(k8s.path("helper_container_security_context").path("privileged").asBoolean(true)).isFalse();
        }
    }

    @Test
    void jobPodsGetNoServiceAccountToken() throws IOException {
        for (String tenant : tenants.keySet()) {
            JsonNode k8s = configToml(tenant).path("runners").get(0).path("kubernetes");
            assertThat(k8s.path("service_account").asText()).isEqualTo("build");
            assertThat(k8s.path("automount_service_account_token").asBoolean(true)).isFalse();
            JsonNode sa = find(tenant, "ServiceAccount", "build");
            assertThat(sa.path("automountServiceAccountToken").asBoolean(true)).isFalse();
            // The build identity is bound to no Role at all.
            objectsByTenant.get(tenant).stream().filter(o -> o.path("kind").asText().equals("RoleBinding"))
                    .forEach(rb -> rb.path("subjects").forEach(s ->
                            assertThat(s.path("name").asText()).isNotEqualTo("build")));
        }
    }

    @Test
    void rbacIsNamespacedBindsOnlyTheTwoFleetClusterRolesAndListsExactVerbs() {
        objectsByTenant.forEach((tenant, objects) -> {
            assertThat(objects).noneMatch(o -> o.path("kind").asText().startsWith("Cluster")
                    || o.path("kind").asText().equals("Role"));
            for (JsonNode o : objects) {
                if (o.path("kind").asText().equals("RoleBinding")) {
                    String role = o.path("roleRef").path("name").asText();
                    assertThat(o.path("roleRef").path("kind").asText()).isEqualTo("ClusterRole");
                    assertThat(role).isIn(RunnerManagerClusterRole.NAME, OperatorTenantClusterRole.NAME);
                    String expectedNamespace = role.equals(RunnerManagerClusterRole.NAME) ? "bf-" + tenant
                            : "buildfleet-system";
                    o.path("subjects").forEach(s ->
                            assertThat(s.path("namespace").asText()).isEqualTo(expectedNamespace));
                }
            }
        });
        for (var role : List.of(RunnerManagerClusterRole.build(), OperatorTenantClusterRole.build())) {
            role.getRules().forEach(rule -> {
                assertThat(rule.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate");
                assertThat(rule.getResources()).doesNotContain("*");
                assertThat(rule.getApiGroups()).containsExactly("");
            });
        }
        assertThat(OperatorTenantClusterRole.build().getRules()).allSatisfy(rule ->
                assertThat(rule.getVerbs()).doesNotContain("list", "watch", "delete"));
    }

    @Test
    void noSecretValueIsRendered() {
        assertThat(objectsByTenant.values().stream().flatMap(List::stream))
                .noneMatch(o -> o.path("kind").asText().equals("Secret"));
        String all = String.join("\n", files.values());
        assertThat(all).doesNotContain("glrt-");
        assertThat(all).doesNotContainPattern(Pattern.compile("(?i)(secret_?key|access_?key|password)\\s*[=:]\\s*\\S"));
        // Every environment variable that carries a credential comes from a Secret reference.
        objectsByTenant.values().stream().flatMap(List::stream)
                .filter(o -> o.path("kind").asText().equals("Deployment"))
                .forEach(d -> d.findValues("env").forEach(envs -> envs.forEach(env -> {
                    String name = env.path("name").asText();
                    if (name.contains("TOKEN") || name.contains("KEY")) {
                        assertThat(env.has("value")).as(name).isFalse();
                        assertThat(env.path("valueFrom").has("secretKeyRef")).as(name).isTrue();
                    }
                })));
    }

    @Test
    void jobsCannotReachTheKubernetesApiAndEverythingElseIsDeniedByDefault() {
        for (String tenant : tenants.keySet()) {
            ResolvedTenant t = tenants.get(tenant);
            JsonNode deny = find(tenant, "NetworkPolicy", "default-deny");
            assertThat(deny.path("spec").path("podSelector").isEmpty()).isTrue();
            assertThat(deny.path("spec").path("policyTypes").toString()).contains("Ingress", "Egress");
            assertThat(deny.path("spec").has("ingress")).isFalse();
            assertThat(deny.path("spec").has("egress")).isFalse();

            JsonNode jobs = find(tenant, "NetworkPolicy", "build-jobs");
            assertThat(jobs.path("spec").path("podSelector").path("matchLabels").path("buildfleet.dev/role").asText())
                    .isEqualTo("build-job");
            String jobEgress = jobs.path("spec").path("egress").toString();
            for (String apiCidr : t.network().kubernetesApiCidrs()) {
                assertThat(jobEgress).doesNotContain(apiCidr);
            }
            for (var rule : t.egress()) {
                assertThat(jobEgress).contains(rule.cidr());
            }
            assertThat(jobs.path("spec").has("ingress")).isFalse();
        }
    }

    /** gitlab-runner allows every image for an empty or missing allowed_images or allowed_services. */
    @Test
    void jobsRunOnlyAllowedImagesAndNeverAnyImage() throws IOException {
        for (String tenant : objectsByTenant.keySet()) {
            JsonNode k8s = configToml(tenant).path("runners").get(0).path("kubernetes");
            for (String list : new String[]{"allowed_images", "allowed_services"}) {
                assertThat(k8s.path(list).isArray() && !k8s.path(list).isEmpty()).as(tenant + " " + list).isTrue();
                k8s.path(list).forEach(p -> assertThat(p.asText()).as(tenant + " " + list)
                        .isNotIn("*", "**", "*/*:*", "**/*"));
            }
            assertThat(k8s.path("allowed_pull_policies").toString()).as(tenant).doesNotContain("never");
        }
    }

    @Test
    void renderingTwiceIsByteIdentical() {
        assertThat(FleetRenderer.render(Fixtures.example())).isEqualTo(files);
    }

    private static JsonNode configToml(String tenant) throws IOException {
        String toml = find(tenant, "ConfigMap", "runner-config").path("data").path("config.toml").asText();
        return new TomlMapper().readTree(toml);
    }

    private static JsonNode find(String tenant, String kind, String name) {
        return objectsByTenant.get(tenant).stream()
                .filter(o -> o.path("kind").asText().equals(kind) && o.path("metadata").path("name").asText()
                        .equals(name))
                .findFirst().orElseThrow(() -> new AssertionError(kind + "/" + name + " not rendered for " + tenant));
    }

    private static String describe(JsonNode o) {
        return o.path("kind").asText() + "/" + o.path("metadata").path("name").asText();
    }
}
