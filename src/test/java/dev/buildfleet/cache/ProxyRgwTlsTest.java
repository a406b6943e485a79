package dev.buildfleet.cache;

import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.model.CaBundleMounts;
import dev.buildfleet.model.CacheRegistryConfig;
import dev.buildfleet.model.Connectivity;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantObjects;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.proxy.ConnectProxy;
import dev.buildfleet.proxy.OutboundProxy;
import dev.buildfleet.storage.RealRgw;
import dev.buildfleet.storage.RgwTenantStorage;
import dev.buildfleet.storage.S3Keys;
import dev.buildfleet.storage.StorageFleets;
import dev.buildfleet.storage.StorageFleets.Tenant;
import dev.buildfleet.storage.StoragePlan;
import dev.buildfleet.tls.TestCa;
import dev.buildfleet.tls.TrustBundle;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet's HTTP proxy on the way to the real RGW over TLS: the operator's Admin Ops and S3 clients, and
 * Distribution 2.8.2 with the environment the rendered Deployment gives it. RGW is addressed by a name only the
 * test's CONNECT proxy knows ({@value TestCa#PROXIED_HOST}), so a request that skipped the proxy could not arrive.
 */
@ExtendWith(RealRgw.class)
class ProxyRgwTlsTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static ConnectProxy proxy;
    static URI proxiedRgw;
    static FleetConfig config;
    static TrustBundle trust;

    @BeforeAll
    static void start() throws Exception {
        proxy = new ConnectProxy();
        proxiedRgw = URI.create("https://" + TestCa.PROXIED_HOST + ":" + RealRgw.get().tlsEndpoint().getPort());
        trust = RealRgw.get().ca().trust("config.caBundle");
        FleetConfig c = StorageFleets.fleet(proxiedRgw, List.of(Tenant.of("proxied"))).config();
        config = new FleetConfig(c.gitlab(), c.kubernetesApi(), c.ceph(), c.images(), c.dns(), c.monitoring(),
                c.defaults(), c.operator(), c.cluster(), c.egressPolicy(), c.verify(), c.hostAliases(),
                c.dnsConfig(), new FleetConfig.CaBundle(null, "corporate-ca", null),
                new FleetConfig.Proxy("http://127.0.0.1:" + proxy.port(), null, List.of(".corp.example"),
                        List.of("10.10.2.5/32"), null));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
    }

    static OutboundProxy operatorProxy() {
        return OutboundProxy.of(config.proxy(), Connectivity.noProxy(config, null));
    }

    @Test
    void theOperatorProvisionsThroughTheProxyOverTls() {
        RgwTenantStorage storage = RgwTenantStorage.connect(proxiedRgw, "default", RealRgw.get().adminKeys(), trust,
                operatorProxy());
        StoragePlan plan = StorageFleets.plan(proxiedRgw, Tenant.of("via-proxy"));

        S3Keys keys = storage.ensure(plan).keys();
        try (S3Client s3 = storage.s3(plan, keys)) {
            s3.putObject(p -> p.bucket(plan.bucket()).key("runner-cache/p.zip"), RequestBody.fromString("p"));
        }

        assertThat(proxy.tunnels()).contains(TestCa.PROXIED_HOST + ":" + proxiedRgw.getPort());
    }

    @Test
    void noProxyNamesGoDirect() {
        URI direct = RealRgw.get().tlsEndpoint();   // https://localhost:PORT: localhost is always in NO_PROXY
        int before = proxy.tunnels().size();
        RgwTenantStorage storage = RgwTenantStorage.connect(direct, "default", RealRgw.get().adminKeys(), trust,
                operatorProxy());

        storage.ensure(StorageFleets.plan(direct, Tenant.of("direct")));

        assertThat(proxy.tunnels()).hasSize(before);
    }

    @Test
    void theRenderedRegistryPodReachesRgwThroughTheProxy(@TempDir Path dir) throws Exception {
        Fleet fleet = StorageFleets.fleet(proxiedRgw, List.of(Tenant.of("registry-proxied")));
        ResolvedTenant tenant = TenantResolver.resolve(config, fleet.tenants().getFirst());
        StoragePlan plan = StoragePlan.of(tenant);
        S3Keys keys = RgwTenantStorage.connect(proxiedRgw, "default", RealRgw.get().adminKeys(), trust,
                operatorProxy()).ensure(plan).keys();
        Deployment deployment = TenantObjects.build(tenant).stream().filter(o -> o instanceof Deployment d
                && d.getMetadata().getName().equals(Names.CACHE_REGISTRY)).map(o -> (Deployment) o).findFirst()
                .orElseThrow();
        Path caDir = CacheRegistryTlsRgwTest.configMapVolume(dir, CaBundleMounts.KEY, RealRgw.get().ca().pem());
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv()) {
            if (var.getValue() != null) {
                env.put(var.getName(), var.getValue().replace(CaBundleMounts.DIR, caDir.toString()));
            }
        }
        assertThat(env).containsKeys("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy");
        assertThat(env.get("NO_PROXY").split(",")).contains(".svc", ".cluster.local", "cache-registry",
                "cache-registry.bf-registry-proxied", ".corp.example");
        int before = proxy.tunnels().size();

        Path configYml = Files.writeString(dir.resolve("config.yml"), CacheRegistryConfig.build(tenant));
        SecureRandom random = new SecureRandom();
        CacheCredentials login = CacheCredentials.generate(random);
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), login.htpasswd(random));
        env.put(CacheRegistryConfig.ACCESS_KEY_ENV, keys.accessKeyId());
        env.put(CacheRegistryConfig.SECRET_KEY_ENV, keys.secretAccessKey());
        env.put("REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.toString());
        try (DistributionProcess registry = DistributionProcess.start("registry-proxied", configYml, env, dir)) {
            String auth = "Basic " + Base64.getEncoder().encodeToString((login.username() + ":"
                    + login.password()).getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> upload = HTTP.send(HttpRequest.newBuilder(registry.base().resolve("/v2/"
                            + Names.CACHE_REPOSITORY + "/blobs/uploads/")).header("Authorization", auth)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(upload.statusCode()).as(upload.body() + registry.log()).isEqualTo(202);
        }
        assertThat(proxy.tunnels().subList(before, proxy.tunnels().size()))
                .contains(TestCa.PROXIED_HOST + ":" + proxiedRgw.getPort());
    }
}
