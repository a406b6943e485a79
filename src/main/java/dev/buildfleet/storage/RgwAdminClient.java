package dev.buildfleet.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.buildfleet.proxy.OutboundProxy;
import dev.buildfleet.tls.TlsFailures;
import dev.buildfleet.tls.TrustBundle;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Ceph RGW's Admin Ops API (users, keys, caps, quotas, bucket stats and ownership) over the JDK HttpClient, each
 * request signed with the AWS SDK v2's own SigV4 signer (service "s3").
 *
 * <p>Why not radosgw-admin4j 2.0.9: it signs with AWS signature v2, which RGW deployments increasingly disable, and
 * it would add OkHttp and a second signing stack next to the SDK we need for S3 anyway; the few calls below are
 * plain REST. What RGW (16.2, seen here) wants: every value as a query parameter with an EMPTY body (a JSON body gets
 * 501 NotImplemented), and the {@code x-amz-content-sha256} header as for S3.
 */
public final class RgwAdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NO_SUCH_USER = Set.of("NoSuchUser");
    private static final Set<String> NO_SUCH_BUCKET = Set.of("NoSuchBucket");
    private static final Set<String> NO_SUCH_KEY = Set.of("NoSuchKey", "InvalidAccessKeyId");

    private final URI endpoint;
    private final String region;
    private final S3Keys adminKeys;
    private final HttpClient http;
    private final Duration timeout;
    private final TrustBundle trust;
    private final OutboundProxy proxy;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /** @throws StorageFault InvalidConfiguration when the endpoint is no http(s) URL of RGW itself */
    public RgwAdminClient(URI endpoint, String region, S3Keys adminKeys, Duration timeout) {
        this(endpoint, region, adminKeys, timeout, null);
    }

    /** @param trust the only CAs to trust for an https endpoint (also for S3 clients made with it), or null */
    public RgwAdminClient(URI endpoint, String region, S3Keys adminKeys, Duration timeout, TrustBundle trust) {
        this(endpoint, region, adminKeys, timeout, trust, null);
    }

    /** @param proxy the fleet's proxy for this client and the S3 clients made with it (NO_PROXY applies), or null */
    public RgwAdminClient(URI endpoint, String region, S3Keys adminKeys, Duration timeout, TrustBundle trust,
                          OutboundProxy proxy) {
        RgwEndpoint.require(endpoint, "RGW admin endpoint");
        this.endpoint = endpoint;
        this.region = region;
        this.adminKeys = adminKeys;
        this.timeout = timeout;
        this.trust = trust;
        this.proxy = proxy;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
        if (proxy != null) {
            proxy.forTarget(endpoint).ifPresent(address -> builder.proxy(java.net.ProxySelector.of(address)));
        }
        if (trust != null) {
            builder.sslContext(trust.sslContext());
        }
        this.http = builder.build();
    }

    /** The fleet's proxy, or null: direct. */
    public OutboundProxy proxy() {
        return proxy;
    }

    /** The CAs this client trusts, or null for the JDK's. */
    public TrustBundle trust() {
        return trust;
    }

    /**
     * @param caps       admin capabilities as RGW writes them ({@code users=*}); a tenant's user should have none
     * @param maxBuckets RGW's max_buckets: 0 = no limit, negative = may create no bucket
     */
    public record User(String userId, List<String> accessKeys, Map<String, String> secrets, boolean suspended,
                       List<String> caps, int maxBuckets) {
        @Override
        public String toString() {   // never the secrets
            return "User[" + userId + ", keys=" + accessKeys + (suspended ? ", suspended" : "")
                    + (caps.isEmpty() ? "" : ", caps=" + caps) + ", max-buckets=" + maxBuckets + "]";
        }

        /** The first key, with its secret. */
        public Optional<S3Keys> firstKey() {
            return accessKeys.isEmpty() ? Optional.empty()
                    : Optional.of(new S3Keys(accessKeys.getFirst(), secrets.get(accessKeys.getFirst())));
        }
    }

    public record BucketStats(String bucket, String owner, long bytes, long objects) {
    }

    public Optional<User> user(String uid) {
        return call(SdkHttpMethod.GET, "user", NO_SUCH_USER, params("uid", uid)).map(RgwAdminClient::toUser);
    }

    /** Creates the user with one generated S3 key and no caps. */
    public User createUser(String uid, String displayName, int maxBuckets) {
        JsonNode node = call(SdkHttpMethod.PUT, "user", Set.of(), params("uid", uid, "display-name", displayName,
                "key-type", "s3", "generate-key", "true", "max-buckets", String.valueOf(maxBuckets)))
                .orElseThrow(() -> new StorageFault(StorageFault.Reason.RGWError, "RGW did not return the new user "
                        + uid));
        return toUser(node);
    }

    /** RGW 16.2 and 17.2 both take a negative value as "may create no bucket" (17.2 stores it as -1). */
    public void setMaxBuckets(String uid, int maxBuckets) {
        call(SdkHttpMethod.POST, "user", Set.of(), params("uid", uid, "max-buckets", String.valueOf(maxBuckets)));
    }

    /** Removes every permission of each given cap type ({@code users}, {@code buckets}, ...). */
    public void removeCaps(String uid, List<String> types) {
        String caps = String.join(";", types.stream().map(t -> t + "=*").toList());
        call(SdkHttpMethod.DELETE, "user", Set.of(), params("caps", "", "uid", uid, "user-caps", caps));
    }

    /** Adds a generated S3 key and returns it (RGW answers with all keys; the new one is the one not seen before). */
    public S3Keys createKey(String uid) {
        List<String> before = user(uid).map(User::accessKeys).orElse(List.of());
        JsonNode keys = call(SdkHttpMethod.PUT, "user", Set.of(), params("key", "", "uid", uid, "key-type", "s3",
                "generate-key", "true")).orElseThrow(() ->
                new StorageFault(StorageFault.Reason.RGWError, "RGW did not return the keys of " + uid));
        for (JsonNode key : keys) {
            String id = key.path("access_key").asText();
            if (uid.equals(key.path("user").asText()) && !before.contains(id)) {
                return new S3Keys(id, key.path("secret_key").asText());
            }
        }
        throw new StorageFault(StorageFault.Reason.RGWError, "RGW created no new key for " + uid);
    }

    public void deleteKey(String uid, String accessKeyId) {
        call(SdkHttpMethod.DELETE, "user", NO_SUCH_KEY, params("key", "", "uid", uid, "access-key", accessKeyId));
    }

    public Optional<StoragePlan.Quota> userQuota(String uid) {
        return call(SdkHttpMethod.GET, "user", NO_SUCH_USER, params("quota", "", "uid", uid, "quota-type", "user"))
                .map(q -> {
                    // RGW keeps the size in bytes (max_size); max_size_kb reads 0 for "unlimited" (-1 bytes)
                    long bytes = q.path("max_size").asLong(-1);
                    long kb = bytes < 0 ? -1 : (bytes + 1023) / 1024;
                    return new StoragePlan.Quota(q.path("enabled").asBoolean(), kb, q.path("max_objects").asLong(-1));
                });
    }

    public void setUserQuota(String uid, StoragePlan.Quota quota) {
        call(SdkHttpMethod.PUT, "user", Set.of(), params("quota", "", "uid", uid, "quota-type", "user",
                "enabled", String.valueOf(quota.enabled()), "max-size-kb", String.valueOf(quota.maxSizeKb()),
                "max-objects", String.valueOf(quota.maxObjects())));
    }

    public Optional<BucketStats> bucketStats(String bucket) {
        return call(SdkHttpMethod.GET, "bucket", NO_SUCH_BUCKET, params("stats", "true", "bucket", bucket)).map(b -> {
            JsonNode main = b.path("usage").path("rgw.main");
            return new BucketStats(b.path("bucket").asText(), b.path("owner").asText(),
                    main.path("size").asLong(0), main.path("num_objects").asLong(0));
        });
    }

    /**
     * Makes {@code uid} the bucket's owner (Admin Ops "link"): RGW moves the bucket to that user's list, resets the
     * bucket ACL to "owner FULL_CONTROL" and keeps the objects, their ACLs and the bucket policy as they are.
     */
    public void linkBucket(String bucket, String uid) {
        call(SdkHttpMethod.PUT, "bucket", Set.of(), params("bucket", bucket, "uid", uid));
    }

    /** Removes the bucket with every object in it. */
    public void deleteBucket(String bucket) {
        call(SdkHttpMethod.DELETE, "bucket", NO_SUCH_BUCKET, params("bucket", bucket, "purge-objects", "true"));
    }

    public void deleteUser(String uid) {
        call(SdkHttpMethod.DELETE, "user", NO_SUCH_USER, params("uid", uid, "purge-data", "false"));
    }

    private static Map<String, String> params(String... pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    private static User toUser(JsonNode node) {
        String uid = node.path("user_id").asText();
        List<String> ids = new java.util.ArrayList<>();
        Map<String, String> secrets = new LinkedHashMap<>();
        for (JsonNode key : node.path("keys")) {
            if (uid.equals(key.path("user").asText())) {
                ids.add(key.path("access_key").asText());
                secrets.put(key.path("access_key").asText(), key.path("secret_key").asText());
            }
        }
        List<String> caps = new java.util.ArrayList<>();
        for (JsonNode cap : node.path("caps")) {
            caps.add(cap.path("type").asText() + "=" + cap.path("perm").asText());
        }
        return new User(uid, List.copyOf(ids), Map.copyOf(secrets), node.path("suspended").asInt(0) != 0,
                List.copyOf(caps), node.path("max_buckets").asInt(0));
    }

    /**
     * @param notFound the error codes that mean "the thing asked for does not exist" for this call
     * @return the JSON answer, or empty when RGW answers one of {@code notFound}
     */
    private Optional<JsonNode> call(SdkHttpMethod method, String resource, Set<String> notFound,
                                    Map<String, String> query) {
        String what = method + " /admin/" + resource;
        SignedRequest signed = sign(method, resource, query);
        HttpRequest.Builder request = HttpRequest.newBuilder(signed.request().getUri())
                .timeout(timeout)
                .method(method.name(), HttpRequest.BodyPublishers.noBody());
        signed.request().forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new StorageFault(StorageFault.Reason.RGWUnreachable, "cannot connect to RGW admin endpoint "
                    + endpoint + " (" + what + "): " + e.getClass().getSimpleName(), e);
        } catch (HttpTimeoutException e) {
            throw new StorageFault(StorageFault.Reason.RGWUnreachable, "RGW admin endpoint " + endpoint
                    + " did not answer " + what + " within " + timeout.toSeconds() + " s", e);
        } catch (IOException e) {
            Optional<String> untrusted = TlsFailures.untrusted("RGW admin API", endpoint.toString(), trust, e);
            if (untrusted.isPresent()) {
                throw new StorageFault(StorageFault.Reason.CertificateNotTrusted, untrusted.get() + " during "
                        + what, e);
            }
            throw new StorageFault(StorageFault.Reason.RGWUnreachable, "RGW admin endpoint " + endpoint
                    + " failed during " + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageFault(StorageFault.Reason.RGWUnreachable, "interrupted during " + what, e);
        }
        return answer(what, response.statusCode(), response.body(), notFound);
    }

    /**
     * Signs like an S3 request: SigV4 for service "s3" in the configured region, with the SHA-256 of the empty body
     * in {@code x-amz-content-sha256} (RGW requires the header) on http and https alike.
     */
    SignedRequest sign(SdkHttpMethod method, String resource, Map<String, String> query) {
        SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder()
                .method(method)
                .uri(endpoint.resolve("/admin/" + resource))
                .putRawQueryParameter("format", "json");
        query.forEach(unsigned::putRawQueryParameter);
        return signer.sign(r -> r
                .identity(AwsCredentialsIdentity.create(adminKeys.accessKeyId(), adminKeys.secretAccessKey()))
                .request(unsigned.build())
                .payload(ContentStreamProvider.fromByteArray(new byte[0]))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true)
                .putProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, false));
    }

    /**
     * Only the "not found" codes of the call count as "missing". An answer that names a {@code BucketName} came from
     * RGW's S3 side (the request never reached Admin Ops, e.g. behind a proxy path): it proves nothing is missing.
     */
    static Optional<JsonNode> answer(String what, int status, String body, Set<String> notFound) {
        String code = "";
        String s3Bucket = "";
        JsonNode node = null;
        try {
            node = body == null || body.isBlank() ? null : JSON.readTree(body);
            code = node == null ? "" : node.path("Code").asText("");
            s3Bucket = node == null ? "" : node.path("BucketName").asText("");
        } catch (IOException e) {
            // not JSON: keep the status only
        }
        if (status >= 200 && status < 300) {
            return Optional.ofNullable(node);
        }
        if (!s3Bucket.isEmpty()) {
            throw new StorageFault(StorageFault.Reason.InvalidConfiguration, what + " answered HTTP " + status + " "
                    + code + " for S3 bucket '" + s3Bucket + "': the request reached RGW's S3 API, not Admin Ops; "
                    + "check the admin endpoint (no path) and RGW's rgw_admin_entry");
        }
        if (status == 404 && notFound.contains(code)) {
            return Optional.empty();
        }
        String message = what + " answered HTTP " + status + (code.isEmpty() ? "" : " " + code);
        if (status == 403) {
            throw new StorageFault(StorageFault.Reason.AccessDenied, message
                    + " (check the admin keys and their caps: users, buckets, usage, metadata read,write)");
        }
        if (status == 400 || status == 409) {
            throw new StorageFault(StorageFault.Reason.InvalidConfiguration, message);
        }
        throw new StorageFault(StorageFault.Reason.RGWError, message);
    }
}
