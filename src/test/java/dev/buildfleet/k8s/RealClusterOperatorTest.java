package dev.buildfleet.k8s;

import dev.buildfleet.TenantEdits;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.marcnuri.helm.Helm;
import dev.buildfleet.Fixtures;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.DeletionPolicy;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.gitlab.FakeGitLab;
import dev.buildfleet.gitlab.GitLabRunners;
import dev.buildfleet.gitlab.HttpGitLabRunners;
import dev.buildfleet.model.Names;
import dev.buildfleet.storage.RealRgw;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The operator on a real control plane, as a platform team would run it: installed with {@code kubectl apply -k
 * deploy/base}, two replicas out of cluster, each with nothing but its ServiceAccount's token, the seeds' two tenants
 * on kwok nodes placed by the real scheduler, Ceph RGW real, GitLab the fake. The steps build on each other (one
 * cluster, one fleet), in order.
 */
@ExtendWith(RealRgw.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClusterOperatorTest {
    static final String SYSTEM = RealCluster.OPERATOR_NAMESPACE;
    static final String OPERATOR = RealCluster.OPERATOR_USER;
    static final String PAT = "glpat-real-cluster";
    static final List<String> TENANTS = List.of("java", "dotnet");

    RealCluster cluster;
    KubernetesClient admin;
    FakeGitLab gitlab;
    Path work;
    Path operatorKubeconfig;
    Path fleetConfig;
    /** The live replicas; {@link #restartExitedReplicas} replaces one that exited, as the Deployment would. */
    final List<OperatorProcess> replicas = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<OperatorProcess> exited = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.concurrent.ScheduledExecutorService kubelet = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor();
    String firstLeader;
    Instant leaderSince;
    Integer transitionsAtStart;
    long createMark;

    @BeforeAll
    void install() throws Exception {
        cluster = RealCluster.get();
        admin = cluster.adminClient();
        // In target/, so that the replicas' logs outlive the cluster for whoever reads a failed run.
        Files.createDirectories(Path.of("target/real-cluster"));
        work = Files.createTempDirectory(Path.of("target/real-cluster"), "operator-test-");
        for (int i = 1; i <= 4; i++) {
            cluster.addNode("java-" + i, "java", "8", "16Gi");
            cluster.addNode("dotnet-" + i, "dotnet", "8", "16Gi");
        }
        cluster.addNode("dotnet-5", "dotnet", "8", "16Gi");
        cluster.addNode("shared-1", null, "8", "16Gi");
        cluster.kubectl("apply", "-k", "deploy/base").ok();
        // The in-cluster Deployment has no image to run here; the replicas under test run out of cluster.
        cluster.kubectl("-n", SYSTEM, "scale", "deployment/buildfleet-operator", "--replicas=0").ok();

        gitlab = FakeGitLab.started().accessToken(PAT, "create_runner", "manage_runner", "read_api");
        RealRgw.Instance rgw = RealRgw.get();
        admin.resource(new SecretBuilder().withNewMetadata().withName("rgw-admin").withNamespace(SYSTEM).endMetadata()
                .withStringData(Map.of(Names.ACCESS_KEY_ID, rgw.adminKeys().accessKeyId(),
                        Names.SECRET_ACCESS_KEY, rgw.adminKeys().secretAccessKey())).build()).create();
        admin.resource(new SecretBuilder().withNewMetadata().withName("gitlab-token").withNamespace(SYSTEM)
                .endMetadata().withStringData(Map.of("token", PAT)).build()).create();
        fleetConfig = work.resolve("fleet-config.yaml");
        Files.writeString(fleetConfig, """
                gitlab:
                  url: %s
                  allowInsecureHttp: true
                  cidrs: [127.0.0.1/32]
                  accessTokenSecret: {namespace: buildfleet-system, name: gitlab-token, key: token}
                kubernetesApi: {cidrs: [10.96.0.1/32]}
                ceph:
                  endpoint: %s
                  region: default
                  cidrs: [127.0.0.1/32]
                  adminCredentialsSecret: {namespace: buildfleet-system, name: rgw-admin}
                operator: {namespace: buildfleet-system}
                """.formatted(gitlab.url(), rgw.endpoint()));
        operatorKubeconfig = cluster.kubeconfigFor(SYSTEM, Names.OPERATOR_SERVICE_ACCOUNT);
        replicas.add(startReplica("replica-a"));
        replicas.add(startReplica("replica-b"));
        kubelet.scheduleWithFixedDelay(this::restartExitedReplicas, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * What the kubelet and the ReplicaSet do for the Deployment's pods: a replica that exited (it lost the Lease, or
     * could not start) is replaced after 10 s, CrashLoopBackOff's first delay, by a new one under a new name.
     */
    void restartExitedReplicas() {
        for (OperatorProcess replica : replicas) {
            if (!replica.alive() && replica.exitedFor().compareTo(Duration.ofSeconds(10)) >= 0) {
                replicas.remove(replica);
                exited.add(replica);
                try {
                    replicas.add(startReplica(replica.identity().replaceFirst("-r\\d+$", "") + "-r"
                            + (exited.size())));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    OperatorProcess startReplica(String identity) throws Exception {
        return OperatorProcess.start(identity, operatorKubeconfig, fleetConfig, SYSTEM, freePort(), work);
    }

    @AfterAll
    void tearDown() {
        kubelet.shutdownNow();
        exited.forEach(r -> System.out.println("[RealClusterOperatorTest] " + r.identity() + " exited; its log: "
                + r.logFile()));
        replicas.forEach(r -> {
            System.out.println("[RealClusterOperatorTest] log of " + r.identity() + " (own lines):");
            r.ownLogLines().stream().limit(400).forEach(l -> System.out.println("  " + l));
            r.close();
        });
        if (gitlab != null) {
            gitlab.close();
        }
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    @Order(1)
    void installIsAcceptedAndTheHelmChartPassesTheApiServersValidation() throws Exception {
        assertThat(admin.apiextensions().v1().customResourceDefinitions().withName("buildtenants.buildfleet.dev")
                .get().getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Established");
                    assertThat(c.getStatus()).isEqualTo("True");
                });
        String chart = new Helm(Path.of("deploy/helm/buildfleet")).template().withName("buildfleet")
                .withNamespace(SYSTEM).call();
        // helm install puts what names no namespace into the release's; the Events Role and binding name default
        Map<String, List<HasMetadata>> byNamespace = admin.load(new java.io.ByteArrayInputStream(
                chart.getBytes(StandardCharsets.UTF_8))).items().stream().collect(Collectors.groupingBy(
                o -> Objects.requireNonNullElse(o.getMetadata().getNamespace(), SYSTEM), TreeMap::new,
                Collectors.toList()));
        assertThat(byNamespace).containsOnlyKeys(SYSTEM, "default");
        StringBuilder applied = new StringBuilder();
        byNamespace.forEach((namespace, objects) -> {
            RealCluster.Result dryRun = cluster.kubectlWith(cluster.adminKubeconfig(), Serialization.asYaml(
                    new KubernetesListBuilder().withItems(objects).build()), "apply", "--dry-run=server", "-n",
                    namespace, "-f", "-");
            assertThat(dryRun.exit()).as(dryRun.toString()).isZero();
            applied.append(dryRun.out());
        });
        assertThat(applied).contains(
                "validatingadmissionpolicy.admissionregistration.k8s.io/buildfleet-operator-tenant-namespaces-only",
                "role.rbac.authorization.k8s.io/buildfleet-operator-events");
    }

    @Test
    @Order(2)
    void theSeedsTenantsConvergeAndTheirPodsRunOnTheirOwnNodesOnly() throws Exception {
        createMark = cluster.auditMark();
        Fleet fleet = Fixtures.example();
        for (BuildTenant tenant : fleet.tenants()) {
            BuildTenant copy = Serialization.clone(tenant);
            if (copy.getMetadata().getName().equals("java")) {
                copy = withDeletionPolicy(copy, DeletionPolicy.Delete);
            }
            admin.resource(copy).create();
        }
        // dotnet brings its own runner token (a glrt- token registered in GitLab by hand)
        await().atMost(Duration.ofSeconds(60)).until(() -> admin.namespaces().withName("bf-dotnet").get() != null);
        String dotnetToken = new HttpGitLabRunners(new HttpGitLabRunners.Connection(gitlab.url(), null, null,
                Duration.ofSeconds(5)), PAT).create(new GitLabRunners.RunnerSettings("group_type", 12L, null,
                "dotnet, registered by hand", List.of("dotnet"), false, "ref_protected", true, false, null)).token();
        admin.resource(new SecretBuilder().withNewMetadata().withName("dotnet-runner-token")
                .withNamespace("bf-dotnet").endMetadata().withStringData(Map.of("token", dotnetToken)).build())
                .create();

        for (String tenant : TENANTS) {
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(condition(tenant, "Ready"))
                    .as(() -> tenant + ": " + conditions(tenant)).extracting(Condition::getStatus).isEqualTo("True"));
        }
        for (String tenant : TENANTS) {
            List<Pod> pods = admin.pods().inNamespace("bf-" + tenant).list().getItems();
            assertThat(pods).extracting(p -> p.getMetadata().getLabels().get(Names.ROLE_LABEL))
                    .contains(Names.ROLE_RUNNER_MANAGER, Names.ROLE_CACHE_REGISTRY);
            assertThat(pods).allSatisfy(p -> {
                assertThat(p.getSpec().getNodeName()).as(p.getMetadata().getName()).startsWith(tenant + "-");
                assertThat(p.getStatus().getPhase()).isEqualTo("Running");
            });
        }
        assertThat(gitlab.runners()).hasSize(2);

        Lease lease = admin.leases().inNamespace(SYSTEM).withName("buildfleet-operator").get();
        firstLeader = lease.getSpec().getHolderIdentity();
        transitionsAtStart = lease.getSpec().getLeaseTransitions();
        leaderSince = Instant.now();
        assertThat(firstLeader).isIn("replica-a", "replica-b");
        assertThat(replicas).allSatisfy(r -> assertThat(r.alive()).as(r.identity()).isTrue());

        Map<String, Long> writes = cluster.writesSince(createMark, OPERATOR, e -> !isLease(e)).stream()
                .collect(Collectors.groupingBy(e -> e.at("/objectRef/resource").asText()
                        + (e.at("/objectRef/subresource").isMissingNode() ? "" : "/"
                        + e.at("/objectRef/subresource").asText()) + " " + e.path("verb").asText(), TreeMap::new,
                        Collectors.counting()));
        long total = writes.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("[RealClusterOperatorTest] audit log: %d writes by the operator to converge %d tenants "
                + "(%.1f per tenant): %s%n", total, TENANTS.size(), total / (double) TENANTS.size(), writes);
        assertThat(cluster.writesSince(createMark, OPERATOR, e -> e.at("/responseStatus/code").asInt() >= 400
                && e.at("/responseStatus/code").asInt() != 409))
                .as("no write of the operator was refused (by RBAC, admission or validation)").isEmpty();
        for (String tenant : TENANTS) {
            assertThat(cluster.kubectl("describe", "buildtenant", tenant).ok().out())
                    .as("the tenant's history in kubectl describe").contains("Events:", "buildfleet-operator")
                    .doesNotContain("Events:  <none>");
        }
        List<String> header = List.of(cluster.kubectl("get", "buildtenants").ok().out().lines().findFirst()
                .orElseThrow().trim().split("\\s+"));
        assertThat(header).containsExactly("NAME", "READY", "RUNNER", "CONCURRENCY", "NODES", "AGE");
    }

    @Test
    @Order(3)
    void aTenantWithoutNodesIsPendingAndSaysSo() {
        admin.resource(tenant("go", "{concurrency: 2, gitlab: {runner: {tokenSecretRef: {name: none}}}}"))
                .create();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(condition("go", "NodesReady")).isNotNull();
            assertThat(condition("go", "NodesReady").getStatus()).isEqualTo("False");
            assertThat(condition("go", "NodesReady").getMessage()).contains("buildfleet.dev/tenant=go");
            assertThat(admin.pods().inNamespace("bf-go").withLabel(Names.ROLE_LABEL, Names.ROLE_CACHE_REGISTRY)
                    .list().getItems()).singleElement().satisfies(p -> {
                        assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
                        assertThat(p.getSpec().getNodeName()).isNull();
                    });
        });
        admin.resources(BuildTenant.class).withName("go").delete();
        await().atMost(Duration.ofSeconds(90)).until(() -> admin.namespaces().withName("bf-go").get() == null);
    }

    @Test
    @Order(4)
    void aNewcomerOnAnotherTenantsNodesAndBucketIsRefusedAndItsDeletionLeavesTheOtherAlone() {
        long mark = cluster.auditMark();
        admin.resource(tenant("intruder", """
                {gitlab: {runner: {tokenSecretRef: {name: none}}}, storageDeletionPolicy: Delete,
                 nodes: {selector: {buildfleet.dev/tenant: java},
                         tolerations: [{key: buildfleet.dev/tenant, operator: Exists, effect: NoSchedule}]},
                 cache: {bucket: bf-java-cache}}""")).create();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Condition ready = condition("intruder", "Ready");
            assertThat(ready).isNotNull();
            assertThat(ready.getReason()).isEqualTo("InvalidSpec");
            assertThat(ready.getMessage()).contains("older tenant",
                    "spec.cache.bucket: 'bf-java-cache' is also the bucket of BuildTenant java",
                    "spec.nodes.selector: node labels {buildfleet.dev/tenant=java} and BuildTenant java's",
                    "spec.nodes.tolerations[0]: tolerates buildfleet.dev/tenant=java:NoSchedule");
        });
        assertThat(admin.namespaces().withName("bf-intruder").get()).as("nothing of it was made").isNull();
        List<JsonNode> writes = cluster.writesSince(mark, OPERATOR, e -> !isLease(e));
        assertThat(writes).as("the operator wrote only the newcomer's status and events")
                .allSatisfy(e -> assertThat(e.at("/objectRef/resource").asText()).isIn("buildtenants", "events"));

        admin.resources(BuildTenant.class).withName("intruder").delete();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                admin.resources(BuildTenant.class).withName("intruder").get() == null);
        assertThat(RealRgw.get().radosgwAdmin("bucket", "list")).as("java's bucket stays").contains("bf-java-cache");
        assertThat(condition("java", "Ready").getStatus()).isEqualTo("True");
    }

    @Test
    @Order(5)
    void concurrencyJobPodsAsTheRunnerBuildsThemAreAdmittedPlacedAndFitTheQuota() throws Exception {
        Path runnerKubeconfig = cluster.kubeconfigFor("bf-java", Names.RUNNER_MANAGER_SERVICE_ACCOUNT);
        JsonNode kubernetes = new TomlMapper().readTree(admin.configMaps().inNamespace("bf-java")
                .withName(Names.RUNNER_CONFIG_MAP).get().getData().get("config.toml"))
                .path("runners").get(0).path("kubernetes");
        int concurrency = kubernetes.path("namespace").asText().equals("bf-java") ? 20 : -1;
        try (KubernetesClient runner = RealCluster.client(runnerKubeconfig)) {
            for (int i = 0; i < concurrency; i++) {
                runner.resource(jobPod(kubernetes, "runner-job-" + i)).create();
            }
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(runner.pods().inNamespace("bf-java")
                    .withLabel(Names.ROLE_LABEL, Names.ROLE_BUILD_JOB).list().getItems())
                    .hasSize(concurrency).allSatisfy(p -> {
                        assertThat(p.getSpec().getNodeName()).startsWith("java-");
                        assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                    }));
            // The runner manager's rights end at its namespace; Pod Security refuses a privileged job.
            assertThatThrownBy(() -> runner.resource(jobPod(kubernetes, "elsewhere")).inNamespace("bf-dotnet")
                    .create()).isInstanceOf(KubernetesClientException.class).hasMessageContaining("forbidden");
            Pod privileged = jobPod(kubernetes, "privileged");
            privileged.getSpec().getContainers().get(0).getSecurityContext().setPrivileged(true);
            assertThatThrownBy(() -> runner.resource(privileged).create())
                    .isInstanceOf(KubernetesClientException.class).hasMessageContaining("privileged");
            for (int i = 0; i < concurrency; i++) {
                runner.pods().inNamespace("bf-java").withName("runner-job-" + i).delete();
            }
        }
    }

    @Test
    @Order(6)
    void whatEachIdentityCanNotDoOnTheRealAuthorizer() throws Exception {
        String runnerJava = "system:serviceaccount:bf-java:" + Names.RUNNER_MANAGER_SERVICE_ACCOUNT;
        String buildJava = "system:serviceaccount:bf-java:" + Names.BUILD_SERVICE_ACCOUNT;
        // the operator
        assertThat(cluster.canI(OPERATOR, "get", "secrets", "kube-system")).isFalse();
        assertThat(cluster.canI(OPERATOR, "get", "secrets", "default")).isFalse();
        assertThat(cluster.canI(OPERATOR, "list", "secrets", null)).isFalse();
        assertThat(cluster.canI(OPERATOR, "list", "secrets", "bf-java")).isFalse();
        assertThat(cluster.canI(OPERATOR, "get", "secrets/gitlab-token", SYSTEM)).isTrue();
        assertThat(cluster.canI(OPERATOR, "get", "secrets/other", SYSTEM)).isFalse();
        assertThat(cluster.canI(OPERATOR, "create", "roles", "bf-java")).isFalse();
        assertThat(cluster.canI(OPERATOR, "escalate", "roles", "bf-java")).isFalse();
        assertThat(cluster.canI(OPERATOR, "create", "clusterroles", null)).isFalse();
        assertThat(cluster.canI(OPERATOR, "bind", "clusterroles/cluster-admin", null)).isFalse();
        assertThat(cluster.canI(OPERATOR, "create", "pods", "bf-java")).isFalse();
        assertThat(cluster.canI(OPERATOR, "create", "pods/exec", "bf-java")).isFalse();
        assertThat(cluster.canI(OPERATOR, "delete", "namespaces", null)).isFalse();
        assertThat(cluster.canI(OPERATOR, "create", "events", "default")).isTrue();
        assertThat(cluster.canI(OPERATOR, "create", "events", "kube-system")).isFalse();
        assertThat(cluster.canI(OPERATOR, "create", "events", "bf-java")).isFalse();
        // RBAC lets the operator create RoleBindings anywhere; the admission policy keeps them in its namespaces
        try (KubernetesClient operator = RealCluster.client(operatorKubeconfig)) {
            assertThatThrownBy(() -> operator.resource(Serialization.unmarshal("""
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: take-over, namespace: kube-system}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: buildfleet-operator-tenant}
                    subjects: [{kind: ServiceAccount, name: buildfleet-operator, namespace: buildfleet-system}]
                    """, io.fabric8.kubernetes.api.model.rbac.RoleBinding.class)).create())
                    .isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("buildfleet-operator-tenant-namespaces-only");
            var kubeSystem = admin.namespaces().withName("kube-system").get();
            kubeSystem.getMetadata().getLabels().put(Names.MANAGED_BY_LABEL, Names.MANAGED_BY);
            assertThatThrownBy(() -> operator.resource(kubeSystem).update()).isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("buildfleet-operator-tenant-namespaces-only");
            assertThatThrownBy(() -> operator.configMaps().inNamespace("default").resource(
                    new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("x")
                            .endMetadata().build()).create()).isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("buildfleet-operator-tenant-namespaces-only");
        }
        // a runner manager: pods in its own namespace only, no other tenant's Secrets
        assertThat(cluster.canI(runnerJava, "create", "pods", "bf-java")).isTrue();
        assertThat(cluster.canI(runnerJava, "create", "pods/exec", "bf-java")).isTrue();
        assertThat(cluster.canI(runnerJava, "create", "pods", "bf-dotnet")).isFalse();
        assertThat(cluster.canI(runnerJava, "create", "pods", "default")).isFalse();
        assertThat(cluster.canI(runnerJava, "get", "secrets", "bf-dotnet")).isFalse();
        assertThat(cluster.canI(runnerJava, "list", "secrets", "bf-java")).isFalse();
        assertThat(cluster.canI(runnerJava, "create", "rolebindings", "bf-java")).isFalse();
        assertThat(cluster.canI(runnerJava, "list", "nodes", null)).isFalse();
        // the build jobs' ServiceAccount: nothing at all, and no token in its pods
        for (String[] verbResource : List.of(new String[]{"get", "pods"}, new String[]{"create", "pods"},
                new String[]{"get", "secrets"}, new String[]{"list", "configmaps"}, new String[]{"get", "services"},
                new String[]{"list", "buildtenants.buildfleet.dev"})) {
            assertThat(cluster.canI(buildJava, verbResource[0], verbResource[1], "bf-java"))
                    .as(String.join(" ", verbResource)).isFalse();
        }
        assertThat(admin.serviceAccounts().inNamespace("bf-java").withName(Names.BUILD_SERVICE_ACCOUNT).get()
                .getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    @Order(7)
    void aResyncWithNothingToChangeWritesNothingInTheAuditLog() {
        long mark = cluster.auditMark();
        // Every tenant is reconciled again (the operator is not generation-aware), with nothing to change.
        for (String tenant : TENANTS) {
            TenantEdits.edit(admin, tenant, t -> {
                t.getMetadata().getAnnotations().put("test.buildfleet.dev/poke", String.valueOf(System.nanoTime()));
                return t;
            });
        }
        await().pollDelay(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(20)).until(() -> true);
        List<JsonNode> writes = cluster.writesSince(mark, OPERATOR, e -> !isLease(e));
        assertThat(writes).as(() -> writes.stream().map(e -> e.path("verb").asText() + " "
                + e.at("/objectRef/resource").asText() + "/" + e.at("/objectRef/name").asText()).toList().toString())
                .isEmpty();
    }

    @Test
    @Order(8)
    void theLeaderKeptTheLeaseAllAlongAndTheStandbyTakesOverWhenItIsKilledMidReconcile() throws Exception {
        // Held for two minutes at least (renewed every 2 s), with no transition on the way.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(holder()).isEqualTo(firstLeader);
            assertThat(Duration.between(leaderSince, Instant.now())).isGreaterThan(Duration.ofMinutes(2));
        });
        Lease lease = admin.leases().inNamespace(SYSTEM).withName("buildfleet-operator").get();
        Duration held = Duration.between(leaderSince, Instant.now());
        System.out.printf("[RealClusterOperatorTest] %s held the Lease for %d s with %s transitions%n", firstLeader,
                held.toSeconds(), lease.getSpec().getLeaseTransitions());
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(firstLeader);
        assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(transitionsAtStart);
        assertThat(replicas).allSatisfy(r -> assertThat(r.alive()).as(r.identity()).isTrue());

        OperatorProcess leader = replicas.stream().filter(r -> r.identity().equals(firstLeader)).findFirst()
                .orElseThrow();
        OperatorProcess standby = replicas.stream().filter(r -> r != leader).findFirst().orElseThrow();
        setConcurrency("java", 12);
        await().atMost(Duration.ofSeconds(20)).until(() -> leader.log().contains("tenant=java updated"));
        leader.kill();
        Instant killed = Instant.now();
        await().atMost(Duration.ofSeconds(40)).until(() -> !leader.identity().equals(holder()));
        Duration takeover = Duration.between(killed, Instant.now());
        System.out.printf("[RealClusterOperatorTest] %s took over %d ms after %s was killed (standby: %s)%n",
                holder(), takeover.toMillis(), leader.identity(), standby.identity());
        assertThat(replicas.stream().filter(OperatorProcess::alive).map(OperatorProcess::identity))
                .contains(holder());
        assertThat(takeover).isLessThan(Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(admin.configMaps().inNamespace("bf-java")
                .withName(Names.RUNNER_CONFIG_MAP).get().getData().get("config.toml")).isNotNull());
        await().atMost(Duration.ofSeconds(60)).until(() -> runnerConcurrency("java") == 12);
        assertNothingDuplicated();
    }

    @Test
    @Order(9)
    void afterAnApiServerRestartTheOperatorConvergesAgain() throws Exception {
        cluster.restartApiServer(Duration.ofSeconds(3));
        setConcurrency("java", 20);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(runnerConcurrency("java")).isEqualTo(20);
            assertThat(condition("java", "Ready").getStatus()).isEqualTo("True");
        });
        assertNothingDuplicated();
    }

    @Test
    @Order(10)
    void deletingATenantCleansUpItsRunnerAndStorageThenTheGarbageCollectorRemovesItsNamespace() {
        RealRgw.Instance rgw = RealRgw.get();
        assertThat(rgw.radosgwAdmin("bucket", "list")).contains("bf-java-cache", "bf-dotnet-cache");
        for (String tenant : TENANTS) {
            admin.resources(BuildTenant.class).withName(tenant).delete();
        }
        for (String tenant : TENANTS) {
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                assertThat(admin.resources(BuildTenant.class).withName(tenant).get()).isNull();
                assertThat(admin.namespaces().withName("bf-" + tenant).get()).isNull();
            });
        }
        // java: Delete -> bucket and user gone; dotnet: Retain (the seeds' choice) -> kept with its data
        String buckets = rgw.radosgwAdmin("bucket", "list");
        assertThat(buckets).doesNotContain("bf-java-cache").contains("bf-dotnet-cache");
        assertThat(gitlab.runners().values()).extracting(r -> r.description)
                .noneMatch(d -> d != null && d.contains("buildfleet java"));
        assertThat(admin.leases().inNamespace(SYSTEM).withName("buildfleet-operator").get()).isNotNull();
    }

    String holder() {
        return admin.leases().inNamespace(SYSTEM).withName("buildfleet-operator").get().getSpec().getHolderIdentity();
    }

    void assertNothingDuplicated() {
        assertThat(admin.apps().deployments().inNamespace("bf-java").list().getItems())
                .extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder(Names.RUNNER_DEPLOYMENT, Names.CACHE_REGISTRY);
        // The runner Deployment is Recreate: right after a change there may be no manager pod for a moment, never two
        java.util.concurrent.atomic.AtomicLong most = new java.util.concurrent.atomic.AtomicLong();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            long managers = admin.pods().inNamespace("bf-java").withLabel(Names.ROLE_LABEL, Names.ROLE_RUNNER_MANAGER)
                    .list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).count();
            most.accumulateAndGet(managers, Math::max);
            assertThat(managers).isEqualTo(1);
        });
        assertThat(most.get()).as("runner manager pods at once").isEqualTo(1);
        assertThat(gitlab.runners().values().stream().filter(r -> r.description != null
                && r.description.contains("buildfleet java"))).hasSize(1);
        assertThat(rgwKeys("bf-java")).hasSize(1);
    }

    List<String> rgwKeys(String user) {
        try {
            JsonNode info = Serialization.jsonMapper().readTree(RealRgw.get().radosgwAdmin("user", "info",
                    "--uid", user));
            List<String> keys = new ArrayList<>();
            info.path("keys").forEach(k -> keys.add(k.path("access_key").asText()));
            return keys;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void setConcurrency(String tenant, int concurrency) {
        admin.resources(BuildTenant.class).withName(tenant).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"concurrency\":" + concurrency + "}}");
    }

    /** `concurrent` of the runner's config.toml as the ConfigMap holds it now. */
    int runnerConcurrency(String tenant) throws Exception {
        return new TomlMapper().readTree(admin.configMaps().inNamespace("bf-" + tenant)
                .withName(Names.RUNNER_CONFIG_MAP).get().getData().get("config.toml")).path("concurrent").asInt();
    }

    static BuildTenant withDeletionPolicy(BuildTenant tenant, DeletionPolicy policy) {
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Serialization.jsonMapper().valueToTree(tenant);
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.path("spec")).put("storageDeletionPolicy",
                policy.name());
        return Serialization.jsonMapper().convertValue(tree, BuildTenant.class);
    }

    static BuildTenant tenant(String name, String specYaml) {
        return Serialization.unmarshal("""
                apiVersion: buildfleet.dev/v1alpha1
                kind: BuildTenant
                metadata: {name: %s}
                spec: %s
                """.formatted(name, specYaml), BuildTenant.class);
    }

    Condition condition(String tenant, String type) {
        BuildTenant t = admin.resources(BuildTenant.class).withName(tenant).get();
        if (t == null || t.getStatus() == null || t.getStatus().conditions() == null) {
            return null;
        }
        return t.getStatus().conditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
    }

    String conditions(String tenant) {
        BuildTenant t = admin.resources(BuildTenant.class).withName(tenant).get();
        return t == null || t.getStatus() == null ? "no status" : t.getStatus().conditions().stream()
                .map(c -> c.getType() + "=" + c.getStatus() + " " + c.getReason() + ": " + c.getMessage())
                .collect(Collectors.joining("\n"));
    }

    static boolean isLease(JsonNode auditEvent) {
        return auditEvent.at("/objectRef/resource").asText().equals("leases");
    }

    /**
     * A job pod the way gitlab-runner's Kubernetes executor builds one from [runners.kubernetes]: the build container
     * with the job image, the helper beside it, the init-permissions container, node selector, tolerations, pod
     * labels, ServiceAccount without token, resources and security contexts from the keys.
     */
    static Pod jobPod(JsonNode k, String name) {
        List<Toleration> tolerations = new ArrayList<>();
        k.path("node_tolerations").properties().forEach(e -> {
            String key = e.getKey();
            TolerationBuilder t = new TolerationBuilder().withEffect(e.getValue().asText());
            if (key.contains("=")) {
                t.withKey(key.substring(0, key.indexOf('='))).withOperator("Equal")
                        .withValue(key.substring(key.indexOf('=') + 1));
            } else {
                t.withKey(key).withOperator("Exists");
            }
            tolerations.add(t.build());
        });
        Map<String, String> labels = new TreeMap<>();
        k.path("pod_labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        Map<String, String> selector = new TreeMap<>();
        k.path("node_selector").properties().forEach(e -> selector.put(e.getKey(), e.getValue().asText()));
        String helperImage = k.path("helper_image").asText("registry.gitlab.com/gitlab-org/gitlab-runner/"
                + "gitlab-runner-helper:x86_64-v18.6.0");
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(k.path("namespace").asText())
                .withLabels(labels).endMetadata()
                .withNewSpec()
                .withServiceAccountName(k.path("service_account").asText())
                .withAutomountServiceAccountToken(k.path("automount_service_account_token").asBoolean())
                .withNodeSelector(selector).withTolerations(tolerations).withRestartPolicy("Never")
                .addToInitContainers(new ContainerBuilder().withName("init-permissions").withImage(helperImage)
                        .withResources(resources(k, "helper_")).withNewSecurityContext()
                        .withAllowPrivilegeEscalation(false).endSecurityContext().build())
                .addToContainers(new ContainerBuilder().withName("build").withImage(k.path("image").asText())
                        .withResources(resources(k, "")).withNewSecurityContext()
                        .withPrivileged(k.path("privileged").asBoolean())
                        .withAllowPrivilegeEscalation(k.path("allow_privilege_escalation").asBoolean())
                        .withNewCapabilities().withDrop("NET_RAW").endCapabilities().endSecurityContext()
                        .addNewVolumeMount().withName("docker-config").withMountPath(
                                k.at("/volumes/secret/0/mount_path").asText()).withReadOnly(true).endVolumeMount()
                        .build(),
                        new ContainerBuilder().withName("helper").withImage(helperImage)
                                .withResources(resources(k, "helper_")).withNewSecurityContext()
                                .withAllowPrivilegeEscalation(false).endSecurityContext().build())
                .addNewVolume().withName("docker-config").withNewSecret()
                .withSecretName(k.at("/volumes/secret/0/name").asText()).endSecret().endVolume()
                .endSpec().build();
    }

    static ResourceRequirements resources(JsonNode k, String prefix) {
        return new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", q(k, prefix + "cpu_request"), "memory", q(k, prefix + "memory_request"),
                        "ephemeral-storage", q(k, prefix + "ephemeral_storage_request")))
                .withLimits(Map.of("cpu", q(k, prefix + "cpu_limit"), "memory", q(k, prefix + "memory_limit"),
                        "ephemeral-storage", q(k, prefix + "ephemeral_storage_limit")))
                .build();
    }

    static Quantity q(JsonNode k, String key) {
        assertThat(k.has(key)).as("config.toml has " + key).isTrue();
        return new Quantity(k.path(key).asText());
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
