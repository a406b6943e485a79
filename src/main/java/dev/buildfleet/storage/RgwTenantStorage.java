package dev.buildfleet.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.buildfleet.api.DeletionPolicy;
import dev.buildfleet.storage.TenantStorage.Change.Action;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortIncompleteMultipartUpload;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link TenantStorage} on Ceph RGW: users, keys and quotas through the Admin Ops API ({@link RgwAdminClient}),
 * bucket, policy and lifecycle through S3 with the tenant's own keys, so the tenant user owns its bucket.
 */
public final class RgwTenantStorage implements TenantStorage {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RgwAdminClient admin;
    private final Duration timeout;

    public RgwTenantStorage(RgwAdminClient admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    /** Admin Ops at {@code adminEndpoint}, signed for {@code region} with the RGW admin user's keys. */
    public static RgwTenantStorage connect(URI adminEndpoint, String region, S3Keys adminKeys) {
        Duration timeout = Duration.ofSeconds(10);
        return new RgwTenantStorage(new RgwAdminClient(adminEndpoint, region, adminKeys, timeout), timeout);
    }

    @Override
    public EnsureResult ensure(StoragePlan plan) {
        requireProvisioned(plan, "ensure");
        List<Change> changes = new ArrayList<>();
        String userItem = "user " + plan.userId();
        RgwAdminClient.User user = admin.user(plan.userId()).orElse(null);
        boolean newUser = user == null;
        if (newUser) {
            user = admin.createUser(plan.userId(), plan.displayName());   // RGW generates its first key
            changes.add(new Change(userItem, Action.CREATED, ""));
        } else {
            changes.add(new Change(userItem, Action.UNCHANGED, ""));
        }
        S3Keys keys;
        if (user.firstKey().isPresent()) {
            keys = user.firstKey().get();
            changes.add(new Change("key of " + plan.userId(), newUser ? Action.CREATED : Action.UNCHANGED,
                    keys.accessKeyId()));
        } else {
            keys = admin.createKey(plan.userId());
            changes.add(new Change("key of " + plan.userId(), Action.CREATED, keys.accessKeyId()));
        }
        StoragePlan.Quota quota = admin.userQuota(plan.userId()).orElse(null);
        if (!plan.quota().matches(quota)) {
            admin.setUserQuota(plan.userId(), plan.quota());
            changes.add(new Change("quota", Action.UPDATED, plan.quota().toString()));
        } else {
            changes.add(new Change("quota", Action.UNCHANGED, plan.quota().toString()));
        }
        String bucketItem = "bucket " + plan.bucket();
        Optional<RgwAdminClient.BucketStats> stats = admin.bucketStats(plan.bucket());
        try (S3Client s3 = s3(plan, keys)) {
            if (stats.isEmpty()) {
                s3call("create " + bucketItem, () -> s3.createBucket(b -> b.bucket(plan.bucket())));
                changes.add(new Change(bucketItem, Action.CREATED, ""));
            } else {
                requireOwner(plan, stats.get());
                changes.add(new Change(bucketItem, Action.UNCHANGED, ""));
            }
            if (policyMatches(plan, readPolicy(s3, plan))) {
                changes.add(new Change("bucket policy", Action.UNCHANGED, ""));
            } else {
                s3call("set the policy of " + bucketItem,
                        () -> s3.putBucketPolicy(p -> p.bucket(plan.bucket()).policy(plan.bucketPolicy())));
                changes.add(new Change("bucket policy", Action.UPDATED, "only " + plan.principalArn()));
            }
            if (plan.lifecycle().equals(readLifecycle(s3, plan))) {
                changes.add(new Change("lifecycle", Action.UNCHANGED, ""));
            } else {
                s3call("set the lifecycle of " + bucketItem, () -> s3.putBucketLifecycleConfiguration(l -> l
                        .bucket(plan.bucket())
                        .lifecycleConfiguration(BucketLifecycleConfiguration.builder()
                                .rules(plan.lifecycle().stream().map(RgwTenantStorage::toRule).toList()).build())));
                changes.add(new Change("lifecycle", Action.UPDATED, describe(plan.lifecycle())));
            }
        }
        return new EnsureResult(List.copyOf(changes), keys);
    }

    @Override
    public List<Drift> check(StoragePlan plan) {
        requireProvisioned(plan, "check");
        List<Drift> drift = new ArrayList<>();
        Optional<RgwAdminClient.User> user = admin.user(plan.userId());
        Optional<RgwAdminClient.BucketStats> stats = admin.bucketStats(plan.bucket());
        if (user.isEmpty()) {
            drift.add(new Drift("user " + plan.userId(), "exists", "missing"));
            drift.add(new Drift("bucket " + plan.bucket(), "owned by " + plan.userId(),
                    stats.map(s -> "owned by " + s.owner()).orElse("missing")));
            return drift;
        }
        Optional<S3Keys> keys = user.get().firstKey();
        if (keys.isEmpty()) {
            drift.add(new Drift("key of " + plan.userId(), "at least one S3 key", "none"));
        }
        StoragePlan.Quota quota = admin.userQuota(plan.userId()).orElse(null);
        if (!plan.quota().matches(quota)) {
            drift.add(new Drift("quota", plan.quota().toString(), String.valueOf(quota)));
        }
        if (stats.isEmpty()) {
            drift.add(new Drift("bucket " + plan.bucket(), "exists", "missing"));
            return drift;
        }
        if (!plan.userId().equals(stats.get().owner())) {
            drift.add(new Drift("bucket " + plan.bucket(), "owned by " + plan.userId(), "owned by "
                    + stats.get().owner()));
            return drift;
        }
        if (keys.isPresent()) {
            try (S3Client s3 = s3(plan, keys.get())) {
                Optional<String> policy = readPolicy(s3, plan);
                if (!policyMatches(plan, policy)) {
                    drift.add(new Drift("bucket policy", "only " + plan.principalArn(),
                            policy.isEmpty() ? "none" : "a different policy"));
                }
                List<StoragePlan.Lifecycle> lifecycle = readLifecycle(s3, plan);
                if (!plan.lifecycle().equals(lifecycle)) {
                    drift.add(new Drift("lifecycle", describe(plan.lifecycle()),
                            lifecycle.isEmpty() ? "none" : describe(lifecycle)));
                }
            }
        }
        return drift;
    }

    @Override
    public DeleteResult delete(StoragePlan plan) {
        requireProvisioned(plan, "delete");
        String userItem = "user " + plan.userId() + " and its keys";
        String bucketItem = "bucket " + plan.bucket() + " and its objects";
        if (plan.deletionPolicy() != DeletionPolicy.Delete) {
            return new DeleteResult(List.of(), List.of(userItem, bucketItem));
        }
        List<String> removed = new ArrayList<>();
        Optional<RgwAdminClient.BucketStats> stats = admin.bucketStats(plan.bucket());
        if (stats.isPresent()) {
            requireOwner(plan, stats.get());
            admin.deleteBucket(plan.bucket());
            removed.add(bucketItem);
        }
        if (admin.user(plan.userId()).isPresent()) {
            admin.deleteUser(plan.userId());
            removed.add(userItem);
        }
        return new DeleteResult(List.copyOf(removed), List.of());
    }

    @Override
    public S3Keys issueKey(StoragePlan plan) {
        requireProvisioned(plan, "issue a key");
        return admin.createKey(plan.userId());
    }

    @Override
    public void revokeKey(StoragePlan plan, String accessKeyId) {
        requireProvisioned(plan, "revoke a key");
        if (accessKeys(plan).contains(accessKeyId)) {
            admin.deleteKey(plan.userId(), accessKeyId);
        }
    }

    @Override
    public List<String> accessKeys(StoragePlan plan) {
        return admin.user(plan.userId()).map(RgwAdminClient.User::accessKeys).orElse(List.of());
    }

    @Override
    public void probeAccess(StoragePlan plan, S3Keys keys) {
        String probe = "buildfleet-probe/" + UUID.randomUUID();
        try (S3Client s3 = s3(plan, keys)) {
            s3call("list bucket " + plan.bucket(), () -> s3.listObjectsV2(l -> l.bucket(plan.bucket()).maxKeys(1)));
            s3call("write a probe object to bucket " + plan.bucket(), () -> s3.putObject(
                    p -> p.bucket(plan.bucket()).key(probe), RequestBody.fromString("buildfleet access probe")));
            s3call("delete the probe object from bucket " + plan.bucket(),
                    () -> s3.deleteObject(d -> d.bucket(plan.bucket()).key(probe)));
        }
    }

    @Override
    public Usage usage(StoragePlan plan) {
        RgwAdminClient.BucketStats stats = admin.bucketStats(plan.bucket()).orElseThrow(() -> new StorageFault(
                StorageFault.Reason.InvalidConfiguration, "bucket " + plan.bucket() + " does not exist"));
        StoragePlan.Quota quota = plan.provisioned()
                ? admin.userQuota(plan.userId()).orElse(StoragePlan.Quota.UNLIMITED)
                : admin.userQuota(stats.owner()).orElse(StoragePlan.Quota.UNLIMITED);
        return new Usage(stats.bytes(), stats.objects(), quota);
    }

    /** An S3 client for the plan's endpoint with settings Ceph RGW accepts; the caller closes it. */
    public S3Client s3(StoragePlan plan, S3Keys keys) {
        return S3Clients.create(plan.endpoint(), plan.region(), keys, timeout);
    }

    private static void requireProvisioned(StoragePlan plan, String what) {
        if (!plan.provisioned()) {
            throw new StorageFault(StorageFault.Reason.InvalidConfiguration, "tenant " + plan.tenant()
                    + " brings its own credentials (spec.cache.existingCredentialsSecret): buildfleet does not "
                    + what + " its storage, it only probes access");
        }
    }

    private static void requireOwner(StoragePlan plan, RgwAdminClient.BucketStats stats) {
        if (!plan.userId().equals(stats.owner())) {
            throw new StorageFault(StorageFault.Reason.InvalidConfiguration, "bucket " + plan.bucket()
                    + " belongs to RGW user " + stats.owner() + ", not " + plan.userId()
                    + "; choose another spec.cache.bucket (buildfleet never takes over or removes it)");
        }
    }

    private static Optional<String> readPolicy(S3Client s3, StoragePlan plan) {
        try {
            return Optional.ofNullable(s3.getBucketPolicy(p -> p.bucket(plan.bucket())).policy());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw S3Faults.of("read the policy of bucket " + plan.bucket(), e);
        } catch (SdkException e) {
            throw S3Faults.of("read the policy of bucket " + plan.bucket(), e);
        }
    }

    private static boolean policyMatches(StoragePlan plan, Optional<String> found) {
        if (found.isEmpty()) {
            return false;
        }
        try {
            JsonNode wanted = JSON.readTree(plan.bucketPolicy());
            return wanted.equals(JSON.readTree(found.get()));
        } catch (IOException e) {
            return false;
        }
    }

    private static List<StoragePlan.Lifecycle> readLifecycle(S3Client s3, StoragePlan plan) {
        List<LifecycleRule> rules;
        try {
            rules = s3.getBucketLifecycleConfiguration(l -> l.bucket(plan.bucket())).rules();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return List.of();
            }
            throw S3Faults.of("read the lifecycle of bucket " + plan.bucket(), e);
        } catch (SdkException e) {
            throw S3Faults.of("read the lifecycle of bucket " + plan.bucket(), e);
        }
        return rules.stream()
                .filter(r -> r.status() == ExpirationStatus.ENABLED)
                .map(RgwTenantStorage::fromRule)
                .sorted(Comparator.comparing(r -> plan.lifecycle().stream().map(StoragePlan.Lifecycle::id).toList()
                        .indexOf(r.id()) < 0 ? Integer.MAX_VALUE : plan.lifecycle().stream()
                        .map(StoragePlan.Lifecycle::id).toList().indexOf(r.id())))
                .toList();
    }

    @SuppressWarnings("deprecation") // LifecycleRule.prefix(): older RGWs answer with the top-level Prefix
    static StoragePlan.Lifecycle fromRule(LifecycleRule rule) {
        String prefix = rule.filter() != null && rule.filter().prefix() != null ? rule.filter().prefix()
                : rule.prefix() != null ? rule.prefix() : "";
        int expiration = rule.expiration() != null && rule.expiration().days() != null ? rule.expiration().days() : 0;
        int abort = rule.abortIncompleteMultipartUpload() != null
                && rule.abortIncompleteMultipartUpload().daysAfterInitiation() != null
                ? rule.abortIncompleteMultipartUpload().daysAfterInitiation() : 0;
        return new StoragePlan.Lifecycle(rule.id(), prefix, expiration, abort);
    }

    static LifecycleRule toRule(StoragePlan.Lifecycle rule) {
        LifecycleRule.Builder out = LifecycleRule.builder()
                .id(rule.id())
                .status(ExpirationStatus.ENABLED)
                .filter(LifecycleRuleFilter.builder().prefix(rule.prefix()).build());
        if (rule.expirationDays() > 0) {
            out.expiration(LifecycleExpiration.builder().days(rule.expirationDays()).build());
        }
        if (rule.abortIncompleteMultipartDays() > 0) {
            out.abortIncompleteMultipartUpload(AbortIncompleteMultipartUpload.builder()
                    .daysAfterInitiation(rule.abortIncompleteMultipartDays()).build());
        }
        return out.build();
    }

    private static String describe(List<StoragePlan.Lifecycle> rules) {
        List<String> parts = new ArrayList<>();
        for (StoragePlan.Lifecycle r : rules) {
            String scope = r.prefix().isEmpty() ? "whole bucket" : r.prefix();
            if (r.abortIncompleteMultipartDays() > 0) {
                parts.add("abort incomplete uploads after " + r.abortIncompleteMultipartDays() + "d (" + scope + ")");
            }
            if (r.expirationDays() > 0) {
                parts.add("expire after " + r.expirationDays() + "d (" + scope + ")");
            }
        }
        return String.join(", ", parts);
    }

    private static <T> T s3call(String what, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw S3Faults.of(what, e);
        }
    }
}
