package dev.buildfleet.cache;

import dev.buildfleet.cli.Cli;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.model.CacheRegistryConfig;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.storage.RealRgw;
import dev.buildfleet.storage.RgwTenantStorage;
import dev.buildfleet.storage.S3Keys;
import dev.buildfleet.storage.StorageFleets;
import dev.buildfleet.storage.StoragePlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The product end to end on real parts: two tenants on the real test Ceph RGW (user, bucket, keys by
 * {@link RgwTenantStorage}), each with its own Distribution 2.8 serving the exact config.yml
 * {@link CacheRegistryConfig} renders for it (only listen addresses, the htpasswd path and the S3 keys come from
 * REGISTRY_* variables, as in the pod), htpasswd and docker config.json from {@link CacheCredentials}. The real
 * Kaniko executor runs the job script of templates/kaniko.gitlab-ci.yml ({@link Kaniko}: a throw-away root laid out
 * like the job pod) and builds a multistage Dockerfile on a busybox base image, caching in tenant A's registry and
 * pushing the image to a local registry with a login of its own, which stands in for GitLab's (CI_REGISTRY).
 *
 * <p>Then expiry exactly as the operator will run it: {@code buildfleet cache prune}, the registry restarted
 * read-only ({@link CacheRegistryConfig#READ_ONLY_ENV}), {@code registry garbage-collect --delete-untagged} with
 * the same config and environment, the registry restarted read-write.
 *
 * <p>Never skipped: a missing Kaniko build, busybox-static, docker-registry or Ceph fails it with the install
 * command.
 */
@ExtendWith(RealRgw.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheBuildE2eTest {
    static final SecureRandom RANDOM = new SecureRandom();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPO = Names.CACHE_REPOSITORY;
    static final int RANDOM_BYTES = 4 * 1024 * 1024;
    /** The Dockerfile's steps that make layers: 3 RUN in stage one, COPY --from and RUN in stage two. */
    static final int LAYER_STEPS = 5;

    /** One tenant: its storage, its registry credentials and its running cache registry. */
    record Tenant(String name, StoragePlan plan, S3Keys keys, CacheCredentials credentials,
                  DistributionProcess registry) {
        String cacheRepo() {
            return registry.hostPort() + "/" + REPO;
        }

        HttpCacheRegistry client() {
            return new HttpCacheRegistry(registry.base(), credentials);
        }

        RawRegistry raw() {
            return RawRegistry.of(registry.base(), credentials);
        }

        Map<String, String> cliEnv() {
            return Map.of("CACHE_REGISTRY_USERNAME", credentials.username(),
                    "CACHE_REGISTRY_PASSWORD", credentials.password());
        }
    }

    static RgwTenantStorage storage;
    static Tenant a;
    static Tenant b;
    static DistributionProcess local;
    static CacheCredentials ciLogin;
    static Kaniko kaniko;
    static Path app;
    static Path fresh;
    static Set<String> baseLayers;
    static Kaniko.Build cold;
    static Kaniko.Build warm;
    static Instant coldDone;

    @BeforeAll
    static void buildTwice(@TempDir Path dir) throws Exception {
        Kaniko.requireTools();
        DistributionProcess.requireBinary();
        var rgw = RealRgw.get();
        Fleet fleet = StorageFleets.fleet(rgw.endpoint(),
                List.of(StorageFleets.Tenant.of("e2e-a"), StorageFleets.Tenant.of("e2e-b")));
        storage = RgwTenantStorage.connect(rgw.endpoint(), "default", rgw.adminKeys());
        a = tenant(fleet, 0, dir);
        b = tenant(fleet, 1, dir);

        ciLogin = CacheCredentials.generate(RANDOM);
        local = DistributionProcess.startOnFilesystem("gitlab-registry", ciLogin, dir);
        kaniko = new Kaniko(dir.resolve("kaniko"));
        String base = local.hostPort() + "/busybox-base:1";
        Path baseContext = context(dir.resolve("base"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                """);
        Files.copy(Path.of("/bin/busybox"), baseContext.resolve("busybox"));
        Kaniko.Build baseBuild = kaniko.runExecutor(baseContext, "{\"auths\":{}}", ciRegistryEnv(), List.of("--force",
                "--context=dir://" + Kaniko.PROJECT_DIR, "--destination=" + base,
                "--insecure-registry=" + local.hostPort()));
        assertThat(baseBuild.exitCode()).as(baseBuild.output()).isZero();
        baseLayers = layers(RawRegistry.of(local.base(), ciLogin), "busybox-base", "1");

        app = context(dir.resolve("app"), """
                FROM %1$s AS gen
                RUN mkdir -p /out && echo hello > /out/greeting && printf 'RAN%%s\\n' -gen-1
                RUN head -c %2$d /dev/urandom > /out/random.bin && printf 'RAN%%s\\n' -gen-2
                RUN cd /out && sha256sum random.bin > random.sha256 && printf 'RAN%%s\\n' -gen-3
                FROM %1$s
                COPY --from=gen /out /app
                RUN cd /app && sha256sum -c random.sha256 && printf 'RAN%%s\\n' -final
                """.formatted(base, RANDOM_BYTES));
        fresh = context(dir.resolve("fresh"), """
                FROM %s
                RUN echo fresh > /fresh && printf 'RAN%%s\\n' -fresh
                """.formatted(base));

        cold = build(app, "cold");
        coldDone = Instant.now();
        warm = build(app, "warm");
        System.out.printf("[CacheBuildE2eTest] Kaniko %s -> Distribution 2.8 -> Ceph RGW: cold build %.1f s, "
                        + "warm build (new root, nothing local) %.1f s%n", "(templates/kaniko.gitlab-ci.yml)",
                cold.took().toMillis() / 1000.0, warm.took().toMillis() / 1000.0);
    }

    /** What GitLab gives every job for its project's registry: here the local registry with its own login. */
    static Map<String, String> ciRegistryEnv() {
        return Map.of("CI_REGISTRY", local.hostPort(), "CI_REGISTRY_USER", ciLogin.username(),
                "CI_REGISTRY_PASSWORD", ciLogin.password());
    }

    /**
     * The template's job on tenant A's runner: the runner's environment from config.toml (cache repo, TTL,
     * DOCKER_CONFIG at the mounted cache login), GitLab's registry variables; the job adds only what running outside
     * a container and plain-HTTP registries need, and a digest file to compare images.
     */
    static Kaniko.Build build(Path context, String tag) throws Exception {
        Map<String, String> runner = new java.util.HashMap<>(ciRegistryEnv());
        runner.putAll(Map.of("CI_REGISTRY_IMAGE", local.hostPort() + "/group/app", "CI_COMMIT_SHORT_SHA", tag,
                "BUILDFLEET_CACHE_REPO", a.cacheRepo(), "BUILDFLEET_CACHE_TTL", "336h",
                "DOCKER_CONFIG", "/kaniko/.docker"));
        Kaniko.Build build = kaniko.runTemplateJob(context, a.credentials().dockerConfigJson(a.registry().hostPort()),
                runner, Map.of("KANIKO_EXTRA_ARGS", "--force --insecure-registry=" + local.hostPort()
                        + " --reproducible --digest-file=/kaniko/digest"));
        assertThat(build.exitCode()).as(build.output()).isZero();
        return build;
    }

    static Tenant tenant(Fleet fleet, int index, Path dir) throws IOException {
        ResolvedTenant resolved = TenantResolver.resolve(fleet.config(), fleet.tenants().get(index));
        StoragePlan plan = StoragePlan.of(resolved);
        S3Keys keys = storage.ensure(plan).keys();
        CacheCredentials credentials = CacheCredentials.generate(RANDOM);
        String name = resolved.name();
        Path htpasswd = Files.writeString(dir.resolve(name + ".htpasswd"), credentials.htpasswd(RANDOM));
        Path config = Files.writeString(dir.resolve(name + "-config.yml"), CacheRegistryConfig.build(resolved));
        DistributionProcess registry = DistributionProcess.start(name + "-registry", config, Map.of(
                CacheRegistryConfig.ACCESS_KEY_ENV, keys.accessKeyId(),
                CacheRegistryConfig.SECRET_KEY_ENV, keys.secretAccessKey(),
                "REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.toString()), dir);
        return new Tenant(name, plan, keys, credentials, registry);
    }

    static Path context(Path dir, String dockerfile) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("Dockerfile"), dockerfile);
        return dir;
    }

    @AfterAll
    static void stop() throws IOException {
        for (var registry : new DistributionProcess[]{local, a == null ? null : a.registry(),
                b == null ? null : b.registry()}) {
            if (registry != null) {
                registry.close();
            }
        }
    }

    /** The layer digests of an image in a registry. */
    static Set<String> layers(RawRegistry registry, String repository, String reference) throws Exception {
        var manifest = registry.manifest(repository, reference);
        assertThat(manifest.statusCode()).as(manifest.body()).isEqualTo(200);
        Set<String> layers = new HashSet<>();
        JSON.readTree(manifest.body()).path("layers").forEach(l -> layers.add(l.path("digest").asText()));
        return layers;
    }

    /** Where Distribution keeps a blob under the tenant's bucket prefix. */
    static String blobKey(String digest) {
        String hex = digest.substring("sha256:".length());
        return StoragePlan.REGISTRY_PREFIX + "docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex
                + "/data";
    }

    static Map<String, Long> objects(Tenant tenant) {
        try (S3Client s3 = storage.s3(tenant.plan(), tenant.keys())) {
            return s3.listObjectsV2Paginator(l -> l.bucket(tenant.plan().bucket())).contents().stream()
                    .collect(Collectors.toMap(S3Object::key, S3Object::size));
        }
    }

    static long registryBytes(Tenant tenant) {
        return objects(tenant).entrySet().stream().filter(e -> e.getKey().startsWith(StoragePlan.REGISTRY_PREFIX))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** The layers the build itself made (cached images also carry the base image's layers). */
    static Set<String> buildLayers(Tenant tenant) throws Exception {
        Set<String> layers = new HashSet<>();
        for (CachedTag tag : tenant.client().tags(REPO)) {
            layers.addAll(layers(tenant.raw(), REPO, tag.digest()));
        }
        layers.removeAll(baseLayers);
        return layers;
    }

    @Test
    @Order(1)
    void theColdBuildCachesEveryStepInTenantAsBucketAndNowhereElse() throws Exception {
        assertThat(cold.cachePushes()).as(cold.output()).hasSize(LAYER_STEPS)
                .allSatisfy(tag -> assertThat(tag).startsWith(a.cacheRepo() + ":"));
        assertThat(cold.ran()).hasSize(4);
        assertThat(layers(RawRegistry.of(local.base(), ciLogin), "group/app", "cold"))
                .as("the image was pushed to CI_REGISTRY with the job's registry login").isNotEmpty();

        List<CachedTag> tags = a.client().tags(REPO);
        assertThat(tags).as("one cache tag per layer step").hasSize(LAYER_STEPS)
                .allSatisfy(t -> assertThat(t.created()).isBetween(coldDone.minus(Duration.ofMinutes(5)), coldDone));

        Set<String> built = buildLayers(a);
        Map<String, Long> objectsA = objects(a);
        assertThat(objectsA.keySet()).allSatisfy(k -> assertThat(k).startsWith(StoragePlan.REGISTRY_PREFIX));
        assertThat(built).hasSizeGreaterThanOrEqualTo(LAYER_STEPS)
                .allSatisfy(digest -> assertThat(objectsA).containsKey(blobKey(digest)));
        assertThat(built.stream().mapToLong(d -> objectsA.get(blobKey(d))).max().orElse(0))
                .as("the random data's layer (incompressible)").isGreaterThanOrEqualTo(RANDOM_BYTES);

        String ownBlob = b.raw().pushBlob(REPO, ("tenant b's own blob " + RANDOM.nextLong()).getBytes());
        Map<String, Long> objectsB = objects(b);
        assertThat(objectsB).containsKey(blobKey(ownBlob));
        assertThat(objectsB.keySet()).allSatisfy(k -> assertThat(k).startsWith(StoragePlan.REGISTRY_PREFIX))
                .doesNotContainAnyElementsOf(built.stream().map(CacheBuildE2eTest::blobKey).toList());
    }

    @Test
    @Order(2)
    void aWarmBuildWithEmptyLocalStorageReusesEveryCachedStep() {
        assertThat(warm.cacheHits()).as(warm.output()).hasSize(LAYER_STEPS);
        assertThat(warm.cachePushes()).as(warm.output()).isEmpty();
        assertThat(warm.ran()).as("no RUN step ran").isEmpty();
        assertThat(warm.digest()).as("the same image as the cold build").isEqualTo(cold.digest()).isNotEmpty();
    }

    @Test
    @Order(3)
    void anotherTenantsCredentialsAndKeysAreRefused() throws Exception {
        RawRegistry bOnA = RawRegistry.of(a.registry().base(), b.credentials());
        assertThat(bOnA.send("GET", "/v2/", null, null).statusCode()).isEqualTo(401);
        assertThat(bOnA.send("GET", "/v2/_catalog", null, null).statusCode()).isEqualTo(401);
        assertThat(bOnA.startUpload(REPO).statusCode()).isEqualTo(401);
        assertThatThrownBy(() -> new HttpCacheRegistry(a.registry().base(), b.credentials()).tags(REPO))
                .isInstanceOf(CacheRegistryFault.class).hasMessageContaining("HTTP 401")
                .message().doesNotContain(b.credentials().password());

        String someLayer = blobKey(buildLayers(a).iterator().next());
        try (S3Client bKeys = storage.s3(a.plan(), b.keys())) {
            assertThatThrownBy(() -> bKeys.listObjectsV2(l -> l.bucket(a.plan().bucket())))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
            assertThatThrownBy(() -> bKeys.getObjectAsBytes(g -> g.bucket(a.plan().bucket()).key(someLayer)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
    }

    @Test
    @Order(4)
    void pruneThenReadOnlyGarbageCollectionFreesTheExpiredLayersAndKeepsTheFreshOne() throws Exception {
        // A fresh entry, seconds younger than the build's: a TTL between the two ages expires only the build's.
        long gapMillis = Duration.between(coldDone, Instant.now()).toMillis();
        if (gapMillis < 5000) {
            Thread.sleep(5000 - gapMillis);
        }
        Instant freshStart = Instant.now();
        Kaniko.Build freshBuild = build(fresh, "fresh");
        assertThat(freshBuild.cachePushes()).as(freshBuild.output()).hasSize(1);
        Set<String> before = a.client().tags(REPO).stream().map(CachedTag::tag).collect(Collectors.toSet());
        assertThat(before).hasSize(LAYER_STEPS + 1);
        long bytesBefore = registryBytes(a);
        int objectsBefore = objects(a).size();

        long ttlSeconds = Duration.between(freshStart, Instant.now()).toSeconds() + 2;
        Cli prune = Cli.runWithEnv(a.cliEnv(), "cache", "prune", "--registry", a.registry().base().toString(),
                "--ttl", ttlSeconds + "s");
        System.out.println("[CacheBuildE2eTest] buildfleet cache prune --ttl " + ttlSeconds + "s:\n" + prune.out());
        assertThat(prune.exitCode()).as(prune.err()).isZero();
        assertThat(prune.out()).contains("1 repository; deleted " + LAYER_STEPS + " tags (" + LAYER_STEPS
                + " manifests) older than " + ttlSeconds + "s; kept 1 younger, 0 without a creation time");
        List<CachedTag> left = a.client().tags(REPO);
        assertThat(left).hasSize(1);
        CachedTag kept = left.getFirst();

        // Read-only, as the operator switches it for garbage collection: pushes and deletes get 405.
        Map<String, String> readOnly = Map.of(CacheRegistryConfig.READ_ONLY_ENV, CacheRegistryConfig.READ_ONLY_VALUE);
        a.registry().restart(readOnly);
        assertThat(a.raw().startUpload(REPO).statusCode()).as("a push while read-only").isEqualTo(405);
        Cli refused = Cli.runWithEnv(a.cliEnv(), "cache", "prune", "--registry", a.registry().base().toString(),
                "--ttl", "1s");
        assertThat(refused.exitCode()).isEqualTo(6);
        assertThat(refused.err()).contains("DELETE /v2/" + REPO + "/manifests/" + kept.digest(), "HTTP 405",
                "read-only");

        String gc = a.registry().garbageCollect(readOnly);
        a.registry().restart(Map.of());

        long bytesAfter = registryBytes(a);
        int objectsAfter = objects(a).size();
        System.out.printf("[CacheBuildE2eTest] tenant A's registry/ prefix: %,d bytes in %d objects before garbage "
                        + "collection, %,d bytes in %d objects after (%d blobs eligible for deletion)%n", bytesBefore,
                objectsBefore, bytesAfter, objectsAfter, gc.lines().filter(l -> l.contains("blob eligible")).count());
        assertThat(bytesAfter).as(gc).isLessThan(bytesBefore - RANDOM_BYTES);
        assertThat(a.client().tags(REPO)).containsExactly(kept);
        Set<String> keptLayers = layers(a.raw(), REPO, kept.digest());
        assertThat(keptLayers).allSatisfy(d -> assertThat(objects(a)).containsKey(blobKey(d)));

        Kaniko.Build again = build(fresh, "again");
        assertThat(again.cacheHits()).as("the kept entry still serves a build after garbage collection\n"
                + again.output()).hasSize(1);
        assertThat(again.ran()).isEmpty();
        assertThat(a.raw().startUpload(REPO).statusCode()).as("read-write again").isEqualTo(202);
    }
}
