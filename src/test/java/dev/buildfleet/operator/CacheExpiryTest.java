package dev.buildfleet.operator;

import dev.buildfleet.TenantEdits;
import dev.buildfleet.Fixtures;
import dev.buildfleet.MockApiServer;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.CacheStatus;
import dev.buildfleet.cache.CacheCredentials;
import dev.buildfleet.cache.InMemoryCacheRegistry;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.model.CacheRegistryConfig;
import dev.buildfleet.model.Names;
import dev.buildfleet.storage.InMemoryTenantStorage;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's side of the layer cache against fabric8's mock API server: the registry credentials it generates,
 * and cache expiry (prune expired tags through the registry API, roll the registry read-only, garbage-collect in a
 * Job, back to read-write). The registry API is {@link InMemoryCacheRegistry}; the pruning and the garbage
 * collection themselves run against a real Distribution registry on Ceph in cache.CacheBuildE2eTest.
 */
@EnableKubernetesMockClient(crud = true)
class CacheExpiryTest {
    static final String NS = "bf-java";
    KubernetesClient client;

    final Fleet fleet = Fixtures.example();
    final InMemoryTenantStorage storage = new InMemoryTenantStorage();
    final InMemoryCacheRegistry registry = new InMemoryCacheRegistry();
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-23T10:00:00Z"));
    final List<URI> connectedTo = new ArrayList<>();
    final List<CacheCredentials> connectedAs = new ArrayList<>();
    Operator operator;

    @BeforeEach
    void start() {
        MockApiServer.registerCrd(client);
        for (String node : List.of("worker-java-1", "worker-java-2")) {
            client.resource(new NodeBuilder().withNewMetadata().withName(node)
                    .withLabels(Map.of(Names.TENANT_LABEL, "java")).endMetadata()
                    .withNewSpec().addNewTaint().withKey(Names.TENANT_LABEL).withValue("java")
                    .withEffect("NoSchedule").endTaint().endSpec()
                    .withNewStatus().withAllocatable(Map.of("cpu", new Quantity("16"), "memory",
                            new Quantity("64Gi"), "ephemeral-storage", new Quantity("1Ti")))
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build())
                    .create();
        }
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        operator = BuildfleetOperator.create(client, fleet.config(), new SimpleMeterRegistry(),
                BuildfleetOperator.Options.SINGLE, BuildfleetOperator.Integrations.DEFAULT.withStorage(storage)
                        .withClock(clock).withCacheRegistries((base, credentials) -> {
                            synchronized (connectedTo) {
                                connectedTo.add(base);
                                connectedAs.add(credentials);
                            }
                            return registry;
                        }));
        operator.start();
        client.resource(Serialization.clone(fleet.tenants().stream()
                .filter(t -> t.getMetadata().getName().equals("java")).findFirst().orElseThrow())).create();
    }

    @AfterEach
    void stop() {
        operator.stop();
    }

    static ConditionFactory eventually() {
        // The status is written at the end of a pass, after the objects: until then there is no condition to read.
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(NullPointerException.class);
    }

    Condition cacheReady() {
        BuildTenant t = client.resources(BuildTenant.class).withName("java").get();
        return t == null || t.getStatus() == null ? null : Conditions.find(t.getStatus().conditions(),
                CacheStep.CACHE_READY);
    }

    CacheStatus cacheStatus() {
        BuildTenant t = client.resources(BuildTenant.class).withName("java").get();
        return t == null || t.getStatus() == null ? null : t.getStatus().cache();
    }

    Deployment registryDeployment() {
        return client.apps().deployments().inNamespace(NS).withName(Names.CACHE_REGISTRY).get();
    }

    static boolean readOnly(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .anyMatch(e -> e.getName().equals(CacheRegistryConfig.READ_ONLY_ENV));
    }

    /** What the Deployment controller would report once the current template runs in one available pod. */
    void registryRolledOut() {
        Deployment d = registryDeployment();
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(generation).withReplicas(1)
                .withUpdatedReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).build());
        client.resource(d).updateStatus();
    }

    String secretText(String name, String key) {
        Secret s = client.secrets().inNamespace(NS).withName(name).get();
        return s == null ? null : new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }

    List<Job> gcJobs() {
        return client.batch().v1().jobs().inNamespace(NS).list().getItems();
    }

    void finishJob(Job job, boolean success) {
        job.setStatus(success ? new JobStatusBuilder().withSucceeded(1).build()
                : new JobStatusBuilder().withFailed(1).addNewCondition().withType("Failed").withStatus("True")
                .withReason("BackoffLimitExceeded").endCondition().build());
        client.resource(job).updateStatus();
    }

    void touchTenant(String value) {
        TenantEdits.edit(client, "java", t -> {
            t.getMetadata().setAnnotations(Map.of("test/touched", value));
            return t;
        });
    }

    @Test
    void jobPodsGetAPasswordTheRegistryAcceptsAndNoOneElseIsGivenIt() {
        eventually().until(() -> secretText(Names.KANIKO_DOCKER_CONFIG_SECRET, Names.KANIKO_DOCKER_CONFIG_KEY) != null
                && secretText(Names.CACHE_REGISTRY_HTPASSWD_SECRET, Names.CACHE_REGISTRY_HTPASSWD_KEY) != null
                && registryDeployment() != null);
        String host = "cache-registry.bf-java.svc:5000";
        CacheCredentials login = CacheCredentials.fromDockerConfigJson(
                secretText(Names.KANIKO_DOCKER_CONFIG_SECRET, Names.KANIKO_DOCKER_CONFIG_KEY), host);
        assertThat(login).as("docker config.json has an entry for %s", host).isNotNull();
        assertThat(login.password()).hasSizeGreaterThanOrEqualTo(32);
        String htpasswd = secretText(Names.CACHE_REGISTRY_HTPASSWD_SECRET, Names.CACHE_REGISTRY_HTPASSWD_KEY);
        assertThat(htpasswd).startsWith(login.username() + ":$2y$").doesNotContain(login.password());
        assertThat(login.matches(htpasswd)).isTrue();
        // The registry restarts when its htpasswd changes: the pod template carries the file's checksum.
        assertThat(registryDeployment().getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(CacheStep.HTPASSWD_ANNOTATION, CacheStep.sha256(htpasswd));
        // The runner manager's pod and the registry pod never mount the password; only job pods do.
        for (Deployment d : List.of(registryDeployment(), client.apps().deployments().inNamespace(NS)
                .withName(Names.RUNNER_DEPLOYMENT).get())) {
            assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).noneMatch(v -> v.getSecret() != null
                    && v.getSecret().getSecretName().equals(Names.KANIKO_DOCKER_CONFIG_SECRET));
        }

        // Someone deletes the htpasswd: it is rebuilt for the same password, so job pods keep working.
        // The operator does not watch Secrets (that would need list/watch on every Secret of the cluster): it finds
        // the loss at its next pass of the tenant (any event of the tenant, at the latest its periodic recheck).
        client.secrets().inNamespace(NS).withName(Names.CACHE_REGISTRY_HTPASSWD_SECRET).delete();
        client.resources(BuildTenant.class).withName("java").patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"test.buildfleet.dev/next-pass\":\"1\"}}}");
        eventually().until(() -> secretText(Names.CACHE_REGISTRY_HTPASSWD_SECRET,
                Names.CACHE_REGISTRY_HTPASSWD_KEY) != null);
        String rebuilt = secretText(Names.CACHE_REGISTRY_HTPASSWD_SECRET, Names.CACHE_REGISTRY_HTPASSWD_KEY);
        assertThat(login.matches(rebuilt)).isTrue();
        assertThat(CacheCredentials.fromDockerConfigJson(
                secretText(Names.KANIKO_DOCKER_CONFIG_SECRET, Names.KANIKO_DOCKER_CONFIG_KEY), host)).isEqualTo(login);
        eventually().untilAsserted(() -> assertThat(registryDeployment().getSpec().getTemplate().getMetadata()
                .getAnnotations()).containsEntry(CacheStep.HTPASSWD_ANNOTATION, CacheStep.sha256(rebuilt)));
    }

    @Test
    void expiredTagsArePrunedThenGarbageIsCollectedReadOnlyAndTheRegistryComesBackReadWrite() {
        Instant t0 = now.get();
        registry.push(Names.CACHE_REPOSITORY, "old-1", "sha256:aa", t0.minus(Duration.ofHours(400)))
                .push(Names.CACHE_REPOSITORY, "old-2", "sha256:bb", t0.minus(Duration.ofHours(337)))
                .push(Names.CACHE_REPOSITORY, "fresh", "sha256:cc", t0.minus(Duration.ofHours(1)));
        eventually().until(() -> registryDeployment() != null);
        eventually().untilAsserted(() -> assertThat(cacheReady().getReason()).isEqualTo("RegistryNotAvailable"));
        assertThat(registry.deleted()).isEmpty();

        registryRolledOut();
        // Serving -> pruned the two tags past the 336h TTL -> ReadOnly.
        eventually().untilAsserted(() -> assertThat(readOnly(registryDeployment())).isTrue());
        assertThat(registry.tagNames(Names.CACHE_REPOSITORY)).containsExactly("fresh");
        assertThat(connectedTo).first().isEqualTo(URI.create("http://cache-registry.bf-java.svc:5000"));
        assertThat(connectedAs).first().isEqualTo(CacheCredentials.fromDockerConfigJson(
                secretText(Names.KANIKO_DOCKER_CONFIG_SECRET, Names.KANIKO_DOCKER_CONFIG_KEY),
                "cache-registry.bf-java.svc:5000"));
        // The status is written at the end of the pass that rolled the Deployment.
        eventually().untilAsserted(() -> assertThat(cacheStatus().phase()).isEqualTo(CacheStep.READ_ONLY));
        assertThat(cacheStatus().prunedTags()).isEqualTo(2);
        // No garbage collection while the read-only pod is not yet the only one.
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> gcJobs().isEmpty());

        registryRolledOut();
        eventually().until(() -> gcJobs().size() == 1);
        Job job = gcJobs().getFirst();
        assertThat(job.getMetadata().getName()).startsWith(Names.CACHE_GC_JOB_PREFIX);
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().getFirst().getArgs())
                .containsExactly("garbage-collect", "--delete-untagged", "/etc/docker/registry/config.yml");
        assertThat(pod.getContainers().getFirst().getEnv()).anyMatch(e ->
                e.getName().equals(CacheRegistryConfig.READ_ONLY_ENV));
        assertThat(pod.getNodeSelector()).isEqualTo(Map.of(Names.TENANT_LABEL, "java"));
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getContainers().getFirst().getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        eventually().untilAsserted(() -> assertThat(cacheStatus().phase()).isEqualTo(CacheStep.COLLECTING));
        assertThat(cacheReady().getReason()).isEqualTo("CollectingGarbage");
        assertThat(readOnly(registryDeployment())).isTrue();

        now.set(t0.plus(Duration.ofMinutes(3)));
        finishJob(job, true);
        eventually().untilAsserted(() -> assertThat(cacheStatus().phase()).isEqualTo(CacheStep.SERVING));
        eventually().untilAsserted(() -> assertThat(readOnly(registryDeployment())).isFalse());
        assertThat(cacheStatus().lastExpiry()).isEqualTo(t0.plus(Duration.ofMinutes(3)).toString());
        assertThat(cacheStatus().prunedTags()).isEqualTo(2);
        assertThat(cacheReady().getStatus()).isEqualTo("True");
        assertThat(cacheReady().getMessage()).contains("deleted 2 tags");
        assertThat(client.v1().events().inAnyNamespace().list().getItems())
                .anyMatch(e -> e.getReason().equals("CacheTagsPruned"))
                .anyMatch(e -> e.getReason().equals("CacheGarbageCollected"));
        // Not due again until the expiry interval (24h) has passed: no second run.
        registryRolledOut();
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() ->
                !readOnly(registryDeployment()) && gcJobs().size() == 1);
        assertThat(registry.tagNames(Names.CACHE_REPOSITORY)).containsExactly("fresh");
    }

    @Test
    void aFailedCollectionPutsTheRegistryBackToReadWriteAndSaysWhereToLook() {
        Instant t0 = now.get();
        registry.push(Names.CACHE_REPOSITORY, "old", "sha256:aa", t0.minus(Duration.ofDays(30)));
        eventually().until(() -> registryDeployment() != null);
        registryRolledOut();
        eventually().untilAsserted(() -> assertThat(readOnly(registryDeployment())).isTrue());
        registryRolledOut();
        eventually().until(() -> gcJobs().size() == 1);
        Job job = gcJobs().getFirst();

        finishJob(job, false);
        eventually().untilAsserted(() -> assertThat(cacheReady().getReason()).isEqualTo("GarbageCollectionFailed"));
        assertThat(cacheReady().getStatus()).isEqualTo("False");
        assertThat(cacheReady().getMessage()).contains("kubectl -n bf-java logs job/" + job.getMetadata().getName());
        eventually().untilAsserted(() -> assertThat(readOnly(registryDeployment())).isFalse());
        assertThat(cacheStatus().phase()).isEqualTo(CacheStep.SERVING);
        // Ready is about running builds; a cache that was not collected does not stop them.
        assertThat(Conditions.find(client.resources(BuildTenant.class).withName("java").get().getStatus()
                .conditions(), Conditions.READY).getReason()).isNotEqualTo("GarbageCollectionFailed");
    }

    @Test
    void anUnreachableRegistryNeverMakesItReadOnlyAndIsRetried() {
        registry.push(Names.CACHE_REPOSITORY, "old", "sha256:aa", now.get().minus(Duration.ofDays(30)));
        registry.fail("GET /v2/_catalog: connection refused");
        eventually().until(() -> registryDeployment() != null);
        registryRolledOut();
        eventually().untilAsserted(() -> assertThat(cacheReady().getReason()).isEqualTo("RegistryUnreachable"));
        assertThat(cacheReady().getMessage()).contains("connection refused");
        assertThat(readOnly(registryDeployment())).isFalse();
        assertThat(gcJobs()).isEmpty();
        assertThat(cacheStatus().lastExpiry()).isNull();

        // Back, but within REGISTRY_RETRY an event does not make the operator try (and wait on) it again.
        registry.heal();
        touchTenant("first");
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() ->
                !readOnly(registryDeployment()) && registry.tagNames(Names.CACHE_REPOSITORY).equals(List.of("old")));
        // After it, the next event (or the operator's own recheck) prunes.
        now.set(now.get().plus(CacheStep.REGISTRY_RETRY));
        touchTenant("second");
        eventually().untilAsserted(() -> assertThat(readOnly(registryDeployment())).isTrue());
        assertThat(registry.tagNames(Names.CACHE_REPOSITORY)).isEmpty();
    }
}
