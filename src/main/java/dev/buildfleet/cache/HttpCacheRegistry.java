package dev.buildfleet.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link CacheRegistry} over Distribution's /v2/ API on the JDK HttpClient, with the tenant's htpasswd user (Basic
 * auth). The password goes only into the Authorization header: no message built here contains it.
 *
 * <p>A tag's creation time is the {@code created} field of its image config, the time Kaniko compares with
 * {@code --cache-ttl}; an image index (or Docker manifest list) has no config, so its tags have no creation time.
 * Catalog and tag lists are read page by page ({@code n} and the {@code Link: <...>; rel="next"} header).
 */
public final class HttpCacheRegistry implements CacheRegistry {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_PAGE_SIZE = 100;

    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String ACCEPT_MANIFESTS = String.join(", ", DOCKER_MANIFEST, OCI_MANIFEST,
            DOCKER_MANIFEST_LIST, OCI_INDEX);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    /** Image configs are a few KiB; anything far larger is not one. */
    private static final long MAX_CONFIG_BYTES = 4L * 1024 * 1024;
    private static final int MAX_PAGES = 100_000;
    static final int PARALLEL_TAG_READS = 8;

    private final URI base;
    private final String authorization;
    private final String username;
    private final Duration timeout;
    private final int pageSize;
    private final HttpClient http;

    public HttpCacheRegistry(URI base, CacheCredentials credentials) {
        this(base, credentials, DEFAULT_TIMEOUT, DEFAULT_PAGE_SIZE);
    }

    /**
     * @param base        the registry's URL, e.g. {@code http://cache-registry.bf-java.svc:5000}
     * @param timeout     connect and per-request timeout
     * @param pageSize    the {@code n} asked for per catalog or tag page
     */
    public HttpCacheRegistry(URI base, CacheCredentials credentials, Duration timeout, int pageSize) {
        Objects.requireNonNull(credentials, "credentials");
        if (base != null && base.getRawUserInfo() != null) {
            throw new IllegalArgumentException("the registry URL must not hold credentials");
        }
        if (base == null || base.getHost() == null
                || !("http".equals(base.getScheme()) || "https".equals(base.getScheme()))) {
            throw new IllegalArgumentException("the registry URL must look like http://host:5000 (was " + base + ")");
        }
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be at least 1");
        }
        this.base = base;
        this.username = credentials.username();
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        this.pageSize = pageSize;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public List<String> repositories() {
        List<String> repositories = new ArrayList<>();
        for (JsonNode page : pages(base.resolve("/v2/_catalog?n=" + pageSize), false)) {
            page.path("repositories").forEach(r -> repositories.add(r.asText()));
        }
        return repositories;
    }

    @Override
    public List<CachedTag> tags(String repository) {
        List<String> names = new ArrayList<>();
        for (JsonNode page : pages(base.resolve("/v2/" + repository + "/tags/list?n=" + pageSize), true)) {
            page.path("tags").forEach(t -> names.add(t.asText()));   // "tags": null when a repository has none
        }
        Map<String, Optional<Instant>> createdByConfig = new ConcurrentHashMap<>();
        // Two requests per tag (manifest, then config), a few tags in flight at once: reading a cache of thousands
        // of tags is then not one round trip after another, and the registry still sees a bounded load.
        Semaphore inFlight = new Semaphore(PARALLEL_TAG_READS);
        List<Future<CachedTag>> reads = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String tag : names) {
                reads.add(executor.submit(() -> {
                    inFlight.acquire();
                    try {
                        return tag(repository, tag, createdByConfig);
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            List<CachedTag> tags = new ArrayList<>();
            for (Future<CachedTag> read : reads) {
                CachedTag tag = read.get();
                if (tag != null) {
                    tags.add(tag);
                }
            }
            return tags;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CacheRegistryFault fault) {
                throw fault;
            }
            throw new CacheRegistryFault("reading the tags of " + repository + " at " + authority() + " failed: "
                    + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheRegistryFault("interrupted while reading the tags of " + repository, e);
        }
    }

    /** One tag's digest and creation time; null when it was deleted or moved since the list was read. */
    private CachedTag tag(String repository, String tag, Map<String, Optional<Instant>> createdByConfig) {
        HttpResponse<byte[]> manifest = send("GET", base.resolve("/v2/" + repository + "/manifests/" + tag),
                ACCEPT_MANIFESTS, 404);
        if (manifest.statusCode() == 404) {
            return null;
        }
        String digest = manifest.headers().firstValue("Docker-Content-Digest")
                .orElseGet(() -> sha256(manifest.body()));
        return new CachedTag(repository, tag, digest, created(repository, manifest, createdByConfig));
    }

    @Override
    public void deleteManifest(String repository, String digest) {
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("not a manifest digest: " + digest);
        }
        HttpResponse<byte[]> response = send("DELETE", base.resolve("/v2/" + repository + "/manifests/" + digest),
                null, 404);
        if (response.statusCode() != 202 && response.statusCode() != 404) {
            throw fault("DELETE", response.uri(), response.statusCode(), "expected 202 Accepted", response.body());
        }
    }

    /** The config's {@code created} time; null for an index, a config without it, or one that cannot be read. */
    private Instant created(String repository, HttpResponse<byte[]> manifest,
                            Map<String, Optional<Instant>> cache) {
        JsonNode body;
        try {
            body = JSON.readTree(manifest.body());
        } catch (IOException e) {
            throw new CacheRegistryFault("GET " + manifest.uri().getRawPath() + " at " + authority()
                    + ": the manifest is not JSON");
        }
        String mediaType = body.path("mediaType").asText(
                manifest.headers().firstValue("Content-Type").orElse(""));
        JsonNode config = body.path("config");
        if (mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_MANIFEST_LIST) || !config.isObject()) {
            return null;
        }
        String configDigest = config.path("digest").asText("");
        if (!DIGEST.matcher(configDigest).matches() || config.path("size").asLong(0) > MAX_CONFIG_BYTES) {
            return null;
        }
        Optional<Instant> known = cache.get(configDigest);
        if (known != null) {
            return known.orElse(null);
        }
        HttpResponse<byte[]> blob = send("GET", base.resolve("/v2/" + repository + "/blobs/" + configDigest), null,
                404);
        Instant created = blob.statusCode() == 404 ? null : parseCreated(blob.body());
        cache.put(configDigest, Optional.ofNullable(created));
        return created;
    }

    /** The RFC 3339 {@code created} of an image config; null when absent or not a time. */
    static Instant parseCreated(byte[] configJson) {
        try {
            JsonNode created = JSON.readTree(configJson).path("created");
            return created.isTextual() ? OffsetDateTime.parse(created.asText()).toInstant() : null;
        } catch (IOException | DateTimeParseException e) {
            return null;
        }
    }

    /** Every page of a paginated list, following {@code Link: <...>; rel="next"} on this registry only. */
    private List<JsonNode> pages(URI first, boolean notFoundIsEmpty) {
        List<JsonNode> pages = new ArrayList<>();
        URI next = first;
        while (next != null) {
            if (pages.size() >= MAX_PAGES) {
                throw new CacheRegistryFault("GET " + first.getRawPath() + " at " + authority() + ": more than "
                        + MAX_PAGES + " pages; the registry keeps linking to a next page");
            }
            HttpResponse<byte[]> response = send("GET", next, "application/json", notFoundIsEmpty ? 404 : 0);
            if (response.statusCode() == 404) {
                return pages;   // NAME_UNKNOWN: a repository without tags
            }
            try {
                pages.add(JSON.readTree(response.body()));
            } catch (IOException e) {
                throw new CacheRegistryFault("GET " + pathAndQuery(next) + " at " + authority() + ": HTTP "
                        + response.statusCode() + " with a body that is not JSON");
            }
            next = nextPage(response);
        }
        return pages;
    }

    private URI nextPage(HttpResponse<?> response) {
        for (String link : response.headers().allValues("Link")) {
            Matcher m = NEXT_LINK.matcher(link);
            if (m.find()) {
                URI next = response.uri().resolve(m.group(1));
                if (!sameOrigin(next)) {
                    throw new CacheRegistryFault("GET " + pathAndQuery(response.uri()) + " at " + authority()
                            + ": the next page links to another host (" + next.getHost() + "); not followed");
                }
                return next;
            }
        }
        return null;
    }

    /**
     * Sends one request with the credentials. 2xx and {@code alsoAccepted} are returned; any other status is a
     * fault. A redirect (a blob served from storage) is followed once, without credentials when it leaves this host.
     */
    private HttpResponse<byte[]> send(String method, URI uri, String accept, int alsoAccepted) {
        HttpResponse<byte[]> response = exchange(method, uri, accept, true);
        int code = response.statusCode();
        if (code >= 300 && code < 400 && response.headers().firstValue("Location").isPresent()) {
            URI target = uri.resolve(response.headers().firstValue("Location").get());
            response = exchange(method, target, accept, sameOrigin(target));
            code = response.statusCode();
        }
        if ((code >= 200 && code < 300) || code == alsoAccepted) {
            return response;
        }
        throw fault(method, uri, code, null, response.body());
    }

    private HttpResponse<byte[]> exchange(String method, URI uri, String accept, boolean withCredentials) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (withCredentials) {
            request.header("Authorization", authorization);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new CacheRegistryFault(method + " " + pathAndQuery(uri) + " at " + uri.getRawAuthority()
                    + ": no answer (" + e.getClass().getSimpleName() + (e.getMessage() == null ? ""
                    : ": " + e.getMessage()) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheRegistryFault(method + " " + pathAndQuery(uri) + " at " + uri.getRawAuthority()
                    + ": interrupted", e);
        }
    }

    private CacheRegistryFault fault(String method, URI uri, int code, String expected, byte[] body) {
        StringBuilder message = new StringBuilder(method).append(' ').append(pathAndQuery(uri)).append(" at ")
                .append(authority()).append(": HTTP ").append(code);
        String registryError = registryError(body);
        if (!registryError.isEmpty()) {
            message.append(' ').append(registryError);
        }
        if (expected != null) {
            message.append(" (").append(expected).append(')');
        }
        switch (code) {
            case 401 -> message.append(": the registry refused user ").append(username)
                    .append(" (wrong password, or not the registry's htpasswd user)");
            case 405 -> message.append(": the registry does not allow this now (read-only for garbage collection, "
                    + "or storage.delete.enabled is off)");
            default -> {
            }
        }
        return new CacheRegistryFault(message.toString());
    }

    /** Distribution's {"errors":[{"code","message"}]} as "CODE (message)"; never holds a credential. */
    private static String registryError(byte[] body) {
        try {
            JsonNode first = JSON.readTree(body).path("errors").path(0);
            if (first.isObject()) {
                String code = first.path("code").asText("");
                String text = first.path("message").asText("");
                return text.isEmpty() ? code : code + " (" + text + ")";
            }
        } catch (IOException | RuntimeException notJson) {
            // e.g. "Method not allowed" in plain text
        }
        return "";
    }

    private boolean sameOrigin(URI uri) {
        return Objects.equals(uri.getScheme(), base.getScheme()) && Objects.equals(uri.getHost(), base.getHost())
                && uri.getPort() == base.getPort();
    }

    private String authority() {
        return base.getRawAuthority();
    }

    private static String pathAndQuery(URI uri) {
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "HttpCacheRegistry[" + base + ", user " + username + "]";
    }
}
