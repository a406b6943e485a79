package dev.buildfleet.cache;

import dev.buildfleet.config.Fleet;
import dev.buildfleet.model.CacheRegistryConfig;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.storage.RealRgw;
import dev.buildfleet.storage.RgwTenantStorage;
import dev.buildfleet.storage.S3Keys;
import dev.buildfleet.storage.StorageFleets;
import dev.buildfleet.storage.StorageFleets.Tenant;
import dev.buildfleet.storage.StoragePlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Distribution 3 (the candidate cache registry, test-infra/distribution/build.sh) with the exact config.yml
 * {@link CacheRegistryConfig} renders, against the real test RGW and a tenant provisioned by {@link RgwTenantStorage}:
 * a blob pushed the way Kaniko pushes (POST, PATCH, PUT) lands in the tenant's bucket under registry/, the
 * read-only switch the expiry uses refuses pushes and keeps pulls, and {@code garbage-collect --delete-untagged}
 * with the same config removes an unreferenced blob from the bucket. Like the Distribution 2.8 test, only the
 * listen addresses, the htpasswd path and the S3 keys come from the environment. Nothing is skipped: when the
 * binary cannot be built or RGW cannot start, these tests fail.
 */
@ExtendWith(RealRgw.class)
class CacheRegistryV3RgwTest {
    static DistributionProcess registry;
    static String authHeader;
    static StoragePlan plan;
    static S3Keys keys;
    static RgwTenantStorage storage;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Map<String, String> READ_ONLY = Map.of(CacheRegistryConfig.READ_ONLY_ENV,
            CacheRegistryConfig.READ_ONLY_VALUE);

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        String binary = DistributionProcess.distribution3();
        URI endpoint = RealRgw.get().endpoint();
        Fleet fleet = StorageFleets.fleet(endpoint, List.of(Tenant.of("registry3")));
        ResolvedTenant tenant = TenantResolver.resolve(fleet.config(), fleet.tenants().getFirst());
        plan = StoragePlan.of(tenant);
        storage = RgwTenantStorage.connect(endpoint, "default", RealRgw.get().adminKeys());
        keys = storage.ensure(plan).keys();

        Path config = Files.writeString(dir.resolve("config.yml"), CacheRegistryConfig.build(tenant));
        SecureRandom random = new SecureRandom();
        CacheCredentials login = CacheCredentials.generate(random);
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), login.htpasswd(random));
        authHeader = "Basic " + Base64.getEncoder().encodeToString((login.username() + ":" + login.password())
                .getBytes(StandardCharsets.UTF_8));
        Map<String, String> env = new LinkedHashMap<>(DistributionProcess.DISTRIBUTION3_ENV);
        env.put(CacheRegistryConfig.ACCESS_KEY_ENV, keys.accessKeyId());
        env.put(CacheRegistryConfig.SECRET_KEY_ENV, keys.secretAccessKey());
        env.put("REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.toString());
        registry = DistributionProcess.start(binary, "registry-v3", config, env, dir);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(30)).header("Authorization", authHeader).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String objectKey(String hex) {
        return StoragePlan.REGISTRY_PREFIX + "docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex
                + "/data";
    }

    /** POST, one PATCH with the whole blob, PUT ?digest= (go-containerregistry's push); returns the digest's hex. */
    static String push(String repo, byte[] blob) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        HttpResponse<String> start = send(HttpRequest.newBuilder(registry.base().resolve("/v2/" + repo
                + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(start.statusCode()).as(start.body() + registry.log()).isEqualTo(202);
        URI location = registry.base().resolve(start.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> patch = send(HttpRequest.newBuilder(location)
                .header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(blob)));
        assertThat(patch.statusCode()).as(patch.body() + registry.log()).isEqualTo(202);
        String next = patch.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> done = send(HttpRequest.newBuilder(registry.base().resolve(next
                + (next.contains("?") ? "&" : "?") + "digest=sha256:" + hex)).PUT(HttpRequest.BodyPublishers.noBody()));
        assertThat(done.statusCode()).as(done.body() + registry.log()).isEqualTo(201);
        return hex;
    }

    static byte[] randomBlob(int size) {
        byte[] blob = new byte[size];
        new SecureRandom().nextBytes(blob);
        return blob;
    }

    @Test
    void onlyTheHtpasswdUserGetsIn() throws Exception {
        HttpRequest.Builder anonymous = HttpRequest.newBuilder(registry.base().resolve("/v2/"));
        assertThat(HTTP.send(anonymous.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(registry.base().resolve("/v2/"))).statusCode())
                .as(registry.log()).isEqualTo(200);
    }

    @Test
    void aBlobPushedLikeKanikoLandsInTheTenantsBucketUnderTheRegistryPrefix() throws Exception {
        byte[] blob = randomBlob(12 * 1024 * 1024 + 17);   // more than one 10 MiB part
        String hex = push(Names.CACHE_REPOSITORY, blob);

        HttpResponse<String> head = send(HttpRequest.newBuilder(registry.base().resolve("/v2/"
                + Names.CACHE_REPOSITORY + "/blobs/sha256:" + hex)).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue(String.valueOf(blob.length));
        try (S3Client s3 = storage.s3(plan, keys)) {
            List<String> all = s3.listObjectsV2Paginator(l -> l.bucket(plan.bucket())).contents().stream()
                    .map(S3Object::key).toList();
            assertThat(all).isNotEmpty().allSatisfy(k -> assertThat(k).startsWith(StoragePlan.REGISTRY_PREFIX));
            assertThat(all).contains(objectKey(hex));
            assertThat(s3.headObject(h -> h.bucket(plan.bucket()).key(objectKey(hex))).contentLength())
                    .isEqualTo(blob.length);
        }
    }

    @Test
    void readOnlyRefusesPushesKeepsPullsAndGarbageCollectRemovesAnUnreferencedBlob() throws Exception {
        String repo = Names.CACHE_REPOSITORY + "-gc";
        byte[] blob = randomBlob(1024 * 1024);
        String hex = push(repo, blob);   // a blob no manifest references: garbage
        URI blobUri = registry.base().resolve("/v2/" + repo + "/blobs/sha256:" + hex);

        registry.restart(READ_ONLY);
        try {
            HttpResponse<String> refused = send(HttpRequest.newBuilder(registry.base().resolve("/v2/" + repo
                    + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(405);
            assertThat(send(HttpRequest.newBuilder(blobUri).GET()).statusCode()).isEqualTo(200);

            String gc = registry.garbageCollect(READ_ONLY);
            assertThat(gc).contains(hex);
        } finally {
            registry.restart(Map.of());
        }
        try (S3Client s3 = storage.s3(plan, keys)) {
            List<String> all = s3.listObjectsV2Paginator(l -> l.bucket(plan.bucket())).contents().stream()
                    .map(S3Object::key).toList();
            assertThat(all).doesNotContain(objectKey(hex));
        }
        assertThat(send(HttpRequest.newBuilder(blobUri).method("HEAD", HttpRequest.BodyPublishers.noBody()))
                .statusCode()).isEqualTo(404);
    }
}
