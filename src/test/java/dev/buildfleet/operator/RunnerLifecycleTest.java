package dev.buildfleet.operator;

import dev.buildfleet.TenantEdits;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.buildfleet.MockApiServer;
import dev.buildfleet.Fixtures;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.BuildTenantSpec;
import dev.buildfleet.api.GitLabSpec;
import dev.buildfleet.api.RunnerCreateSpec;
import dev.buildfleet.api.RunnerSpec;
import dev.buildfleet.api.SecretKeyRef;
import dev.buildfleet.cli.Main;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.gitlab.FakeGitLab;
import dev.buildfleet.gitlab.GitLabRunners;
import dev.buildfleet.gitlab.HttpGitLabRunners;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.storage.InMemoryTenantStorage;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The runner's lifecycle in GitLab, driven by the real operator against fabric8's CRUD mock server and
 * {@link FakeGitLab}: create, verify, update, rotate, delete; never a second runner, never an orphan.
 */
@EnableKubernetesMockClient(crud = true)
class RunnerLifecycleTest {
    static final String PAT = "glpat-operator-token";
    KubernetesClient client;

    final Fleet fleet = Fixtures.example();
    final FakeGitLab gitlab = FakeGitLab.started().accessToken(PAT, "create_runner", "manage_runner", "read_api");
    final MovableClock clock = new MovableClock();
    Operator operator;

    @BeforeEach
    void setUp() throws Exception {
        MockApiServer.registerCrd(client);
        for (String n : List.of("worker-java-1", "worker-java-2")) {
            client.resource(new NodeBuilder().withNewMetadata().withName(n)
                    .withLabels(Map.of(Names.TENANT_LABEL, "java")).endMetadata()
                    .withNewSpec().addNewTaint().withKey(Names.TENANT_LABEL).withValue("java")
                    .withEffect("NoSchedule").endTaint().endSpec()
                    .withNewStatus().withAllocatable(Map.of("cpu", new Quantity("16"), "memory", new Quantity("64Gi"),
                            "ephemeral-storage", new Quantity("1Ti")))
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build())
                    .create();
        }
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.stop();
        }
        gitlab.close();
    }

    GitLabRunners gitlabClient() {
        return new HttpGitLabRunners(new HttpGitLabRunners.Connection(gitlab.url(), null, null,
                Duration.ofSeconds(2)), PAT);
    }

    void startOperator() {
        operator = BuildfleetOperator.create(client, fleet.config(), new SimpleMeterRegistry(),
                BuildfleetOperator.Options.SINGLE, BuildfleetOperator.Integrations.DEFAULT
                        .withStorage(new InMemoryTenantStorage()).withGitLab(gitlabClient(), Duration.ofMillis(200))
                        .withClock(clock));
        operator.start();
    }

    BuildTenant tenant(String name) {
        return Serialization.clone(fleet.tenants().stream().filter(x -> x.getMetadata().getName().equals(name))
                .findFirst().orElseThrow());
    }

    BuildTenant fetch() {
        return client.resources(BuildTenant.class).withName("java").get();
    }

    Condition registered() {
        BuildTenant t = fetch();
        return t == null || t.getStatus() == null ? null
                : Conditions.find(t.getStatus().conditions(), RunnerStep.RUNNER_REGISTERED);
    }

    String storedToken() {
        Secret s = client.secrets().inNamespace("bf-java").withName(Names.RUNNER_TOKEN_SECRET).get();
        return s == null ? null : new String(Base64.getDecoder().decode(s.getData().get(Names.RUNNER_TOKEN_KEY)),
                StandardCharsets.UTF_8);
    }

    String tokenIdentity() {
        Deployment d = client.apps().deployments().inNamespace("bf-java").withName(Names.RUNNER_DEPLOYMENT).get();
        return d == null ? null : d.getSpec().getTemplate().getMetadata().getAnnotations()
                .get(RunnerStep.TOKEN_ANNOTATION);
    }

    /** RunnerRegistered=True, and an Event with this reason was recorded on the way. */
    void awaitRegistered(String eventReason) {
        eventually().untilAsserted(() -> {
            assertThat(registered().getStatus()).isEqualTo("True");
            assertThat(client.v1().events().inAnyNamespace().list().getItems())
                    .anyMatch(e -> e.getReason().equals(eventReason));
        });
    }

    void wake() {
        eventually().untilAsserted(() -> TenantEdits.edit(client, "java", t -> {
            t.getMetadata().getAnnotations().put("wake", Long.toString(System.nanoTime()));
            return t;
        }));
    }

    @Test
    void createsVerifiesAndDeletesOneRunnerWhoseTokenLivesOnlyInTheSecret() {
        startOperator();
        client.resource(tenant("java")).create();
        awaitRegistered("RunnerCreated");
        eventually().untilAsserted(() -> assertThat(registered().getReason()).isEqualTo("Verified"));

        assertThat(gitlab.runners()).hasSize(1);
        FakeGitLab.Runner runner = gitlab.runners().values().iterator().next();
        assertThat(runner.description).isEqualTo("buildfleet java");
        assertThat(runner.groupId).isEqualTo(12L);
        assertThat(runner.tags).containsExactlyInAnyOrder("java", "kaniko");
        assertThat(runner.accessLevel).isEqualTo("ref_protected");
        eventually().untilAsserted(() -> assertThat(storedToken()).isEqualTo(runner.token));
        assertThat(fetch().getStatus().runnerId()).isEqualTo(runner.id);
        assertThat(fetch().getStatus().tokenExpiresAt()).isEqualTo(runner.tokenExpiresAt.toString());
        assertThat(Serialization.asJson(fetch())).doesNotContain(runner.token);
        Deployment d = client.apps().deployments().inNamespace("bf-java").withName(Names.RUNNER_DEPLOYMENT).get();
        assertThat(Serialization.asJson(d)).doesNotContain(runner.token);
        assertThat(tokenIdentity()).isEqualTo(RunnerStep.identity(runner.id, runner.tokenExpiresAt.toString()));
        assertThat(gitlab.count("POST /api/v4/user/runners")).isEqualTo(1);
        assertThat(gitlab.count("POST /api/v4/runners/verify")).isGreaterThanOrEqualTo(1);

        client.resources(BuildTenant.class).withName("java").delete();
        eventually().untilAsserted(() -> assertThat(fetch()).isNull());
        assertThat(gitlab.runners()).isEmpty();
    }

    @Test
    void aShapeGetsItsOwnRunnerTokenAndSecretAndGoesWithTheTenant() {
        startOperator();
        BuildTenant java = tenant("java");
        var shape = new dev.buildfleet.api.RunnerShapeSpec("large", new dev.buildfleet.api.RunnerSpec(null,
                new dev.buildfleet.api.RunnerCreateSpec(dev.buildfleet.api.RunnerType.GROUP_TYPE, 12L, null, null,
                        List.of("java", "large"), null, null, null, null, null)), 2,
                new dev.buildfleet.api.JobResources(new dev.buildfleet.api.ResourceRange(new Quantity("4"),
                        new Quantity("8")), null, null));
        var spec = java.getSpec();
        java.setSpec(new dev.buildfleet.api.BuildTenantSpec(spec.gitlab(), spec.concurrency(), spec.nodes(),
                spec.jobResources(), spec.cache(), spec.builder(), spec.egress(), spec.monitoring(),
                spec.storageDeletionPolicy(), spec.imagePolicy(), spec.imagePullSecrets(), spec.hostAliases(),
                spec.dnsConfig(), spec.caBundle(), spec.runnerConfig(), spec.runnerPodPatch(), List.of(shape)));
        client.resource(java).create();

        eventually().untilAsserted(() -> {
            assertThat(registered().getStatus()).isEqualTo("True");
            assertThat(gitlab.runners()).hasSize(2);
            assertThat(fetch().getStatus().shape("large")).isNotNull();
            assertThat(fetch().getStatus().shape("large").runnerId()).isNotNull();
        });
        FakeGitLab.Runner large = gitlab.runners().values().stream()
                .filter(r -> r.description.equals("buildfleet java/large")).findFirst().orElseThrow();
        FakeGitLab.Runner main = gitlab.runners().values().stream()
                .filter(r -> r.description.equals("buildfleet java")).findFirst().orElseThrow();
        assertThat(large.tags).containsExactlyInAnyOrder("java", "large");
        assertThat(fetch().getStatus().shape("large").runnerId()).isEqualTo(large.id);
        assertThat(fetch().getStatus().runnerId()).isEqualTo(main.id);
        assertThat(registered().getMessage()).contains("shape large: runner " + large.id);
        eventually().untilAsserted(() -> {
            Secret secret = client.secrets().inNamespace("bf-java").withName("runner-token-large").get();
            assertThat(secret).isNotNull();
            assertThat(new String(Base64.getDecoder().decode(secret.getData().get(Names.RUNNER_TOKEN_KEY)),
                    StandardCharsets.UTF_8)).isEqualTo(large.token);
            assertThat(storedToken()).isEqualTo(main.token);
        });
        Deployment d = client.apps().deployments().inNamespace("bf-java").withName(Names.RUNNER_DEPLOYMENT).get();
        assertThat(d.getSpec().getTemplate().getSpec().getInitContainers().get(0).getEnv())
                .extracting(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName())
                .containsExactly("RUNNER_TOKEN=runner-token", "RUNNER_TOKEN_LARGE=runner-token-large");
        assertThat(Serialization.asJson(d)).doesNotContain(large.token, main.token);
        String configToml = client.configMaps().inNamespace("bf-java").withName(Names.RUNNER_CONFIG_MAP).get()
                .getData().values().iterator().next();
        assertThat(configToml).contains("concurrent = 22", "token = '$RUNNER_TOKEN_LARGE'", "cpu_request = '4'");
        // Passes with nothing new create neither runner again.
        wake();
        eventually().untilAsserted(() -> assertThat(registered().getReason()).isEqualTo("Verified"));
        assertThat(gitlab.count("POST /api/v4/user/runners")).isEqualTo(2);

        client.resources(BuildTenant.class).withName("java").delete();
        eventually().untilAsserted(() -> assertThat(fetch()).isNull());
        assertThat(gitlab.runners()).isEmpty();
    }

    @Test
    void passesOverAHealthyTenantReadTheRunnerAndDoNotKeepVerifyingItsToken() {
        startOperator();
        client.resource(tenant("java")).create();
        awaitRegistered("RunnerCreated");
        eventually().untilAsserted(() -> assertThat(registered().getReason()).isEqualTo("Verified"));
        FakeGitLab.Runner runner = gitlab.runners().values().iterator().next();
        long verifies = gitlab.count("POST /api/v4/runners/verify");
        Instant contacted = runner.contactedAt;
        assertThat(verifies).isEqualTo(1); // the new token, once
        assertThat(contacted).isNotNull();

        for (int i = 0; i < 5; i++) {
            long reads = gitlab.count("GET /api/v4/runners/" + runner.id);
            wake();
            eventually().untilAsserted(() -> assertThat(gitlab.count("GET /api/v4/runners/" + runner.id))
                    .isGreaterThan(reads));
        }
        assertThat(gitlab.count("POST /api/v4/runners/verify")).isEqualTo(verifies);
        assertThat(runner.contactedAt).isEqualTo(contacted);
        assertThat(registered().getReason()).isEqualTo("Verified");

        clock.advance(Duration.ofHours(25));
        wake();
        eventually().untilAsserted(() -> assertThat(gitlab.count("POST /api/v4/runners/verify"))
                .isEqualTo(verifies + 1));
        assertThat(gitlab.count("POST /api/v4/user/runners")).isEqualTo(1);
        assertThat(gitlab.count("POST /api/v4/runners/" + runner.id + "/reset")).isZero();
    }

    @Test
    void aTagChangeInTheSpecUpdatesTheRunnerInPlace() {
        startOperator();
        client.resource(tenant("java")).create();
        awaitRegistered("RunnerCreated");
        long id = gitlab.runners().keySet().iterator().next();

        eventually().untilAsserted(() -> TenantEdits.edit(client, "java", t -> {
            RunnerCreateSpec c = t.getSpec().gitlab().runner().create();
            t.setSpec(withRunner(t.getSpec(), new RunnerSpec(null, new RunnerCreateSpec(c.runnerType(), c.groupId(),
                    c.projectId(), c.description(), List.of("java", "kaniko", "big"), c.runUntagged(),
                    c.accessLevel(), c.locked(), true, 7200))));
            return t;
        }));
        eventually().untilAsserted(() -> {
            assertThat(gitlab.runners().get(id).tags).containsExactlyInAnyOrder("java", "kaniko", "big");
            assertThat(gitlab.runners().get(id).paused).isTrue();
            assertThat(gitlab.runners().get(id).maximumTimeout).isEqualTo(7200);
        });
        assertThat(gitlab.runners()).hasSize(1);
        assertThat(gitlab.count("POST /api/v4/user/runners")).isEqualTo(1);
    }

    @Test
    void aCrashBetweenCreateAndSavingTheTokenLeavesOneRunner() {
        // The tenant exists and a runner was created for it, but the token never reached the Secret.
        client.resource(tenant("java")).create();
        BuildTenant created = fetch();
        GitLabRunners.RunnerToken lost = gitlabClient().create(RunnerStep.settings(created,
                TenantResolver.resolve(fleet.config(), created)));

        startOperator();
        awaitRegistered("RunnerTokenReset");
        assertThat(gitlab.runners()).containsOnlyKeys(lost.id());
        assertThat(gitlab.count("POST /api/v4/user/runners")).isEqualTo(1); // only the "crashed" one
        eventually().untilAsserted(() -> assertThat(storedToken()).isEqualTo(gitlab.runners().get(lost.id()).token));
        assertThat(storedToken()).isNotEqualTo(lost.token());
        eventually().untilAsserted(() -> assertThat(registered().getReason()).isEqualTo("Verified"));
        assertThat(gitlab.count("POST /api/v4/runners/" + lost.id() + "/reset_authentication_token")).isEqualTo(1);
    }

    @Test
    void theOperatorTakesOverTheRunnerTheCliCreatedInsteadOfCreatingASecond() throws IOException {
        Cli created = cli("runner", "create", "--tenant", "java");
        assertThat(created.code).as(created.err).isZero();
        long id = gitlab.runners().keySet().iterator().next();

        startOperator();
        client.resource(tenant("java")).create();
        awaitRegistered("RunnerTokenReset");
        eventually().untilAsserted(() -> assertThat(fetch().getStatus().runnerId()).isEqualTo(id));
        assertThat(gitlab.runners()).containsOnlyKeys(id);
        assertThat(gitlab.count("POST /api/v4/user/runners")).isEqualTo(1); // the CLI's
    }

    @Test
    void theCliFindsTheRunnerTheOperatorCreatedEvenWithTheUidOlderOperatorsPutInItsDescription() throws IOException {
        startOperator();
        client.resource(tenant("java")).create();
        awaitRegistered("RunnerCreated");
        FakeGitLab.Runner runner = gitlab.runners().values().iterator().next();

        Cli again = cli("runner", "create", "--tenant", "java");
        assertThat(again.code).as(again.err).isZero();
        assertThat(again.out).contains("runner " + runner.id + " exists already");

        operator.stop();
        operator = null;
        runner.description = "buildfleet java " + fetch().getMetadata().getUid();
        Cli legacy = cli("runner", "verify", "--tenant", "java");
        assertThat(legacy.out).contains("runner " + runner.id + " exists");
        assertThat(gitlab.runners()).hasSize(1);
        assertThat(gitlab.count("POST /api/v4/user/runners")).isEqualTo(1); // the operator's
    }

    record Cli(int code, String out, String err) {
    }

    /** The real CLI, in-process, on the example fleet pointed at the fake GitLab. */
    Cli cli(String... args) throws IOException {
        Path file = Files.createTempFile("fleet", ".yaml");
        try {
            Files.writeString(file, Fixtures.exampleWith(root -> ((ObjectNode) root.get("config").get("gitlab"))
                    .put("url", gitlab.url().toString()).put("allowInsecureHttp", true).put("timeoutSeconds", 5)
                    .putArray("cidrs").add("127.0.0.1/32")));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("-f", file.toString()));
            int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true),
                    Map.of("GITLAB_TOKEN", PAT));
            return new Cli(code, out.toString(), err.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aTokenNearItsExpiryIsRotatedOnceAndTheRunnerRolls() {
        startOperator();
        client.resource(tenant("java")).create();
        awaitRegistered("RunnerCreated");
        eventually().untilAsserted(() -> assertThat(tokenIdentity()).isNotNull());
        FakeGitLab.Runner runner = gitlab.runners().values().iterator().next();
        String firstToken = runner.token;
        String firstIdentity = tokenIdentity();

        runner.tokenExpiresAt = Instant.now().plus(Duration.ofDays(3)); // inside the 7-day margin
        clock.advance(Duration.ofHours(25)); // found by the daily verification
        wake();
        eventually().untilAsserted(() -> assertThat(storedToken()).isNotEqualTo(firstToken));
        await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
        assertThat(gitlab.count("POST /api/v4/runners/" + runner.id + "/reset_authentication_token")).isEqualTo(1);
        assertThat(storedToken()).isEqualTo(runner.token);
        assertThat(tokenIdentity()).isNotEqualTo(firstIdentity)
                .isEqualTo(RunnerStep.identity(runner.id, runner.tokenExpiresAt.toString()));
        assertThat(fetch().getStatus().tokenExpiresAt()).isEqualTo(runner.tokenExpiresAt.toString());
        assertThat(gitlab.runners()).hasSize(1);
    }

    @Test
    void aServerErrorSaysOnceThatTheOperatorRetries() {
        startOperator();
        client.resource(tenant("java")).create();
        awaitRegistered("RunnerCreated");

        gitlab.failWith(503);
        wake();
        eventually().untilAsserted(() -> {
            assertThat(registered().getReason()).isEqualTo("GitLabUnreachable");
            assertThat(registered().getMessage()).contains("HTTP 503", "retrying");
        });
        assertThat(registered().getMessage().split("retr", -1)).hasSize(2);
        gitlab.failWith(null);
        eventually().untilAsserted(() -> assertThat(registered().getReason()).isEqualTo("Verified"));
        assertThat(gitlab.runners()).hasSize(1);
    }

    @Test
    void gitlabDownDuringDeletionKeepsTheFinalizerRetriesAndCompletesWhenBack() {
        startOperator();
        client.resource(tenant("java")).create();
        awaitRegistered("RunnerCreated");
        eventually().untilAsserted(() -> assertThat(fetch().getStatus().runnerId()).isNotNull());

        gitlab.down(true);
        client.resources(BuildTenant.class).withName("java").delete();
        eventually().untilAsserted(() -> assertThat(gitlab.count("DELETE /api/v4/runners/")).isGreaterThanOrEqualTo(2));
        assertThat(fetch()).isNotNull();
        assertThat(fetch().getFinalizers()).isNotEmpty();
        assertThat(client.v1().events().inAnyNamespace().list().getItems())
                .anyMatch(e -> e.getReason().equals("GitLabUnreachable")
                        && e.getMessage().contains("the tenant stays until it is"));
        eventually().untilAsserted(() -> {
            assertThat(registered().getReason()).isEqualTo("GitLabUnreachable");
            assertThat(registered().getMessage()).contains("could not be deleted in GitLab");
        });
        assertThat(gitlab.runners()).hasSize(1);

        gitlab.down(false);
        eventually().untilAsserted(() -> assertThat(fetch()).isNull());
        assertThat(gitlab.runners()).isEmpty();
    }

    @Test
    void theForceAnnotationLetsATenantGoWhileGitLabIsDown() {
        startOperator();
        client.resource(tenant("java")).create();
        awaitRegistered("RunnerCreated");
        gitlab.down(true);
        client.resources(BuildTenant.class).withName("java").delete();
        eventually().untilAsserted(() -> assertThat(gitlab.count("DELETE /api/v4/runners/")).isGreaterThanOrEqualTo(1));
        eventually().untilAsserted(() -> TenantEdits.edit(client, "java", t -> {
            t.getMetadata().getAnnotations().put(RunnerStep.FORCE_REMOVE_ANNOTATION, "true");
            return t;
        }));
        eventually().untilAsserted(() -> assertThat(fetch()).isNull());
        assertThat(client.v1().events().inAnyNamespace().list().getItems())
                .anyMatch(e -> e.getReason().equals("RunnerForceRemoved"));
    }

    @Test
    void givenTokenModeVerifiesAndNeverCreates() {
        GitLabRunners.RunnerToken given = gitlabClient().create(new GitLabRunners.RunnerSettings("group_type", 12L,
                null, "made by hand", List.of("java"), false, "ref_protected", true, false, null));
        startOperator();
        BuildTenant t = tenant("java");
        t.setSpec(withRunner(t.getSpec(), new RunnerSpec(new SecretKeyRef("my-runner-token", "token"), null)));
        client.resource(t).create();
        eventually().untilAsserted(() -> assertThat(registered().getReason()).isEqualTo("TokenSecretMissing"));

        client.resource(new SecretBuilder().withNewMetadata().withName("my-runner-token").withNamespace("bf-java")
                .endMetadata().addToStringData("token", given.token()).build()).create();
        eventually().untilAsserted(() -> assertThat(registered().getReason()).isEqualTo("Verified"));
        assertThat(fetch().getStatus().runnerId()).isEqualTo(given.id());

        gitlab.runners().get(given.id()).token = "glrt-reset-elsewhere"; // the given token stops working
        clock.advance(Duration.ofHours(25)); // found by the daily verification
        wake();
        eventually().untilAsserted(() -> {
            assertThat(registered().getReason()).isEqualTo("RunnerOrphaned");
            assertThat(registered().getMessage()).contains("put a new glrt- token into the Secret");
        });
        assertThat(Conditions.find(fetch().getStatus().conditions(), Conditions.READY).getStatus()).isEqualTo("False");
        assertThat(gitlab.count("POST /api/v4/user/runners")).isEqualTo(1); // only ours, above
        assertThat(gitlab.count("POST /api/v4/runners/" + given.id() + "/reset")).isZero();

        client.resources(BuildTenant.class).withName("java").delete();
        eventually().untilAsserted(() -> assertThat(fetch()).isNull());
        assertThat(gitlab.runners()).containsKey(given.id()); // not ours to delete
    }

    @Test
    void withoutGitLabAccessACreateTenantSaysSoAndIsNotReady() {
        operator = BuildfleetOperator.create(client, fleet.config(), new SimpleMeterRegistry(),
                BuildfleetOperator.Options.SINGLE, new InMemoryTenantStorage(), null, Duration.ofMillis(200));
        operator.start();
        client.resource(tenant("java")).create();
        eventually().untilAsserted(() -> assertThat(registered().getReason()).isEqualTo("GitLabNotConfigured"));
        assertThat(Conditions.find(fetch().getStatus().conditions(), Conditions.READY).getStatus()).isEqualTo("False");
        assertThat(gitlab.calls()).isEmpty();
    }

    private static BuildTenantSpec withRunner(BuildTenantSpec s, RunnerSpec runner) {
        return new BuildTenantSpec(new GitLabSpec(s.gitlab().url(), runner), s.concurrency(), s.nodes(),
                s.jobResources(), s.cache(), s.builder(), s.egress(), s.monitoring(), s.storageDeletionPolicy());
    }

    private static org.awaitility.core.ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(30)).ignoreExceptions();
    }
}
