package dev.buildfleet.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.buildfleet.cli.Cli;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.gitlab.FakeGitLab;
import dev.buildfleet.gitlab.HttpGitLabRunners;
import dev.buildfleet.k8s.RealCluster;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.operator.RunnerStep;
import dev.buildfleet.storage.RealRgw;
import dev.buildfleet.storage.S3Clients;
import dev.buildfleet.storage.S3Keys;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.Type;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * buildfleet verify on a real control plane (kube-apiserver with RBAC and an audit log, the scheduler, kwok nodes),
 * the real Ceph RGW and the fake GitLab. Two tenants, shop and ledger, applied from render's output with kubectl
 * apply -k, no operator. A clean fleet passes every check; each deliberate breach after it fails exactly the check
 * meant to catch it, with its evidence, and passes again once undone. verify runs as deploy/verify's read-only
 * ServiceAccount, and the audit log shows it never wrote.
 */
@ExtendWith(RealRgw.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VerifyRealClusterTest {
    static final String PAT = "glpat-verify-test";
    static final String TAINT = "buildfleet.dev/tenant=shop:NoSchedule";

    RealCluster cluster;
    KubernetesClient admin;
    FakeGitLab gitlab;
    RenderedFleet fleet;
    Map<String, String> env;
    S3Keys shopKeys;
    long shopRunner;

    @BeforeAll
    void applyTheRenderedFleet() throws Exception {
        cluster = RealCluster.get();
        admin = cluster.adminClient();
        gitlab = FakeGitLab.started().accessToken(PAT, "create_runner", "manage_runner", "read_api");
        RealRgw.Instance rgw = RealRgw.get();
        cluster.addNode("shop-1", "shop", "8", "16Gi");
        cluster.addNode("shop-2", "shop", "8", "16Gi");
        cluster.addNode("ledger-1", "ledger", "8", "16Gi");
        cluster.addNode("verify-shared-1", null, "8", "16Gi");
        String yaml = """
                apiVersion: buildfleet.dev/v1alpha1
                kind: Fleet
                config:
                  gitlab: {url: "%s", allowInsecureHttp: true, cidrs: [10.10.0.10/32]}
                  kubernetesApi: {cidrs: [10.96.0.1/32]}
                  ceph: {endpoint: "%s", region: default, cidrs: [10.10.1.0/24]}
                  monitoring: {namespace: verify-monitoring}
                  verify:
                    tenantNodes: {namespaces: [verify-platform-agents]}
                tenants:
                  - apiVersion: buildfleet.dev/v1alpha1
                    kind: BuildTenant
                    metadata: {name: shop}
                    spec:
                      gitlab: {runner: {create: {runnerType: group_type, groupId: 12, tags: [shop, kaniko]}}}
                      concurrency: 4
                      monitoring: {serviceMonitor: false, prometheusRule: false}
                      egress: [{name: harbor, cidr: 10.20.0.0/16, ports: [443]}]
                  - apiVersion: buildfleet.dev/v1alpha1
                    kind: BuildTenant
                    metadata: {name: ledger}
                    spec:
                      gitlab: {runner: {tokenSecretRef: {name: ledger-runner-token}}}
                      concurrency: 4
                      monitoring: {serviceMonitor: false, prometheusRule: false}
                """.formatted(gitlab.url(), rgw.endpoint());
        fleet = RenderedFleet.apply(cluster, "verify-test", yaml, List.of("shop", "ledger"));

        env = new HashMap<>(Map.of("BUILDFLEET_RGW_ACCESS_KEY", rgw.adminKeys().accessKeyId(),
                "BUILDFLEET_RGW_SECRET_KEY", rgw.adminKeys().secretAccessKey(), "GITLAB_TOKEN", PAT));
        Path creds = fleet.dir.resolve("creds");
        Cli ensure = Cli.runWithEnv(env, "storage", "ensure", "-f", fleet.fleet.toString(), "--credentials-out",
                creds.toString());
        assertThat(ensure.exitCode()).as(ensure.err()).isZero();
        Properties shop = new Properties();
        try (Reader in = Files.newBufferedReader(creds.resolve("shop.env"))) {
            shop.load(in);
        }
        shopKeys = new S3Keys(shop.getProperty("AWS_ACCESS_KEY_ID"), shop.getProperty("AWS_SECRET_ACCESS_KEY"));

        var declared = FleetLoader.load(fleet.fleet);
        var shopTenant = declared.tenants().getFirst();
        shopRunner = new HttpGitLabRunners(new HttpGitLabRunners.Connection(gitlab.url(), null, null,
                Duration.ofSeconds(5)), PAT).create(RunnerStep.settingsOf(shopTenant,
                TenantResolver.resolve(declared.config(), shopTenant))).id();

        // What a real cluster has beside the tenants: a DaemonSet on every node, and a platform agent the fleet
        // allows on tenant nodes.
        admin.resource(new NamespaceBuilder().withNewMetadata().withName("verify-node-agents").endMetadata().build())
                .create();
        admin.resource(new DaemonSetBuilder().withNewMetadata().withName("node-agent")
                .withNamespace("verify-node-agents").endMetadata().withNewSpec()
                .withNewSelector().withMatchLabels(Map.of("app", "node-agent")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "node-agent")).endMetadata()
                .withNewSpec().addNewToleration().withOperator("Exists").endToleration()
                .addNewContainer().withName("agent").withImage("busybox").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        admin.resource(new NamespaceBuilder().withNewMetadata().withName("verify-platform-agents").endMetadata()
                .build()).create();
        admin.resource(new PodBuilder().withNewMetadata().withName("log-shipper")
                .withNamespace("verify-platform-agents").endMetadata().withNewSpec().withNodeName("shop-1")
                .addNewContainer().withName("shipper").withImage("busybox").endContainer().endSpec().build())
                .create();
        admin.resource(new NamespaceBuilder().withNewMetadata().withName("verify-monitoring").endMetadata().build())
                .create();
        admin.resource(new PodBuilder().withNewMetadata().withName("prometheus").withNamespace("verify-monitoring")
                .endMetadata().withNewSpec().withNodeName("verify-shared-1").addNewContainer().withName("prometheus")
                .withImage("prom/prometheus").endContainer().endSpec().build()).create();
        RenderedFleet.awaitRunning(admin, List.of("bf-shop", "bf-ledger", "verify-monitoring"), 5);
        await().atMost(Duration.ofSeconds(60)).until(() -> admin.pods().inNamespace("verify-node-agents").list()
                .getItems().stream().filter(p -> List.of("shop-1", "shop-2", "ledger-1")
                        .contains(p.getSpec().getNodeName())).count() == 3);
    }

    @AfterAll
    void cleanUp() {
        if (fleet != null) {
            System.out.println("[VerifyRealClusterTest] buildfleet verify of 2 tenants (all checks, storage and "
                    + "GitLab included): " + fleet.timings());
        }
        if (admin != null) {
            for (String ns : List.of("bf-shop", "bf-ledger", "verify-node-agents", "verify-platform-agents",
                    "verify-monitoring")) {
                admin.namespaces().withName(ns).delete();
            }
            for (String node : List.of("shop-1", "shop-2", "ledger-1", "verify-shared-1")) {
                admin.nodes().withName(node).delete();
            }
            admin.close();
        }
        if (gitlab != null) {
            gitlab.close();
        }
    }

    RenderedFleet.Run verify(String... args) {
        List<String> all = new ArrayList<>(List.of("-o", "json"));
        all.addAll(List.of(args));
        return fleet.run(env, "verify", fleet.fleet, all.toArray(String[]::new));
    }

    /** After a breach is undone, everything passes again (ledger's given runner token is not checked). */
    void assertClean() {
        RenderedFleet.Run run = verify();
        assertThat(run.exit()).as(run::toString).isZero();
        assertThat(run.failures()).isEmpty();
        assertThat(run.results("ERROR")).isEmpty();
        assertThat(run.results("SKIPPED")).singleElement().satisfies(r -> {
            assertThat(r.path("tenant").asText()).isEqualTo("ledger");
            assertThat(r.path("check").asText()).isEqualTo("gitlab");
        });
    }

    static List<String> evidence(JsonNode result) {
        List<String> lines = new ArrayList<>();
        result.path("evidence").forEach(e -> lines.add(e.path("object").asText() + " | " + e.path("field").asText()
                + " | " + e.path("value").asText()));
        return lines;
    }

    @Test
    @Order(1)
    void aCleanFleetPassesEveryCheckAndVerifyWritesNothing() {
        long mark = cluster.auditMark();
        RenderedFleet.Run run = verify();
        assertThat(run.exit()).as(run::toString).isZero();
        assertThat(run.json().path("passed").asBoolean()).isTrue();
        List<String> checks = new ArrayList<>();
        run.json().path("results").forEach(r -> checks.add(r.path("tenant").asText() + "/" + r.path("check").asText()));
        assertThat(checks).contains("shop/drift", "shop/placement", "shop/network", "shop/rbac", "shop/pod-security",
                "shop/storage", "shop/gitlab", "ledger/drift", "ledger/storage");
        assertClean();
        List<JsonNode> passed = run.results("PASS");
        assertThat(passed).anySatisfy(r -> assertThat(r.path("summary").asText())
                .contains("2 pod(s) of bf-shop on the tenant's 2 node(s) [shop-1, shop-2]", "tainted " + TAINT,
                        "2 DaemonSet or static pod(s) and 1 pod(s) config.verify.tenantNodes allows"));
        assertThat(passed).anySatisfy(r -> assertThat(r.path("summary").asText()).isEqualTo(
                "build job pods in bf-shop open connections only to namespace kube-system pods {k8s-app=kube-dns} on "
                        + "UDP 53, TCP 53 (cluster DNS (config.dns)); ipBlock 10.10.0.10/32 on TCP " + gitlab.url()
                        .getPort() + " (GitLab (config.gitlab.cidrs)); ipBlock 10.10.1.0/24 on TCP "
                        + RealRgw.get().endpoint().getPort() + " (Ceph RGW (config.ceph.cidrs)); namespace bf-shop "
                        + "pods {buildfleet.dev/role=cache-registry,buildfleet.dev/tenant=shop} on TCP 5000 (the "
                        + "tenant's cache registry); ipBlock 10.20.0.10/16 on TCP 443 (spec.egress harbor)"
                        .replace("10.20.0.10/16", "10.20.0.0/16")));
        assertThat(passed).anySatisfy(r -> {
            assertThat(r.path("summary").asText()).isEqualTo("runner-manager pods in bf-shop accept connections only "
                    + "from namespace verify-monitoring pods {} (all) on TCP 9252 (Prometheus "
                    + "(config.monitoring.namespace))");
            assertThat(evidence(r)).containsExactly(
                    "NetworkPolicy bf-shop/runner-manager | spec.ingress[0] | from namespace verify-monitoring pods {} "
                            + "(all) on TCP 9252",
                    "reachable now |  | 1 live pod(s): verify-monitoring/prometheus");
        });
        assertThat(passed).anySatisfy(r -> assertThat(r.path("summary").asText())
                .isEqualTo("runner " + shopRunner + " exists as declared: group_type, tags [kaniko, shop]"));
        assertThat(run.json().path("notes").toString()).contains("only hold if the cluster's CNI enforces them");

        RenderedFleet.Run table = fleet.run(env, "verify", fleet.fleet);
        assertThat(table.exit()).isZero();
        assertThat(table.out()).startsWith("TENANT  CHECK         RESULT   SUMMARY")
                .contains("note: NetworkPolicies only hold if the cluster's CNI enforces them");
        System.out.println("[VerifyRealClusterTest] a clean fleet:\n" + table.out());

        assertThat(cluster.writesSince(mark, RenderedFleet.READER_USER, e -> true))
                .as("verify wrote nothing (and tried nothing: a refused write is logged too)").isEmpty();
    }

    @Test
    @Order(2)
    void anIdentityThatMayNotReadTheClusterCannotCheck7() {
        Path build = cluster.kubeconfigFor("bf-shop", "build");
        Cli cli = Cli.runWithEnv(Map.of(), "verify", "-f", fleet.fleet.toString(), "--kubeconfig", build.toString());
        assertThat(cli.exitCode()).isEqualTo(7);
        assertThat(cli.err()).contains("refused a read (HTTP 403)", "deploy/verify/clusterrole.yaml");
    }

    @Test
    @Order(3)
    void anotherTenantsServiceAccountReadingSecretsIsCaught() {
        admin.resource(new RoleBuilder().withNewMetadata().withName("verify-leak").withNamespace("bf-shop")
                .endMetadata().addNewRule().withApiGroups("").withResources("secrets").withVerbs("get", "list")
                .endRule().build()).create();
        admin.resource(new RoleBindingBuilder().withNewMetadata().withName("verify-leak").withNamespace("bf-shop")
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", "verify-leak")
                .addNewSubject().withKind("ServiceAccount").withName("runner-manager").withNamespace("bf-ledger")
                .endSubject().build()).create();
        String intruder = "system:serviceaccount:bf-ledger:runner-manager";
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.canI(intruder, "list", "secrets", "bf-shop"));

        RenderedFleet.Run run = verify();
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.failures()).singleElement().satisfies(f -> {
            assertThat(f.path("tenant").asText()).isEqualTo("shop");
            assertThat(f.path("check").asText()).isEqualTo("rbac");
            assertThat(f.path("summary").asText()).isEqualTo("ServiceAccount bf-ledger/runner-manager (of tenant "
                    + "ledger) may read Secrets (get, list) in bf-shop through RoleBinding bf-shop/verify-leak");
            assertThat(evidence(f)).containsExactly(
                    "RoleBinding bf-shop/verify-leak | subjects[0] | ServiceAccount bf-ledger/runner-manager",
                    "RoleBinding bf-shop/verify-leak | roleRef | Role verify-leak",
                    "Role bf-shop/verify-leak | rules[0] | verbs [get, list] on [secrets] of apiGroups [\"\" (core)]");
            assertThat(f.path("fix").asText()).contains("kubectl -n bf-shop delete rolebinding verify-leak",
                    "config.verify.expectedSubjects");
        });
        admin.rbac().roleBindings().inNamespace("bf-shop").withName("verify-leak").delete();
        admin.rbac().roles().inNamespace("bf-shop").withName("verify-leak").delete();
        assertClean();
    }

    @Test
    @Order(4)
    void aWildcardRuleAggregatedIntoAClusterRoleBoundClusterWideIsFoundAsTheAuthorizerSeesIt() {
        admin.resource(new ClusterRoleBuilder().withNewMetadata().withName("verify-exec-anything")
                .withLabels(Map.of("buildfleet.test/aggregate-to", "verify-aggregate")).endMetadata()
                .addNewRule().withApiGroups("").withResources("pods", "*/exec").withVerbs("*").endRule().build())
                .create();
        admin.resource(new ClusterRoleBuilder().withNewMetadata().withName("verify-aggregate").endMetadata()
                .withNewAggregationRule().addNewClusterRoleSelector()
                .withMatchLabels(Map.of("buildfleet.test/aggregate-to", "verify-aggregate")).endClusterRoleSelector()
                .endAggregationRule().build()).create();
        admin.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName("verify-mallory").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "verify-aggregate")
                .addNewSubject().withKind("User").withName("mallory").endSubject().build()).create();
        // The real authorizer, once the aggregation controller has copied the rules: what verify must find.
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.canI("mallory", "create", "pods/exec", "bf-shop"));
        assertThat(cluster.canI("mallory", "create", "pods", "bf-ledger")).isTrue();
        assertThat(cluster.canI("mallory", "get", "secrets", "bf-shop")).isFalse();

        RenderedFleet.Run run = verify();
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.failures()).hasSize(2).allSatisfy(f -> {
            String ns = "bf-" + f.path("tenant").asText();
            assertThat(f.path("check").asText()).isEqualTo("rbac");
            assertThat(f.path("summary").asText()).isEqualTo("User mallory may create pods (create), exec into "
                    + "pods (create) in " + ns + " through ClusterRoleBinding verify-mallory");
            assertThat(evidence(f)).contains("ClusterRole verify-exec-anything | rules[0] | verbs [*] on [pods, "
                    + "*/exec] of apiGroups [\"\" (core)]");
            assertThat(f.path("fix").asText()).contains("kubectl delete clusterrolebinding verify-mallory");
        });
        admin.rbac().clusterRoleBindings().withName("verify-mallory").delete();
        admin.rbac().clusterRoles().withName("verify-aggregate").delete();
        admin.rbac().clusterRoles().withName("verify-exec-anything").delete();
        assertClean();
    }

    @Test
    @Order(5)
    void aForeignPodOnATenantNodeIsCaughtButDaemonSetPodsAndAllowedAgentsAreNot() {
        admin.resource(new PodBuilder().withNewMetadata().withName("verify-intruder").withNamespace("default")
                .endMetadata().withNewSpec().withNodeName("shop-2").addNewContainer().withName("c")
                .withImage("busybox").endContainer().endSpec().build()).create();

        RenderedFleet.Run run = verify();
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.failures()).singleElement().satisfies(f -> {
            assertThat(f.path("tenant").asText()).isEqualTo("shop");
            assertThat(f.path("check").asText()).isEqualTo("placement");
            assertThat(f.path("summary").asText()).isEqualTo("Pod default/verify-intruder of another namespace runs "
                    + "on shop-2, a node reserved for shop");
            assertThat(evidence(f)).containsExactly(
                    "Pod default/verify-intruder | spec.nodeName | shop-2 (a node of tenant shop)",
                    "Pod default/verify-intruder | metadata.ownerReferences | (none: a bare pod)",
                    "Pod default/verify-intruder | spec.tolerations | (none but the defaults for not-ready nodes)");
            assertThat(f.path("fix").asText()).contains("kubectl -n default delete pod verify-intruder");
        });
        admin.pods().inNamespace("default").withName("verify-intruder").withGracePeriod(0).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.pods().inNamespace("default")
                .withName("verify-intruder").get() == null);
        assertClean();
    }

    @Test
    @Order(6)
    void aNetworkPolicyAllowingAllIngressIsCaughtWithWhoCanReachNow() {
        admin.resource(new NetworkPolicyBuilder().withNewMetadata().withName("verify-allow-all")
                .withNamespace("bf-shop").endMetadata().withNewSpec().withNewPodSelector().endPodSelector()
                .withPolicyTypes("Ingress").addNewIngress().endIngress().endSpec().build()).create();

        RenderedFleet.Run run = verify();
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.failures()).hasSize(3).allSatisfy(f -> {
            assertThat(f.path("tenant").asText()).isEqualTo("shop");
            assertThat(f.path("check").asText()).isEqualTo("network");
            assertThat(f.path("summary").asText()).contains(" in bf-shop accept connections beyond what the "
                    + "platform allows: any source on any port (NetworkPolicy bf-shop/verify-allow-all spec.ingress[0])");
            assertThat(evidence(f).get(0)).isEqualTo("NetworkPolicy bf-shop/verify-allow-all | spec.ingress[0] | "
                    + "from any source on any port");
            // the DaemonSet's pods have no policy of their own, so nothing stops them on their side
            // The list is cut after a few pods (a suite may share the cluster with more nodes, so more DaemonSet
            // pods); it is sorted, so ledger's pods, were they able to connect, would come first.
            assertThat(evidence(f).get(1)).startsWith("reachable now |  | ").contains("verify-node-agents/node-agent-",
                    "every address, inside the cluster or outside");
            assertThat(evidence(f).get(1)).as("ledger's pods may not leave their namespace").doesNotContain("bf-ledger/");
            assertThat(f.path("fix").asText()).contains("kubectl -n bf-shop delete networkpolicy verify-allow-all");
        });
        assertThat(run.failures()).extracting(f -> f.path("summary").asText().split(" in bf-shop")[0])
                .containsExactlyInAnyOrder("runner-manager pods", "cache-registry pods", "build job pods");
        admin.network().v1().networkPolicies().inNamespace("bf-shop").withName("verify-allow-all").delete();
        assertClean();
    }

    @Test
    @Order(7)
    void buildJobsAllowedToReachTheKubernetesApiAreCaught() {
        admin.resource(new NetworkPolicyBuilder().withNewMetadata().withName("verify-jobs-to-api")
                .withNamespace("bf-shop").endMetadata().withNewSpec().withNewPodSelector()
                .withMatchLabels(Map.of("buildfleet.dev/role", "build-job")).endPodSelector()
                .withPolicyTypes("Egress").addNewEgress().addNewTo().withNewIpBlock().withCidr("10.96.0.1/32")
                .endIpBlock().endTo().addNewPort().withProtocol("TCP").withNewPort(443).endPort().endEgress()
                .endSpec().build()).create();

        RenderedFleet.Run run = verify();
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.failures()).singleElement().satisfies(f -> {
            assertThat(f.path("check").asText()).isEqualTo("network");
            assertThat(f.path("summary").asText()).isEqualTo("build job pods in bf-shop open connections beyond "
                    + "what the platform allows: ipBlock 10.96.0.1/32 on TCP 443 (NetworkPolicy "
                    + "bf-shop/verify-jobs-to-api spec.egress[0])");
        });
        admin.network().v1().networkPolicies().inNamespace("bf-shop").withName("verify-jobs-to-api").delete();
        assertClean();
    }

    @Test
    @Order(8)
    void aDriftedConfigTomlIsCaughtAndPlanShowsTheChange() {
        String toml = admin.configMaps().inNamespace("bf-shop").withName("runner-config").get().getData()
                .get("config.toml");
        assertThat(toml).startsWith("concurrent = 4\n");
        admin.configMaps().inNamespace("bf-shop").withName("runner-config").patch(PatchContext.of(
                PatchType.JSON_MERGE), RenderedFleet.JSON.createObjectNode().set("data", RenderedFleet.JSON
                .createObjectNode().put("config.toml", toml.replaceFirst("concurrent = 4", "concurrent = 40")))
                .toString());

        RenderedFleet.Run run = verify();
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.failures()).singleElement().satisfies(f -> {
            assertThat(f.path("check").asText()).isEqualTo("drift");
            assertThat(f.path("summary").asText()).isEqualTo("ConfigMap bf-shop/runner-config differs from what "
                    + "render writes in 1 field(s)");
            assertThat(evidence(f)).containsExactly("ConfigMap bf-shop/runner-config | data[\"config.toml\"] | "
                    + "line 1: \"concurrent = 40\" -> \"concurrent = 4\" (live -> desired)");
            assertThat(f.path("fix").asText()).contains("kubectl apply -k DIR/shop");
        });
        RenderedFleet.Run plan = fleet.run(env, "plan", fleet.fleet, "--tenant", "shop");
        assertThat(plan.exit()).as(plan::toString).isEqualTo(2);
        assertThat(plan.out()).contains("~ change ConfigMap bf-shop/runner-config",
                "Plan: 0 to create, 1 to change, 0 to prune.");

        cluster.kubectl("apply", "-k", fleet.rendered.resolve("shop").toString()).ok();
        assertClean();
    }

    @Test
    @Order(9)
    void aNodeWithoutTheTaintIsCaughtAndTheFixVerifyPrintsRepairsIt() {
        cluster.kubectl("taint", "node", "shop-2", TAINT + "-").ok();

        RenderedFleet.Run run = verify();
        assertThat(run.exit()).isEqualTo(1);
        JsonNode failure = run.failures().getFirst();
        assertThat(run.failures()).singleElement().satisfies(f -> {
            assertThat(f.path("check").asText()).isEqualTo("placement");
            assertThat(f.path("summary").asText()).isEqualTo("node shop-2 is labelled for shop but lacks the taint "
                    + TAINT + ": pods of any namespace can be scheduled there");
            assertThat(evidence(f)).containsExactly("Node shop-2 | spec.taints | (none)");
        });
        String fix = failure.path("fix").asText();
        assertThat(fix).isEqualTo("kubectl taint node shop-2 " + TAINT);
        cluster.kubectl(fix.substring("kubectl ".length()).split(" ")).ok();
        assertClean();
    }

    @Test
    @Order(10)
    void aPublicBucketIsCaughtForItsTenantAndForTheOtherTenantsKey() {
        // The tenant's own keys can no longer do this (TenantKeysRgwTest): the breach takes the bucket owner's key,
        // which only buildfleet holds; whoever got it drops the policy that refuses everyone else and opens the ACL.
        JsonNode ownerInfo = readJson(RealRgw.get().radosgwAdmin("user", "info", "--uid", "bf-shop.owner"));
        S3Keys ownerKeys = new S3Keys(ownerInfo.at("/keys/0/access_key").asText(),
                ownerInfo.at("/keys/0/secret_key").asText());
        try (S3Client s3 = S3Clients.create(RealRgw.get().endpoint(), "default", ownerKeys, Duration.ofSeconds(10))) {
            s3.deleteBucketPolicy(b -> b.bucket("bf-shop-cache"));
            // With the grants in the body: RGW answers a canned-ACL header without a body with 411.
            var owner = s3.getBucketAcl(b -> b.bucket("bf-shop-cache")).owner();
            s3.putBucketAcl(b -> b.bucket("bf-shop-cache").accessControlPolicy(p -> p.owner(owner).grants(
                    Grant.builder().grantee(g -> g.type(Type.CANONICAL_USER).id(owner.id()))
                            .permission(Permission.FULL_CONTROL).build(),
                    Grant.builder().grantee(g -> g.type(Type.GROUP).uri("http://acs.amazonaws.com/groups/global/AllUsers"))
                            .permission(Permission.READ).build())));

            RenderedFleet.Run run = verify();
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.failures()).hasSize(2).allSatisfy(f -> assertThat(f.path("check").asText())
                    .isEqualTo("storage"));
            JsonNode shop = run.failures().stream().filter(f -> f.path("tenant").asText().equals("shop")).findFirst()
                    .orElseThrow();
            assertThat(shop.path("summary").asText()).startsWith("bucket bf-shop-cache is public: its ACL grants "
                    + "READ to AllUsers; anyone may list it");
            assertThat(evidence(shop)).contains("bucket bf-shop-cache | ListObjectsV2 without credentials | allowed "
                    + "(HTTP 200)");
            assertThat(shop.path("fix").asText()).contains("buildfleet storage ensure -f FLEET.yaml --tenant shop");
            JsonNode ledger = run.failures().stream().filter(f -> f.path("tenant").asText().equals("ledger"))
                    .findFirst().orElseThrow();
            assertThat(ledger.path("summary").asText()).isEqualTo("ledger's key is not refused on [bf-shop-cache] "
                    + "of other tenants");

        }
        // storage ensure puts the policy and the private ACL back, as the fix says
        dev.buildfleet.config.Fleet parsed = dev.buildfleet.validation.FleetValidator.loadValid(fleet.fleet);
        dev.buildfleet.storage.RgwTenantStorage.connect(RealRgw.get().endpoint(), "default", RealRgw.get().adminKeys())
                .ensure(dev.buildfleet.storage.StoragePlan.of(dev.buildfleet.model.TenantResolver.resolve(
                        parsed.config(), parsed.tenants().stream().filter(t -> t.getMetadata().getName()
                                .equals("shop")).findFirst().orElseThrow())));
        assertClean();
    }

    @Test
    @Order(11)
    void aRunnerWithOtherTagsIsCaught() {
        FakeGitLab.Runner runner = gitlab.runners().get(shopRunner);
        List<String> tags = runner.tags;
        runner.tags = List.of("shop");

        RenderedFleet.Run run = verify("--tenant", "shop");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.failures()).singleElement().satisfies(f -> {
            assertThat(f.path("check").asText()).isEqualTo("gitlab");
            assertThat(f.path("summary").asText()).isEqualTo("runner " + shopRunner + " differs from the fleet: tags "
                    + "[shop] instead of [kaniko, shop]");
        });
        runner.tags = tags;
        assertClean();
    }

    @Test
    @Order(12)
    void fromTheClustersBuildTenantsAndTheOperatorsConfigMapVerifyAndPlanAnswerAsWithTheFleetFile() throws IOException {
        JsonNode file = dev.buildfleet.render.Yaml.read(Files.readString(fleet.fleet));
        cluster.kubectl("apply", "-f", "deploy/base/crd.yaml").ok();
        admin.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
                .withName("verify-test-fleet-config").withNamespace(RenderedFleet.READER_NAMESPACE).endMetadata()
                .withData(Map.of("fleet-config.yaml", dev.buildfleet.render.Yaml.write(file.get("config"))))
                .build()).create();
        List<String> tenants = new ArrayList<>();
        try {
            for (var tenant : FleetLoader.read(fleet.fleet).fleet().tenants()) {
                tenant.getMetadata().setLabels(Map.of("fleet", "verify-test"));
                admin.resource(tenant).create();
                tenants.add(tenant.getMetadata().getName());
            }
            RenderedFleet.Run fromFile = verify();
            // Not the operator's own ConfigMap, which the operator's tests may have installed in this cluster.
            Cli fromCluster = Cli.runWithEnv(env, "verify", "--from-cluster",
                    RenderedFleet.READER_NAMESPACE + "/verify-test-fleet-config", "--tenant-selector",
                    "fleet=verify-test", "--kubeconfig", fleet.readerKubeconfig.toString(), "-o", "json");
            assertThat(fromCluster.exitCode()).as(fromCluster.err()).isZero();
            // The cluster lists BuildTenants by name; the file has its own order.
            assertThat(outcomes(readJson(fromCluster.out()))).containsExactlyInAnyOrderElementsOf(
                    outcomes(fromFile.json())).contains("shop/drift PASS", "ledger/rbac PASS");

            Cli plan = Cli.runWithEnv(env, "plan", "--from-cluster",
                    RenderedFleet.READER_NAMESPACE + "/verify-test-fleet-config", "--tenant-selector",
                    "fleet=verify-test", "--kubeconfig", fleet.readerKubeconfig.toString(), "--tenant", "shop");
            assertThat(plan.exitCode()).as(plan.out() + plan.err()).isZero();

            Cli both = Cli.runWithEnv(env, "verify", "--from-cluster", "-f", fleet.fleet.toString());
            assertThat(both.exitCode()).isEqualTo(2);
            assertThat(both.err()).contains("one of the two");
            Cli missing = Cli.runWithEnv(env, "verify", "--from-cluster", "buildfleet-system/no-such-config",
                    "--kubeconfig", fleet.readerKubeconfig.toString());
            assertThat(missing.exitCode()).isEqualTo(3);
            assertThat(missing.err()).contains("no ConfigMap buildfleet-system/no-such-config");
        } finally {
            for (String tenant : tenants) {
                admin.resources(dev.buildfleet.api.BuildTenant.class).withName(tenant).delete();
            }
            admin.configMaps().inNamespace(RenderedFleet.READER_NAMESPACE).withName("verify-test-fleet-config")
                    .delete();
        }
    }

    static List<String> outcomes(JsonNode report) {
        List<String> out = new ArrayList<>();
        report.path("results").forEach(r -> out.add(r.path("tenant").asText() + "/" + r.path("check").asText() + " "
                + r.path("outcome").asText()));
        return out;
    }

    @Test
    @Order(13)
    void noRunWroteAnything() throws IOException {
        assertThat(cluster.writesSince(0, RenderedFleet.READER_USER, e -> true)).isEmpty();
    }

    static JsonNode readJson(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
