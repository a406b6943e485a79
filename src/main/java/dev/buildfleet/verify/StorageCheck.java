package dev.buildfleet.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.storage.RgwAdminClient;
import dev.buildfleet.storage.S3Clients;
import dev.buildfleet.storage.S3Keys;
import dev.buildfleet.storage.StorageFault;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Type;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * With the RGW admin keys (read through Admin Ops, never printed): the tenant's own key is refused on every other
 * tenant's bucket, and its bucket is not public (no ACL grant to AllUsers or AuthenticatedUsers, no policy statement
 * for every principal, anonymous list and read refused). Only reads are sent: a probe that would write could succeed.
 */
final class StorageCheck {
    static final String NAME = "storage";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GROUPS = "http://acs.amazonaws.com/groups/global/";

    private final RgwAdminClient admin;
    private final Duration timeout;
    /** A key no bucket holds: the answer to reading it tells whether reads are allowed (404) or refused (403). */
    private final String probeKey = "buildfleet-verify-probe-" + UUID.randomUUID();

    StorageCheck(RgwAdminClient admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    List<CheckResult> check(ResolvedTenant t, List<ResolvedTenant> fleet) {
        try {
            var stats = admin.bucketStats(t.cache().bucket());
            if (stats.isEmpty()) {
                return List.of(CheckResult.fail(t.name(), NAME, "bucket " + t.cache().bucket() + " does not exist",
                        List.of(new Evidence("bucket " + t.cache().bucket(), "", "not found by RGW Admin Ops")),
                        t.cache().provisioned() ? "buildfleet storage ensure -f FLEET.yaml --tenant " + t.name()
                                + " --credentials-out DIR (or let the operator provision it)"
                                : "create the bucket with the keys of spec.cache.existingCredentialsSecret"));
            }
            String owner = stats.get().owner();
            S3Keys keys = admin.user(owner).flatMap(RgwAdminClient.User::firstKey).orElse(null);
            if (keys == null) {
                return List.of(CheckResult.fail(t.name(), NAME, "the owner of " + t.cache().bucket() + ", RGW user "
                                + owner + ", has no S3 key", List.of(new Evidence("RGW user " + owner, "keys", "none")),
                        "issue one: buildfleet storage ensure -f FLEET.yaml --tenant " + t.name()
                                + " --credentials-out DIR"));
            }
            List<CheckResult> results = new ArrayList<>();
            results.add(isolation(t, fleet, owner, keys));
            results.add(notPublic(t, keys));
            return results;
        } catch (StorageFault fault) {
            return List.of(error(t, fault.reason() + ": " + fault.getMessage()));
        } catch (SdkClientException e) {
            return List.of(error(t, "cannot reach RGW at " + t.cache().endpoint() + ": " + e.getMessage()));
        }
    }

    private CheckResult isolation(ResolvedTenant t, List<ResolvedTenant> fleet, String owner, S3Keys keys) {
        List<Evidence> evidence = new ArrayList<>();
        List<String> open = new ArrayList<>();
        String as = "as " + owner + " (key " + keys.accessKeyId() + ")";
        try (S3Client s3 = S3Clients.create(t.cache().endpoint(), t.cache().region(), keys, timeout)) {
            for (ResolvedTenant other : fleet) {
                String bucket = other.cache().bucket();
                if (other.name().equals(t.name()) || bucket.equals(t.cache().bucket())
                        || admin.bucketStats(bucket).isEmpty()) {
                    continue;
                }
                int list = status(() -> s3.listObjectsV2(b -> b.bucket(bucket).maxKeys(1)).sdkHttpResponse()
                        .statusCode());
                int read = status(() -> s3.headObject(b -> b.bucket(bucket).key(probeKey)).sdkHttpResponse()
                        .statusCode());
                evidence.add(new Evidence("bucket " + bucket + " (tenant " + other.name() + ")",
                        "ListObjectsV2 " + as, answer(list)));
                evidence.add(new Evidence("bucket " + bucket + " (tenant " + other.name() + ")",
                        "HeadObject " + as, answer(read)));
                if (list != 403 || read != 403) {
                    open.add(bucket);
                }
            }
        }
        if (!open.isEmpty()) {
            return CheckResult.fail(t.name(), NAME, t.name() + "'s key is not refused on " + open
                    + " of other tenants", evidence, "find the grant on those buckets (their policy or ACL: "
                    + "buildfleet storage check -f FLEET.yaml names a changed policy) and remove it; buildfleet "
                    + "storage ensure puts the tenant-only policy back");
        }
        return CheckResult.pass(t.name(), NAME, t.name() + "'s key is refused (HTTP 403) on every other tenant's "
                + "bucket (" + evidence.size() / 2 + ")", evidence);
    }

    private CheckResult notPublic(ResolvedTenant t, S3Keys keys) {
        String bucket = t.cache().bucket();
        String object = "bucket " + bucket;
        List<Evidence> evidence = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (S3Client s3 = S3Clients.create(t.cache().endpoint(), t.cache().region(), keys, timeout);
             S3Client anonymous = anonymous(t)) {
            List<String> grants = new ArrayList<>();
            for (Grant grant : s3.getBucketAcl(b -> b.bucket(bucket)).grants()) {
                String grantee = grant.grantee().type() == Type.GROUP ? grant.grantee().uri()
                        : grant.grantee().id() != null ? grant.grantee().id() : String.valueOf(grant.grantee());
                grants.add(grantee.replace(GROUPS, "") + ":" + grant.permissionAsString());
                if (grant.grantee().type() == Type.GROUP && (grantee.endsWith("/AllUsers")
                        || grantee.endsWith("/AuthenticatedUsers"))) {
                    problems.add("its ACL grants " + grant.permissionAsString() + " to "
                            + grantee.replace(GROUPS, ""));
                }
            }
            evidence.add(new Evidence(object, "ACL grants", String.join(", ", grants)));
            String policy = policy(s3, bucket);
            evidence.add(new Evidence(object, "bucket policy", policy == null ? "(none)"
                    : everyone(policy) ? "a statement allows principal *" : "no statement for principal *"));
            if (policy != null && everyone(policy)) {
                problems.add("its bucket policy allows every principal");
            }
            int list = status(() -> anonymous.listObjectsV2(b -> b.bucket(bucket).maxKeys(1)).sdkHttpResponse()
                    .statusCode());
            int read = status(() -> anonymous.headObject(b -> b.bucket(bucket).key(probeKey)).sdkHttpResponse()
                    .statusCode());
            evidence.add(new Evidence(object, "ListObjectsV2 without credentials", answer(list)));
            evidence.add(new Evidence(object, "HeadObject without credentials", answer(read)));
            if (list != 403) {
                problems.add("anyone may list it");
            }
            if (read != 403) {
                problems.add("anyone may read from it");
            }
        }
        if (!problems.isEmpty()) {
            return CheckResult.fail(t.name(), NAME, object + " is public: " + String.join("; ", problems), evidence,
                    "buildfleet storage ensure -f FLEET.yaml --tenant " + t.name() + " puts the private ACL and the "
                            + "tenant-only policy back (the tenant's own keys cannot change either; whoever made it "
                            + "public had the bucket owner's or RGW admin's key: rotate it)");
        }
        return CheckResult.pass(t.name(), NAME, object + " is not public: no ACL grant or policy for everyone, "
                + "anonymous list and read refused (HTTP 403)", evidence);
    }

    private static String policy(S3Client s3, String bucket) {
        try {
            return s3.getBucketPolicy(b -> b.bucket(bucket)).policy();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    static boolean everyone(String policy) {
        try {
            JsonNode statements = JSON.readTree(policy).path("Statement");
            for (JsonNode s : statements.isArray() ? statements : JSON.createArrayNode().add(statements)) {
                JsonNode principal = s.path("Principal");
                JsonNode aws = principal.path("AWS");
                boolean star = "*".equals(principal.asText()) || "*".equals(aws.asText())
                        || (aws.isArray() && aws.toString().contains("\"*\""));
                if ("Allow".equals(s.path("Effect").asText()) && star) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The HTTP status of a read: 2xx, or the S3 error's. */
    private static int status(Supplier<Integer> call) {
        try {
            return call.get();
        } catch (S3Exception e) {
            return e.statusCode();
        }
    }

    private static String answer(int status) {
        return status == 403 ? "refused (HTTP 403)" : status == 404 ? "allowed (HTTP 404: the read was permitted, "
                + "the probe object does not exist)" : status / 100 == 2 ? "allowed (HTTP " + status + ")"
                : "HTTP " + status;
    }

    private S3Client anonymous(ResolvedTenant t) {
        return S3Client.builder().endpointOverride(t.cache().endpoint()).region(Region.of(t.cache().region()))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(timeout)
                        .socketTimeout(timeout.multipliedBy(3)).build())
                .build();
    }

    private static CheckResult error(ResolvedTenant t, String why) {
        return CheckResult.error(t.name(), NAME, "could not check storage: " + why, "check that RGW is reachable "
                + "at config.ceph.adminEndpoint/endpoint and that the admin user has caps users, buckets read",
                VerifyExitCodes.STORAGE_FAULT);
    }
}
