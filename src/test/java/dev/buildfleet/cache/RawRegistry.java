package dev.buildfleet.cache;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;

/** Plain /v2/ requests for tests: push a blob or a manifest, ask anything with given (or no) credentials. */
record RawRegistry(URI base, String authorization) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static RawRegistry of(URI base, CacheCredentials credentials) {
        return new RawRegistry(base, credentials == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8)));
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> send(String method, String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A manifest as stored (every manifest media type accepted, so nothing is converted). */
    HttpResponse<String> manifest(String repository, String reference) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/manifests/" + reference))
                .timeout(Duration.ofSeconds(30)).header("Accept", String.join(", ", HttpCacheRegistry.DOCKER_MANIFEST,
                        HttpCacheRegistry.OCI_MANIFEST, HttpCacheRegistry.DOCKER_MANIFEST_LIST,
                        HttpCacheRegistry.OCI_INDEX));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The answer to starting a blob upload (202 when the registry takes pushes). */
    HttpResponse<String> startUpload(String repository) throws IOException, InterruptedException {
        return send("POST", "/v2/" + repository + "/blobs/uploads/", null, null);
    }

    /** Uploads a blob in one PUT; returns its digest. */
    String pushBlob(String repository, byte[] blob) throws IOException, InterruptedException {
        HttpResponse<String> start = startUpload(repository);
        check(start, 202);
        String location = start.headers().firstValue("Location").orElseThrow();
        String digest = sha256(blob);
        URI put = base.resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
        check(send("PUT", put.toString(), "application/octet-stream", blob), 201);
        return digest;
    }

    /** Puts a manifest under a tag; returns its digest. */
    String pushManifest(String repository, String tag, String mediaType, String json)
            throws IOException, InterruptedException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        check(send("PUT", "/v2/" + repository + "/manifests/" + tag, mediaType, bytes), 201);
        return sha256(bytes);
    }

    /** An image config with {@code created} (omitted when null) and one layer, pushed; returns its digest. */
    String pushImage(String repository, String tag, String mediaType, String created)
            throws IOException, InterruptedException {
        byte[] layer = ("layer of " + repository + ":" + tag).getBytes(StandardCharsets.UTF_8);
        String layerDigest = pushBlob(repository, layer);
        String config = "{" + (created == null ? "" : "\"created\":\"" + created + "\",")
                + "\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + layerDigest + "\"]}}";
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        String configDigest = pushBlob(repository, configBytes);
        boolean oci = mediaType.equals(HttpCacheRegistry.OCI_MANIFEST);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + mediaType + "\",\"config\":{\"mediaType\":\""
                + (oci ? "application/vnd.oci.image.config.v1+json" : "application/vnd.docker.container.image.v1+json")
                + "\",\"digest\":\"" + configDigest + "\",\"size\":" + configBytes.length + "},\"layers\":[{"
                + "\"mediaType\":\"" + (oci ? "application/vnd.oci.image.layer.v1.tar"
                : "application/vnd.docker.image.rootfs.diff.tar") + "\",\"digest\":\"" + layerDigest
                + "\",\"size\":" + layer.length + "}]}";
        return pushManifest(repository, tag, mediaType, manifest);
    }

    private static void check(HttpResponse<String> response, int expected) {
        if (response.statusCode() != expected) {
            throw new IllegalStateException(response.request().method() + " " + response.uri().getPath()
                    + ": HTTP " + response.statusCode() + " (expected " + expected + "): " + response.body());
        }
    }
}
