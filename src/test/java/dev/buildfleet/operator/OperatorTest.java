package dev.buildfleet.operator;

import dev.buildfleet.TenantEdits;
import dev.buildfleet.MockApiServer;
import dev.buildfleet.Fixtures;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.BuildTenantSpec;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.TenantObjects;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.render.Yaml;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import dev.buildfleet.gitlab.FakeGitLab;
import dev.buildfleet.gitlab.HttpGitLabRunners;
import dev.buildfleet.storage.InMemoryTenantStorage;
import dev.buildfleet.storage.StoragePlan;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The real JOSDK operator against fabric8's mock API server in CRUD mode, with the generated CRD registered. */
@EnableKubernetesMockClient(crud = true)
class OperatorTest {
    KubernetesMockServer server;
    KubernetesClient client;

    final Fleet fleet = Fixtures.example();
    SimpleMeterRegistry registry;
    Operator operator;
    final InMemoryTenantStorage storage = new InMemoryTenantStorage();
    final FakeGitLab gitlab = FakeGitLab.started().accessToken("glpat-operator", "api");

    @BeforeEach
    void registerCrd() throws Exception {
        MockApiServer.registerCrd(client);
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.stop();
        }
        gitlab.close();
    }

    void startOperator() {
        registry = new SimpleMeterRegistry();
        operator = BuildfleetOperator.create(client, fleet.config(), registry, BuildfleetOperator.Options.SINGLE,
                storage, new HttpGitLabRunners(new HttpGitLabRunners.Connection(gitlab.url(), null, null,
                        Duration.ofSeconds(5)), "glpat-operator"), Duration.ofMillis(200));
        operator.start();
    }

    BuildTenant tenant(String name) {
        BuildTenant t = fleet.tenants().stream().filter(x -> x.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow();
        return Serialization.clone(t);
    }

    void node(String name, Map<String, String> labels, boolean tainted, String cpu, String memory) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withAllocatable(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory),
                        "ephemeral-storage", new Quantity("1Ti")))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
        if (tainted) {
            labels.forEach((k, v) -> node.editSpec().addNewTaint().withKey(k).withValue(v).withEffect("NoSchedule")
                    .endTaint().endSpec());
        }
        client.resource(node.build()).create();
    }

    BuildTenant fetch(String name) {
        return client.resources(BuildTenant.class).withName(name).get();
    }

    Condition condition(String tenant, String type) {
        BuildTenant t = fetch(tenant);
        return t == null || t.getStatus() == null ? null : Conditions.find(t.getStatus().conditions(), type);
    }

    double reconciles() {
        var counter = registry.find("buildfleet_reconciles").counter();
        return counter == null ? 0 : counter.count();
    }

    /** Write requests (anything but GET) the mock server received since the last call. */
    List<String> drainWrites() throws InterruptedException {
        List<String> writes = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (!"GET".equals(r.getMethod())) {
                writes.add(r.getMethod() + " " + r.getPath());
            }
        }
        return writes;
    }

    /** Two tainted java nodes, the operator, and the example's java tenant with its first status written. */
    void runJavaTenant() {
        javaNodes();
        startOperator();
        client.resource(tenant("java")).create();
        eventually().untilAsserted(() ->
                assertThat(condition("java", StorageStep.STORAGE_READY).getStatus()).isEqualTo("True"));
    }

    void javaNodes() {
        node("worker-java-1", Map.of(Names.TENANT_LABEL, "java"), true, "16", "64Gi");
        node("worker-java-2", Map.of(Names.TENANT_LABEL, "java"), true, "16", "64Gi");
    }

    @Test
    void createsEveryObjectOwnedByTheTenantAndReportsStatus() {
        javaNodes();
        startOperator();
        client.resource(tenant("java")).create();

        eventually().untilAsserted(() ->
                assertThat(condition("java", Conditions.NODES_READY)).isNotNull());
        String uid = fetch("java").getMetadata().getUid();
        var resolved = TenantResolver.resolve(fleet.config(), tenant("java"));
        for (HasMetadata desired : TenantObjects.build(resolved)) {
            if (desired instanceof GenericKubernetesResource) {
                // No prometheus-operator CRDs in this cluster: skipped, see monitoringObjects* below.
                assertThat(MonitoringStep.fetch(client, desired)).isNull();
                continue;
            }
            HasMetadata actual = client.resource(desired).get();
            assertThat(actual).as(desired.getKind() + "/" + desired.getMetadata().getName()).isNotNull();
            assertThat(actual.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(uid));
            // The operator writes exactly what `buildfleet render` writes.
            assertThat(OwnedObjects.isSubset(Serialization.jsonMapper().valueToTree(desired),
                    Serialization.jsonMapper().valueToTree(actual))).isTrue();
        }
        assertThat(fetch("java").getFinalizers()).isNotEmpty();
        assertThat(condition("java", Conditions.NODES_READY).getStatus()).isEqualTo("True");
        assertThat(condition("java", Conditions.CAPACITY_SUFFICIENT).getStatus()).isEqualTo("True");
        Condition ready = condition("java", Conditions.READY);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("RunnerNotAvailable");
        assertThat(ready.getObservedGeneration()).isEqualTo(fetch("java").getMetadata().getGeneration());
        assertThat(fetch("java").getStatus().capacity().nodes()).isEqualTo(2);

        // The runner becomes available: Ready turns True, and an Event says so.
        Deployment runner = client.apps().deployments().inNamespace("bf-java").withName("gitlab-runner").get();
        runner.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withAvailableReplicas(1)
                .withReplicas(1).build());
        client.resource(runner).updateStatus();
        eventually().untilAsserted(() ->
                assertThat(condition("java", Conditions.READY).getStatus()).isEqualTo("True"));
        assertThat(client.v1().events().inAnyNamespace().list().getItems())
                .anyMatch(e -> e.getReason().equals("Ready") && e.getInvolvedObject().getName().equals("java"));
    }

    @Test
    void withoutPrometheusOperatorMonitoringIsSkippedAndSaidSoButReadyIsUnaffected() {
        runJavaTenant();
        Condition monitoring = condition("java", MonitoringStep.MONITORING_READY);
        assertThat(monitoring.getStatus()).isEqualTo("False");
        assertThat(monitoring.getReason()).isEqualTo("PrometheusOperatorMissing");
        assertThat(monitoring.getMessage()).contains("ServiceMonitor", "PrometheusRule");
        assertThat(condition("java", Conditions.READY).getReason()).isNotEqualTo("PrometheusOperatorMissing");
        // The dashboard is a plain ConfigMap: it is written anyway.
        assertThat(client.configMaps().inNamespace("bf-java").withName("buildfleet-dashboard").get().getMetadata()
                .getLabels()).containsEntry("grafana_dashboard", "1");
        // Per-tenant gauges for the alerts.
        assertThat(registry.find("buildfleet_tenant_ready").tag("tenant", "java").gauge().value()).isZero();
        assertThat(registry.find("buildfleet_tenant_storage_used_bytes").tag("tenant", "java").gauge()).isNotNull();
    }

    @Test
    void withPrometheusOperatorCrdsServiceMonitorAndRulesAreWrittenOnceAndGaugesGoWithTheTenant() throws Exception {
        for (String plural : List.of("servicemonitors", "prometheusrules")) {
            String kind = plural.equals("servicemonitors") ? "ServiceMonitor" : "PrometheusRule";
            client.resource(new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder()
                    .withNewMetadata().withName(plural + ".monitoring.coreos.com").endMetadata()
                    .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
                    .withNewNames().withKind(kind).withPlural(plural).withSingular(kind.toLowerCase()).endNames()
                    .addNewVersion().withName("v1").withServed(true).withStorage(true)
                    .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                    .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema().endVersion()
                    .endSpec().build()).create();
        }
        runJavaTenant();
        eventually().untilAsserted(() -> assertThat(condition("java", MonitoringStep.MONITORING_READY).getStatus())
                .isEqualTo("True"));
        var resolved = TenantResolver.resolve(fleet.config(), tenant("java"));
        String uid = fetch("java").getMetadata().getUid();
        for (HasMetadata desired : TenantObjects.build(resolved)) {
            if (desired instanceof GenericKubernetesResource) {
                HasMetadata actual = MonitoringStep.fetch(client, desired);
                assertThat(actual).as(desired.getKind()).isNotNull();
                assertThat(actual.getMetadata().getOwnerReferences()).singleElement()
                        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(uid));
                assertThat(OwnedObjects.isSubset(Serialization.jsonMapper().valueToTree(desired),
                        Serialization.jsonMapper().valueToTree(actual))).as(desired.getKind()).isTrue();
            }
        }
        // Resync: the GET-compared kinds are not written again.
        assertThat(writesOfAResync()).containsExactly("PUT /api/v1/nodes/worker-java-1");

        // Toggles switched off: exactly those objects go; a look-alike another tenant owns stays.
        HasMetadata rule = TenantObjects.build(resolved).stream()
                .filter(o -> o.getKind().equals("PrometheusRule")).findFirst().orElseThrow();
        GenericKubernetesResource lookAlike = Serialization.jsonMapper().convertValue(
                Serialization.jsonMapper().valueToTree(MonitoringStep.fetch(client, rule)),
                GenericKubernetesResource.class);
        lookAlike.getMetadata().setName("copied-rule");
        lookAlike.getMetadata().setResourceVersion(null);
        lookAlike.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withApiVersion(BuildTenant.API_VERSION).withKind("BuildTenant").withName("other").withUid("other-uid")
                .build()));
        client.genericKubernetesResources(MonitoringStep.definition(rule)).inNamespace("bf-java").resource(lookAlike)
                .create();
        TenantEdits.edit(client, "java", t -> {
            t.setSpec(Serialization.jsonMapper().convertValue(((com.fasterxml.jackson.databind.node.ObjectNode)
                    Serialization.jsonMapper().valueToTree(t.getSpec())).set("monitoring", Serialization.jsonMapper()
                    .createObjectNode().put("serviceMonitor", false).put("prometheusRule", false)
                    .put("dashboard", false)), t.getSpec().getClass()));
            return t;
        });
        eventually().untilAsserted(() -> {
            for (HasMetadata wanted : TenantObjects.build(resolved)) {
                if (wanted instanceof GenericKubernetesResource) {
                    assertThat(MonitoringStep.fetch(client, wanted)).as(wanted.getKind()).isNull();
                }
            }
            assertThat(client.configMaps().inNamespace("bf-java").withName("buildfleet-dashboard").get()).isNull();
        });
        assertThat(client.genericKubernetesResources(MonitoringStep.definition(rule)).inNamespace("bf-java")
                .withName("copied-rule").get()).isNotNull();
        assertThat(client.configMaps().inNamespace("bf-java").withName(Names.RUNNER_CONFIG_MAP).get()).isNotNull();

        assertThat(registry.find("buildfleet_tenant_ready").tag("tenant", "java").gauge()).isNotNull();
        client.resources(BuildTenant.class).withName("java").delete();
        eventually().untilAsserted(() -> assertThat(registry.find("buildfleet_tenant_ready").tag("tenant", "java")
                .gauge()).isNull());
    }

    @Test
    void resyncWithNothingToChangeWritesNothing() throws Exception {
        runJavaTenant();
        assertThat(writesOfAResync()).containsExactly("PUT /api/v1/nodes/worker-java-1");
    }

    /**
     * Once things settled, a node change wakes the tenant while nothing the tenant owns differs: the writes that
     * follow (the test's own node PUT included).
     */
    List<String> writesOfAResync() throws InterruptedException {
        await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
        drainWrites();
        double before = reconciles();
        Node n = client.nodes().withName("worker-java-1").get();
        n.getMetadata().getAnnotations().put("touched", "yes");
        client.resource(n).update();
        eventually().until(() -> reconciles() > before);
        await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
        return drainWrites();
    }

    @Test
    void concurrencyChangeRewritesConfigAndQuotaAndRollsTheRunnerOnce() throws Exception {
        runJavaTenant();
        String checksum = checksum();
        drainWrites();

        TenantEdits.edit(client, "java", t -> {
            t.setSpec(withConcurrency(t.getSpec(), 8));
            return t;
        });

        eventually().untilAsserted(() -> assertThat(
                client.configMaps().inNamespace("bf-java").withName("runner-config").get().getData()
                        .get("config.toml")).contains("concurrent = 8"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(checksum()).isNotEqualTo(checksum));
        assertThat(client.resourceQuotas().inNamespace("bf-java").withName("build-capacity").get().getSpec()
                .getHard().get("pods")).isEqualTo(new Quantity("12"));
        await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
        List<String> writes = drainWrites();
        assertThat(writes).filteredOn(w -> w.contains("/deployments/")).hasSize(1);
        assertThat(writes).filteredOn(w -> w.startsWith("POST") && !w.contains("/events")).isEmpty();
    }

    @Test
    void invalidSpecChangesNothingThatRunsAndSaysWhichField() throws Exception {
        runJavaTenant();
        ConfigMap config = client.configMaps().inNamespace("bf-java").withName("runner-config").get();
        drainWrites();

        // Host bits in a CIDR pass the CRD schema but not the validator.
        TenantEdits.edit(client, "java", t -> {
            var egress = new ArrayList<>(t.getSpec().egress());
            egress.set(0, new dev.buildfleet.api.EgressRule("harbor", "10.20.3.4/16", List.of(443)));
            t.setSpec(new BuildTenantSpec(t.getSpec().gitlab(), 3, t.getSpec().nodes(), t.getSpec().jobResources(),
                    t.getSpec().cache(), t.getSpec().builder(), egress, t.getSpec().monitoring(),
                    t.getSpec().storageDeletionPolicy()));
            return t;
        });

        eventually().untilAsserted(() ->
                assertThat(condition("java", Conditions.READY).getReason()).isEqualTo("InvalidSpec"));
        assertThat(condition("java", Conditions.READY).getMessage())
                .contains("spec.egress[0].cidr: '10.20.3.4/16' has host bits set");
        await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
        // Only the test's own spec update, the status and the event: no owned object was touched.
        assertThat(drainWrites()).allMatch(w -> w.equals("PATCH /apis/buildfleet.dev/v1alpha1/buildtenants/java")
                || w.contains("/buildtenants/java/status") || w.contains("/events"));
        assertThat(client.configMaps().inNamespace("bf-java").withName("runner-config").get().getData())
                .isEqualTo(config.getData());
        assertThat(client.v1().events().inAnyNamespace().list().getItems())
                .anyMatch(e -> e.getReason().equals("InvalidSpec") && e.getType().equals("Warning"));
    }

    @Test
    void nodeWithoutTheTaintIsReported() {
        node("worker-java-1", Map.of(Names.TENANT_LABEL, "java"), true, "16", "64Gi");
        node("worker-java-2", Map.of(Names.TENANT_LABEL, "java"), false, "16", "64Gi");
        startOperator();
        client.resource(tenant("java")).create();
        eventually().untilAsserted(() ->
                assertThat(condition("java", Conditions.NODES_READY)).isNotNull());
        Condition nodes = condition("java", Conditions.NODES_READY);
        assertThat(nodes.getStatus()).isEqualTo("False");
        assertThat(nodes.getReason()).isEqualTo("NodeNotTainted");
        assertThat(nodes.getMessage()).contains("[worker-java-2]", "other tenants",
                "kubectl taint node NAME buildfleet.dev/tenant=java:NoSchedule");
    }

    @Test
    void noMatchingNodesAndTooLittleCapacityAreReportedWithNumbers() {
        startOperator();
        client.resource(tenant("java")).create();
        eventually().untilAsserted(() ->
                assertThat(condition("java", Conditions.NODES_READY).getReason()).isEqualTo("NoMatchingNodes"));

        node("worker-java-1", Map.of(Names.TENANT_LABEL, "java"), true, "8", "64Gi");
        node("worker-java-2", Map.of(Names.TENANT_LABEL, "java"), true, "7500m", "64Gi");
        eventually().untilAsserted(() -> {
            assertThat(condition("java", Conditions.CAPACITY_SUFFICIENT).getStatus()).isEqualTo("False");
            assertThat(condition("java", Conditions.CAPACITY_SUFFICIENT).getMessage()).contains("2 node(s)");
        });
        // 20 jobs x (1 CPU build + 200m helper) + 100m manager = 24.1 CPU; 15.5 CPU offered.
        assertThat(condition("java", Conditions.CAPACITY_SUFFICIENT).getMessage())
                .contains("20 jobs x 1.2 CPU need 24.1 CPU; 2 node(s) offer 15.5", "at most 12 jobs fit");
        assertThat(fetch("java").getStatus().capacity().maxConcurrentJobs()).isEqualTo(12);
    }

    @Test
    void deletingTheTenantRunsTheFinalizer() {
        javaNodes();
        startOperator();
        client.resource(tenant("java")).create();
        eventually().untilAsserted(() -> assertThat(fetch("java").getFinalizers())
                .isNotEmpty());
        client.resources(BuildTenant.class).withName("java").delete();
        eventually().untilAsserted(() -> assertThat(fetch("java")).isNull());
    }

    @Test
    void restartedOperatorConvergesWithoutDuplicates() throws Exception {
        runJavaTenant();
        operator.stop();
        // Something deletes an owned object while no operator runs.
        client.network().v1().networkPolicies().inNamespace("bf-java").withName("build-jobs").delete();
        drainWrites();

        startOperator();
        eventually().untilAsserted(() -> assertThat(
                client.network().v1().networkPolicies().inNamespace("bf-java").withName("build-jobs").get())
                .isNotNull());
        await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
        List<String> writes = drainWrites();
        assertThat(writes).filteredOn(w -> w.startsWith("POST") && !w.contains("/events"))
                .containsExactly("POST /apis/networking.k8s.io/v1/namespaces/bf-java/networkpolicies");
        assertThat(client.network().v1().networkPolicies().inNamespace("bf-java").list().getItems()).hasSize(6);
        assertThat(client.serviceAccounts().inNamespace("bf-java").list().getItems()).hasSize(2);
    }

    /** Two replicas with leader election: only the Lease holder writes; when it stops, the other takes over. */
    @Test
    void onlyTheLeaderReconcilesAndTheStandbyTakesOver() throws Exception {
        javaNodes();
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName("buildfleet-system").endMetadata().build()).create();
        // JOSDK asks the API server whether it may use Leases; the mock answers as a real one would for our Role.
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder()
                        .withNewSpec().withNamespace("buildfleet-system").endSpec()
                        .withNewStatus().withIncomplete(false).addNewResourceRule()
                        .withApiGroups("coordination.k8s.io").withResources("leases")
                        .withVerbs("get", "create", "update").endResourceRule().endStatus().build())
                .always();
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        Operator a = BuildfleetOperator.create(client, fleet.config(), first,
                new BuildfleetOperator.Options("buildfleet-system", "replica-a", null, false), storage);
        a.start();
        eventually().untilAsserted(() -> assertThat(client.leases().inNamespace("buildfleet-system")
                .withName("buildfleet-operator").get().getSpec().getHolderIdentity()).isEqualTo("replica-a"));
        Operator b = BuildfleetOperator.create(client, fleet.config(), second,
                new BuildfleetOperator.Options("buildfleet-system", "replica-b", null, false), storage);
        b.start();
        try {
            client.resource(tenant("java")).create();
            eventually().untilAsserted(() -> assertThat(condition("java", Conditions.NODES_READY)).isNotNull());
            assertThat(second.find("buildfleet_reconciles").counter()).isNull();

            a.stop();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(
                    client.leases().inNamespace("buildfleet-system").withName("buildfleet-operator").get().getSpec()
                            .getHolderIdentity()).isEqualTo("replica-b"));
            client.network().v1().networkPolicies().inNamespace("bf-java").withName("build-jobs").delete();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(
                    client.network().v1().networkPolicies().inNamespace("bf-java").withName("build-jobs").get())
                    .isNotNull());
            eventually().untilAsserted(() ->
                    assertThat(second.find("buildfleet_reconciles").counter().count()).isPositive());
        } finally {
            b.stop();
        }
    }

    @Test
    void provisionedStorageKeysReachTheRunnerThroughASecretOnly() {
        runJavaTenant();
        StoragePlan plan = StoragePlan.of(TenantResolver.resolve(fleet.config(), tenant("java")));
        String keyId = storage.accessKeys(plan).getFirst();
        var secret = client.secrets().inNamespace("bf-java").withName("cache-s3-credentials").get();
        assertThat(StorageStep.keysOf(secret).accessKeyId()).isEqualTo(keyId);
        assertThat(secret.getMetadata().getOwnerReferences()).hasSize(1);
        assertThat(fetch("java").getStatus().storage().accessKeyId()).isEqualTo(keyId);
        assertThat(client.apps().deployments().inNamespace("bf-java").withName("gitlab-runner").get().getSpec()
                .getTemplate().getMetadata().getAnnotations()).containsEntry(StorageStep.KEY_ANNOTATION, keyId);
        // The secret key is in the Secret and nowhere else the operator writes.
        String secretKey = StorageStep.keysOf(secret).secretAccessKey();
        assertThat(Serialization.asYaml(fetch("java"))).doesNotContain(secretKey);
        assertThat(client.v1().events().inAnyNamespace().list().getItems())
                .noneMatch(e -> e.getMessage().contains(secretKey));
    }

    @Test
    void rgwDownSaysSoDeletesNothingAndRecovers() {
        javaNodes();
        storage.down = true;
        startOperator();
        client.resource(tenant("java")).create();
        eventually().untilAsserted(() ->
                assertThat(condition("java", StorageStep.STORAGE_READY).getReason()).isEqualTo("RGWUnreachable"));
        assertThat(condition("java", Conditions.READY).getReason()).isEqualTo("RGWUnreachable");
        assertThat(condition("java", StorageStep.STORAGE_READY).getMessage()).contains("nothing was deleted");

        storage.down = false;
        touchNode("worker-java-1");
        eventually().untilAsserted(() ->
                assertThat(condition("java", StorageStep.STORAGE_READY).getStatus()).isEqualTo("True"));
        assertThat(client.secrets().inNamespace("bf-java").withName("cache-s3-credentials").get()).isNotNull();
    }

    @Test
    void keyRotationRevokesTheOldKeyOnlyAfterTheRunnerRolledOntoTheNewOne() {
        runJavaTenant();
        StoragePlan plan = StoragePlan.of(TenantResolver.resolve(fleet.config(), tenant("java")));
        String oldKey = storage.accessKeys(plan).getFirst();

        TenantEdits.edit(client, "java", t -> {
            t.getMetadata().getAnnotations().put(StorageStep.ROTATE_ANNOTATION, "2026-11-23");
            return t;
        });
        eventually().untilAsserted(() -> assertThat(StorageStep.keysOf(client.secrets().inNamespace("bf-java")
                .withName("cache-s3-credentials").get()).accessKeyId()).isNotEqualTo(oldKey));
        String newKey = StorageStep.keysOf(client.secrets().inNamespace("bf-java").withName("cache-s3-credentials")
                .get()).accessKeyId();
        // The runner still runs with the old key until its new pod is available: both keys work.
        assertThat(storage.accessKeys(plan)).containsExactlyInAnyOrder(oldKey, newKey);
        Deployment runner = client.apps().deployments().inNamespace("bf-java").withName("gitlab-runner").get();
        assertThat(runner.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(StorageStep.KEY_ANNOTATION, newKey);

        runner.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
                .withObservedGeneration(runner.getMetadata().getGeneration()).withReplicas(1).withUpdatedReplicas(1)
                .withAvailableReplicas(1).build());
        client.resource(runner).updateStatus();
        eventually().untilAsserted(() -> assertThat(storage.accessKeys(plan)).containsExactly(newKey));
        eventually().untilAsserted(() -> {
            assertThat(fetch("java").getStatus().storage().rotationHandled()).isEqualTo("2026-11-23");
            assertThat(client.v1().events().inAnyNamespace().list().getItems())
                    .anyMatch(e -> e.getReason().equals("StorageKeyRotated"));
        });
    }

    @Test
    void anS3KeyTheOperatorDidNotHandOutIsRevokedOnceTheRunnerRunsWithItsOwn() {
        runJavaTenant();
        StoragePlan plan = StoragePlan.of(TenantResolver.resolve(fleet.config(), tenant("java")));
        String ownKey = storage.accessKeys(plan).getFirst();
        String planted = storage.issueKey(plan).accessKeyId();
        Deployment runner = client.apps().deployments().inNamespace("bf-java").withName("gitlab-runner").get();
        assertThat(storage.accessKeys(plan)).as("not before the runner runs with its key")
                .containsExactlyInAnyOrder(ownKey, planted);

        runner.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
                .withObservedGeneration(runner.getMetadata().getGeneration()).withReplicas(1).withUpdatedReplicas(1)
                .withAvailableReplicas(1).build());
        client.resource(runner).updateStatus();
        eventually().untilAsserted(() -> assertThat(storage.accessKeys(plan)).containsExactly(ownKey));
        assertThat(StorageStep.keysOf(client.secrets().inNamespace("bf-java").withName("cache-s3-credentials").get())
                .accessKeyId()).isEqualTo(ownKey);
        eventually().untilAsserted(() -> assertThat(client.v1().events().inAnyNamespace().list().getItems())
                .filteredOn(e -> e.getReason().equals("StorageKeyRevoked")).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).contains(planted).doesNotContain(ownKey)));
    }

    @Test
    void aNewTenantNamingAnOlderTenantsBucketAndTaintIsRefusedAndItsDeletionDeletesNothingOfTheOlder() throws Exception {
        runJavaTenant();
        StoragePlan javaPlan = StoragePlan.of(TenantResolver.resolve(fleet.config(), tenant("java")));
        var javaBefore = fetch("java").getStatus();
        var json = Serialization.jsonMapper().valueToTree(tenant("dotnet"));
        var spec = (com.fasterxml.jackson.databind.node.ObjectNode) json.path("spec");
        spec.with("cache").put("bucket", "bf-java-cache");
        spec.put("storageDeletionPolicy", "Delete");
        spec.with("nodes").putArray("tolerations").addObject().put("key", Names.TENANT_LABEL)
                .put("operator", "Exists");
        BuildTenant intruder = Serialization.jsonMapper().treeToValue(json, BuildTenant.class);
        Thread.sleep(1100);   // creation timestamps have second resolution: dotnet is the newer one
        client.resource(intruder).create();

        eventually().untilAsserted(() -> assertThat(condition("dotnet", Conditions.READY)).satisfies(c -> {
            assertThat(c.getReason()).isEqualTo("InvalidSpec");
            assertThat(c.getMessage()).contains("takes what an older tenant holds and nothing was changed",
                    "spec.cache.bucket: 'bf-java-cache' is also the bucket of BuildTenant java",
                    "spec.nodes.tolerations[0]: tolerates buildfleet.dev/tenant=java:NoSchedule");
        }));
        assertThat(client.namespaces().withName("bf-dotnet").get()).as("nothing of dotnet was made").isNull();
        assertThat(fetch("java").getStatus().storage().accessKeyId()).as("java keeps its storage")
                .isEqualTo(javaBefore.storage().accessKeyId());
        assertThat(condition("java", StorageStep.STORAGE_READY).getStatus()).isEqualTo("True");

        client.resources(BuildTenant.class).withName("dotnet").delete();
        eventually().untilAsserted(() -> assertThat(fetch("dotnet")).isNull());
        assertThat(storage.accessKeys(javaPlan)).as("java's bucket and user are untouched").hasSize(1);
        assertThat(client.v1().events().inAnyNamespace().list().getItems())
                .anyMatch(e -> e.getReason().equals("StorageUntouched") && e.getMessage().contains("older tenant"))
                .noneMatch(e -> e.getReason().equals("StorageDeleted"));
        assertThat(fetch("java").getStatus().bucket()).isEqualTo("bf-java-cache");
    }

    @Test
    void retainKeepsTheBucketAndUserWhenTheTenantGoes() {
        runJavaTenant();
        StoragePlan plan = StoragePlan.of(TenantResolver.resolve(fleet.config(), tenant("java")));
        client.resources(BuildTenant.class).withName("java").delete();
        eventually().untilAsserted(() -> assertThat(fetch("java")).isNull());
        assertThat(storage.accessKeys(plan)).hasSize(1);
        assertThat(client.v1().events().inAnyNamespace().list().getItems())
                .anyMatch(e -> e.getReason().equals("StorageRetained") && e.getMessage().contains("bf-java-cache"));
    }

    @Test
    void deletePolicyRemovesStorageButNotWhileRgwIsDown() {
        javaNodes();
        startOperator();
        BuildTenant java = tenant("java");
        java.setSpec(new BuildTenantSpec(java.getSpec().gitlab(), java.getSpec().concurrency(),
                java.getSpec().nodes(), java.getSpec().jobResources(), java.getSpec().cache(),
                java.getSpec().builder(), java.getSpec().egress(), java.getSpec().monitoring(),
                dev.buildfleet.api.DeletionPolicy.Delete));
        client.resource(java).create();
        eventually().untilAsserted(() ->
                assertThat(condition("java", StorageStep.STORAGE_READY).getStatus()).isEqualTo("True"));
        StoragePlan plan = StoragePlan.of(TenantResolver.resolve(fleet.config(), java));

        storage.down = true;
        client.resources(BuildTenant.class).withName("java").delete();
        eventually().untilAsserted(() -> assertThat(client.v1().events().inAnyNamespace().list().getItems())
                .anyMatch(e -> e.getReason().equals("RGWUnreachable") && e.getMessage().contains("nothing was deleted")));
        assertThat(fetch("java")).as("finalizer kept while RGW is down").isNotNull();

        storage.down = false;
        assertThat(storage.accessKeys(plan)).hasSize(1);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(fetch("java")).isNull());
        assertThat(client.v1().events().inAnyNamespace().list().getItems())
                .anyMatch(e -> e.getReason().equals("StorageDeleted"));
    }

    private void touchNode(String name) {
        Node n = client.nodes().withName(name).get();
        n.getMetadata().getAnnotations().put("touched", String.valueOf(System.nanoTime()));
        client.resource(n).update();
    }

    private static org.awaitility.core.ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(30)).ignoreExceptions();
    }

    private String checksum() {
        return client.apps().deployments().inNamespace("bf-java").withName("gitlab-runner").get().getSpec()
                .getTemplate().getMetadata().getAnnotations().get(Names.CONFIG_CHECKSUM_ANNOTATION);
    }

    private static BuildTenantSpec withConcurrency(BuildTenantSpec s, int concurrency) {
        return new BuildTenantSpec(s.gitlab(), concurrency, s.nodes(), s.jobResources(), s.cache(), s.builder(),
                s.egress(), s.monitoring(), s.storageDeletionPolicy());
    }
}
