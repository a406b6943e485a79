package dev.buildfleet.cache;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link HttpCacheRegistry} against a real Distribution 2.8 (Debian's docker-registry, filesystem storage, htpasswd
 * from {@link CacheCredentials}) holding Docker schema2 and OCI images and an OCI index; tag-list pagination, which
 * 2.8 does not implement, against a two-page stub.
 */
class HttpCacheRegistryTest {
    static final SecureRandom RANDOM = new SecureRandom();
    static final CacheCredentials CREDENTIALS = CacheCredentials.generate(RANDOM);
    static DistributionProcess registry;
    static RawRegistry raw;
    static String dockerDigest;
    static String ociDigest;
    static String indexDigest;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        registry = DistributionProcess.startOnFilesystem("fs-registry", CREDENTIALS, dir);
        raw = RawRegistry.of(registry.base(), CREDENTIALS);

        dockerDigest = raw.pushImage("kaniko-cache", "docker", HttpCacheRegistry.DOCKER_MANIFEST,
                "2026-11-01T10:00:00.123456789Z");
        raw.pushManifest("kaniko-cache", "docker-again", HttpCacheRegistry.DOCKER_MANIFEST,
                raw.manifest("kaniko-cache", "docker").body());
        ociDigest = raw.pushImage("kaniko-cache", "oci", HttpCacheRegistry.OCI_MANIFEST, "2026-11-02T12:00:00+02:00");
        raw.pushImage("kaniko-cache", "no-created", HttpCacheRegistry.OCI_MANIFEST, null);
        raw.pushImage("team/app", "v1", HttpCacheRegistry.OCI_MANIFEST, "2026-11-03T00:00:00Z");
        indexDigest = raw.pushManifest("team/app", "multi", HttpCacheRegistry.OCI_INDEX,
                "{\"schemaVersion\":2,\"mediaType\":\"" + HttpCacheRegistry.OCI_INDEX + "\",\"manifests\":[{"
                        + "\"mediaType\":\"" + HttpCacheRegistry.OCI_MANIFEST + "\",\"digest\":\""
                        + raw.manifest("team/app", "v1").headers().firstValue("Docker-Content-Digest").orElseThrow()
                        + "\",\"size\":" + raw.manifest("team/app", "v1").body().length()
                        + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}");
        raw.pushImage("zzz-last", "t", HttpCacheRegistry.DOCKER_MANIFEST, "2026-11-04T00:00:00Z");
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void theCatalogIsReadPageByPage() {
        HttpCacheRegistry onePerPage = new HttpCacheRegistry(registry.base(), CREDENTIALS, Duration.ofSeconds(10), 1);
        List<String> repositories = onePerPage.repositories();   // another test may add "delete-me"
        assertThat(repositories).containsSubsequence("kaniko-cache", "team/app", "zzz-last").doesNotHaveDuplicates()
                .isSorted();
    }

    @Test
    void tagsCarryTheManifestDigestAndTheConfigsCreatedTime() {
        List<CachedTag> tags = new HttpCacheRegistry(registry.base(), CREDENTIALS).tags("kaniko-cache");
        assertThat(tags).containsExactlyInAnyOrder(
                new CachedTag("kaniko-cache", "docker", dockerDigest, Instant.parse("2026-11-01T10:00:00.123456789Z")),
                new CachedTag("kaniko-cache", "docker-again", dockerDigest,
                        Instant.parse("2026-11-01T10:00:00.123456789Z")),
                new CachedTag("kaniko-cache", "oci", ociDigest, Instant.parse("2026-11-02T10:00:00Z")),
                new CachedTag("kaniko-cache", "no-created",
                        tags.stream().filter(t -> t.tag().equals("no-created")).findFirst().orElseThrow().digest(),
                        null));
    }

    @Test
    void anIndexHasNoCreationTime() {
        List<CachedTag> tags = new HttpCacheRegistry(registry.base(), CREDENTIALS).tags("team/app");
        assertThat(tags).filteredOn(t -> t.tag().equals("multi")).singleElement()
                .isEqualTo(new CachedTag("team/app", "multi", indexDigest, null));
        assertThat(tags).filteredOn(t -> t.tag().equals("v1")).singleElement()
                .extracting(CachedTag::created).isEqualTo(Instant.parse("2026-11-03T00:00:00Z"));
    }

    @Test
    void deletingADigestRemovesEveryTagOfItAndAGoneManifestIsNoError() throws Exception {
        String digest = raw.pushImage("delete-me", "a", HttpCacheRegistry.OCI_MANIFEST, "2026-01-01T00:00:00Z");
        raw.pushManifest("delete-me", "b", HttpCacheRegistry.OCI_MANIFEST,
                raw.manifest("delete-me", "a").body());
        raw.pushImage("delete-me", "stays", HttpCacheRegistry.OCI_MANIFEST, "2026-01-02T00:00:00Z");
        HttpCacheRegistry client = new HttpCacheRegistry(registry.base(), CREDENTIALS);

        client.deleteManifest("delete-me", digest);
        client.deleteManifest("delete-me", digest);   // 404: already gone

        assertThat(client.tags("delete-me")).extracting(CachedTag::tag).containsExactly("stays");
        assertThat(client.tags("never-pushed")).isEmpty();
    }

    @Test
    void aWrongPasswordIsAFaultNamingTheRequestAndStatusButNotThePassword() {
        CacheCredentials wrong = new CacheCredentials(CacheCredentials.USERNAME, "not-the-password-" + RANDOM.nextInt());
        assertThatThrownBy(() -> new HttpCacheRegistry(registry.base(), wrong).repositories())
                .isInstanceOf(CacheRegistryFault.class)
                .hasMessageContaining("GET /v2/_catalog?n=100 at " + registry.hostPort() + ": HTTP 401 UNAUTHORIZED")
                .hasMessageContaining("refused user kaniko")
                .message().doesNotContain(wrong.password()).doesNotContain(CREDENTIALS.password());
    }

    @Test
    void anUnreachableRegistryIsAFault() throws IOException {
        URI nobody = URI.create("http://127.0.0.1:" + DistributionProcess.freePort());
        assertThatThrownBy(() -> new HttpCacheRegistry(nobody, CREDENTIALS, Duration.ofSeconds(2), 100)
                .tags("kaniko-cache"))
                .isInstanceOf(CacheRegistryFault.class)
                .hasMessageContaining("GET /v2/kaniko-cache/tags/list?n=100 at " + nobody.getRawAuthority()
                        + ": no answer");
    }

    @Test
    void aDeleteThatIsNotADigestIsRefusedBeforeAnyRequest() {
        assertThatThrownBy(() -> new HttpCacheRegistry(registry.base(), CREDENTIALS).deleteManifest("r", "latest"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpCacheRegistry(URI.create("http://u:p@h:5000"), CREDENTIALS))
                .hasMessage("the registry URL must not hold credentials");
    }

    @Test
    void tagListsFollowTheNextLink() throws IOException {
        HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            String body;
            if (path.equals("/v2/r/tags/list") && query.equals("n=1")) {
                exchange.getResponseHeaders().add("Link", "</v2/r/tags/list?last=a&n=1>; rel=\"next\"");
                body = "{\"name\":\"r\",\"tags\":[\"a\"]}";
            } else if (path.equals("/v2/r/tags/list")) {
                body = "{\"name\":\"r\",\"tags\":[\"b\"]}";
            } else {
                String tag = path.substring(path.lastIndexOf('/') + 1);
                exchange.getResponseHeaders().add("Docker-Content-Digest", "sha256:" + tag.repeat(64));
                exchange.getResponseHeaders().add("Content-Type", HttpCacheRegistry.OCI_INDEX);
                body = "{\"schemaVersion\":2,\"mediaType\":\"" + HttpCacheRegistry.OCI_INDEX + "\",\"manifests\":[]}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        stub.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + stub.getAddress().getPort());
            assertThat(new HttpCacheRegistry(base, CREDENTIALS, Duration.ofSeconds(5), 1).tags("r"))
                    .containsExactly(new CachedTag("r", "a", "sha256:" + "a".repeat(64), null),
                            new CachedTag("r", "b", "sha256:" + "b".repeat(64), null));
        } finally {
            stub.stop(0);
        }
    }
}
