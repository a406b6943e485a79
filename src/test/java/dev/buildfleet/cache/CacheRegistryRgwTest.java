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

import java.io.IOException;
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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's docker-registry (Distribution 2.8.2) run with the exact config.yml {@link CacheRegistryConfig} renders,
 * against the real test RGW and a tenant provisioned by {@link RgwTenantStorage}: a pushed blob lands in the
 * tenant's bucket under registry/. Only the listen addresses and the htpasswd path differ, set through the
 * REGISTRY_* environment as in the pod, and the S3 keys come from the environment exactly as in the Deployment.
 */
@ExtendWith(RealRgw.class)
class CacheRegistryRgwTest {
    static DistributionProcess registry;
    static URI base;
    static String authHeader;
    static StoragePlan plan;
    static S3Keys keys;
    static RgwTenantStorage storage;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        URI endpoint = RealRgw.get().endpoint();
        Fleet fleet = StorageFleets.fleet(endpoint, List.of(Tenant.of("registry")));
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
        registry = DistributionProcess.start("registry", config, Map.of(
                CacheRegistryConfig.ACCESS_KEY_ENV, keys.accessKeyId(),
                CacheRegistryConfig.SECRET_KEY_ENV, keys.secretAccessKey(),
                "REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.toString()), dir);
        base = registry.base();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    static HttpResponse<String> get(String path, String auth) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void onlyTheHtpasswdUserGetsIn() throws Exception {
        assertThat(get("/v2/", null).statusCode()).isEqualTo(401);
        assertThat(get("/v2/", "Basic " + Base64.getEncoder().encodeToString("kaniko:wrong".getBytes()))
                .statusCode()).isEqualTo(401);
        assertThat(get("/v2/", authHeader).statusCode()).as(registry.log()).isEqualTo(200);
    }

    @Test
    void aPushedBlobLandsInTheTenantsBucketUnderTheRegistryPrefix() throws Exception {
        byte[] blob = new byte[6 * 1024 * 1024 + 17];   // more than one 5 MiB part
        new SecureRandom().nextBytes(blob);
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        String digest = "sha256:" + hex;
        String repo = Names.CACHE_REPOSITORY;

        HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/blobs/uploads/"))
                .header("Authorization", authHeader).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(start.statusCode()).as(start.body() + registry.log()).isEqualTo(202);
        String location = start.headers().firstValue("Location").orElseThrow();
        URI put = base.resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
        HttpResponse<String> done = HTTP.send(HttpRequest.newBuilder(put).header("Authorization", authHeader)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).as(done.body() + registry.log()).isEqualTo(201);

        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/blobs/" + digest))
                .header("Authorization", authHeader).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue(String.valueOf(blob.length));

        try (S3Client s3 = storage.s3(plan, keys)) {
            List<String> all = s3.listObjectsV2Paginator(l -> l.bucket(plan.bucket())).contents().stream()
                    .map(S3Object::key).toList();
            assertThat(all).isNotEmpty().allSatisfy(k -> assertThat(k).startsWith(StoragePlan.REGISTRY_PREFIX));
            assertThat(all).contains("registry/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex
                    + "/data");
            long size = s3.headObject(h -> h.bucket(plan.bucket())
                    .key("registry/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data"))
                    .contentLength();
            assertThat(size).isEqualTo(blob.length);
        }
    }
}
