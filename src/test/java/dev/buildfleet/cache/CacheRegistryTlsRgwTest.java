package dev.buildfleet.cache;

import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.model.CaBundleMounts;
import dev.buildfleet.model.CacheRegistryConfig;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantObjects;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.storage.RealRgw;
import dev.buildfleet.storage.RgwTenantStorage;
import dev.buildfleet.storage.S3Keys;
import dev.buildfleet.storage.StorageFleets;
import dev.buildfleet.storage.StorageFleets.Tenant;
import dev.buildfleet.storage.StoragePlan;
import dev.buildfleet.tls.TrustBundle;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

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
 * The cache registry's S3 hop over real TLS: Debian's Distribution 2.8.2 with the environment and CA mount the
 * rendered Deployment gives it, against the test RGW's HTTPS endpoint (a certificate of a CA made for this run).
 * The CA directory is laid out as the kubelet lays out a ConfigMap volume (the file a link into ..data/).
 */
@ExtendWith(RealRgw.class)
class CacheRegistryTlsRgwTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static ResolvedTenant tenant;
    static StoragePlan plan;
    static S3Keys keys;
    static RgwTenantStorage storage;
    static Deployment deployment;

    @BeforeAll
    static void provision() {
        URI https = RealRgw.get().tlsEndpoint();
        Fleet fleet = StorageFleets.fleet(https, List.of(Tenant.of("registry-tls")));
        FleetConfig c = fleet.config();
        FleetConfig withCa = new FleetConfig(c.gitlab(), c.kubernetesApi(), c.ceph(), c.images(), c.dns(),
                c.monitoring(), c.defaults(), c.operator(), c.cluster(), c.egressPolicy(), c.verify(),
                c.hostAliases(), c.dnsConfig(), new FleetConfig.CaBundle(null, "corporate-ca", null), null);
        tenant = TenantResolver.resolve(withCa, fleet.tenants().getFirst());
        plan = StoragePlan.of(tenant);
        TrustBundle trust = RealRgw.get().ca().trust("config.caBundle");
        storage = RgwTenantStorage.connect(https, "default", RealRgw.get().adminKeys(), trust);
        keys = storage.ensure(plan).keys();
        deployment = TenantObjects.build(tenant).stream().filter(o -> o instanceof Deployment d
                && d.getMetadata().getName().equals(Names.CACHE_REGISTRY)).map(o -> (Deployment) o).findFirst()
                .orElseThrow();
    }

    static Container registryContainer() {
        return deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    /** The Deployment's plain env values (Secret references aside) with the CA mount path moved to {@code caDir}. */
    static Map<String, String> podEnvironment(Path caDir) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : registryContainer().getEnv()) {
            if (var.getValue() != null) {
                env.put(var.getName(), var.getValue().replace(CaBundleMounts.DIR, caDir.toString()));
            }
        }
        return env;
    }

    /** A ConfigMap volume as the kubelet writes it: ..TIMESTAMP/ca.crt, ..data -> ..TIMESTAMP, ca.crt -> ..data/ca.crt. */
    static Path configMapVolume(Path dir, String key, String content) throws Exception {
        Path volume = Files.createDirectories(dir.resolve("ca-volume"));
        Path timestamped = Files.createDirectories(volume.resolve("..2026_12_02_22_00_00.1"));
        Files.writeString(timestamped.resolve(key), content);
        Files.createSymbolicLink(volume.resolve("..data"), timestamped.getFileName());
        Files.createSymbolicLink(volume.resolve(key), Path.of("..data", key));
        return volume;
    }

    @Test
    void theRenderedRegistryPodTrustsTheCaBundleThroughItsCertDirsAndNeverAwsCaBundle() {
        assertThat(registryContainer().getEnv()).extracting(EnvVar::getName).doesNotContain("AWS_CA_BUNDLE")
                .contains("SSL_CERT_DIR");
        assertThat(registryContainer().getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo(CaBundleMounts.DIR);
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getConfigMap() != null)
                .extracting(v -> v.getConfigMap().getName()).contains(CaBundleMounts.CONFIG_MAP);
    }

    @Test
    void aBlobPushedThroughTheRegistryLandsInTheBucketOverHttps(@TempDir Path dir) throws Exception {
        Path caDir = configMapVolume(dir, CaBundleMounts.KEY, RealRgw.get().ca().pem());
        try (DistributionProcess registry = start(dir, podEnvironment(caDir))) {
            String digest = push(registry, 6 * 1024 * 1024 + 5);
            try (S3Client s3 = storage.s3(plan, keys)) {
                assertThat(s3.listObjectsV2(l -> l.bucket(plan.bucket()).prefix("registry/")).contents())
                        .as(registry.log())
                        .anySatisfy(o -> assertThat(o.key()).contains(digest.substring("sha256:".length())));
            }
        }
    }

    @Test
    void withoutTheCaMountTheRegistryRefusesRgwsCertificate(@TempDir Path dir) throws Exception {
        Map<String, String> env = podEnvironment(dir);
        env.remove("SSL_CERT_DIR");
        try (DistributionProcess registry = start(dir, env)) {
            HttpResponse<String> upload = startUpload(registry);
            assertThat(upload.statusCode()).isEqualTo(500);
            assertThat(registry.log()).contains("x509: certificate signed by unknown authority");
        }
    }

    private static String auth;

    private static DistributionProcess start(Path dir, Map<String, String> podEnv) throws Exception {
        Path config = Files.writeString(dir.resolve("config.yml"), CacheRegistryConfig.build(tenant));
        SecureRandom random = new SecureRandom();
        CacheCredentials login = CacheCredentials.generate(random);
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), login.htpasswd(random));
        auth = "Basic " + Base64.getEncoder().encodeToString((login.username() + ":" + login.password())
                .getBytes(StandardCharsets.UTF_8));
        Map<String, String> env = new LinkedHashMap<>(podEnv);
        env.put(CacheRegistryConfig.ACCESS_KEY_ENV, keys.accessKeyId());
        env.put(CacheRegistryConfig.SECRET_KEY_ENV, keys.secretAccessKey());
        env.put("REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.toString());
        return DistributionProcess.start("registry-tls", config, env, dir);
    }

    private static HttpResponse<String> startUpload(DistributionProcess registry) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(registry.base().resolve("/v2/" + Names.CACHE_REPOSITORY
                        + "/blobs/uploads/")).header("Authorization", auth).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String push(DistributionProcess registry, int size) throws Exception {
        byte[] blob = new byte[size];
        new SecureRandom().nextBytes(blob);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        HttpResponse<String> start = startUpload(registry);
        assertThat(start.statusCode()).as(start.body() + registry.log()).isEqualTo(202);
        String location = start.headers().firstValue("Location").orElseThrow();
        URI put = registry.base().resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
        HttpResponse<String> done = HTTP.send(HttpRequest.newBuilder(put).header("Authorization", auth)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).as(done.body() + registry.log()).isEqualTo(201);
        return digest;
    }
}
