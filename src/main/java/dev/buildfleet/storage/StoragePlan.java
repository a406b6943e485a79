package dev.buildfleet.storage;

import dev.buildfleet.api.DeletionPolicy;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.Quantities;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.RunnerConfigToml;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * What one tenant's storage must look like on Ceph RGW, derived from a {@link ResolvedTenant} without any I/O: the
 * tenant's RGW user (its keys go to the tenant's pods), the owner user that owns the bucket and carries the quota
 * (its keys stay with buildfleet), the bucket, the bucket policy and the lifecycle rules.
 *
 * @param provisioned false in bring-your-own mode ({@code spec.cache.existingCredentialsSecret}): buildfleet then
 *                    creates nothing and only probes the tenant's keys
 */
public record StoragePlan(
        String tenant,
        String userId,
        String displayName,
        String bucket,
        URI endpoint,
        String region,
        boolean provisioned,
        Quota quota,
        List<Lifecycle> lifecycle,
        DeletionPolicy deletionPolicy) {

    /** Prefix of gitlab-runner's cache objects: the only place objects expire by age. */
    public static final String RUNNER_CACHE_PREFIX = RunnerConfigToml.CACHE_PATH_PREFIX + "/";
    /** Prefix of the cache registry's storage: pruned by tag TTL + registry GC, never by lifecycle. */
    public static final String REGISTRY_PREFIX = "registry/";
    public static final String ABORT_MULTIPART_RULE = "buildfleet-abort-incomplete-multipart";
    public static final String EXPIRE_RUNNER_CACHE_RULE = "buildfleet-expire-runner-cache";
    /** Multipart uploads left behind by a killed job are removed after this many days. */
    public static final int ABORT_INCOMPLETE_MULTIPART_DAYS = 1;
    /** RGW's max_buckets for the tenant user: negative means it may create no bucket at all. */
    public static final int TENANT_MAX_BUCKETS = -1;
    /** The owner user owns exactly the tenant's bucket and may create no other. */
    public static final int OWNER_MAX_BUCKETS = 1;
    /** Appended to the tenant's user id; a tenant name (a DNS label) has no dot, so no tenant user is named so. */
    static final String OWNER_SUFFIX = ".owner";

    /**
     * RGW user quota, as RGW's Admin Ops API takes it ({@code -1} = unlimited).
     */
    public record Quota(boolean enabled, long maxSizeKb, long maxObjects) {
        public static final Quota UNLIMITED = new Quota(false, -1, -1);

        /** Same effect: two disabled quotas match whatever limits they keep. */
        public boolean matches(Quota other) {
            if (other == null) {
                return false;
            }
            if (!enabled && !other.enabled) {
                return true;
            }
            return enabled == other.enabled && limit(maxSizeKb) == limit(other.maxSizeKb)
                    && limit(maxObjects) == limit(other.maxObjects);
        }

        private static long limit(long value) {
            return value < 0 ? -1 : value;
        }

        @Override
        public String toString() {
            return enabled ? "max-size-kb=" + maxSizeKb + " max-objects=" + maxObjects : "unlimited";
        }
    }

    /**
     * One lifecycle rule: a rule either expires objects under {@code prefix} after {@code expirationDays} or aborts
     * incomplete multipart uploads after {@code abortIncompleteMultipartDays} (0 = not part of the rule).
     */
    public record Lifecycle(String id, String prefix, int expirationDays, int abortIncompleteMultipartDays) {
    }

    public static StoragePlan of(ResolvedTenant tenant) {
        ResolvedTenant.Cache cache = tenant.cache();
        return new StoragePlan(
                tenant.name(),
                Names.storageUser(tenant.name()),
                "buildfleet tenant " + tenant.name(),
                cache.bucket(),
                cache.endpoint(),
                cache.region(),
                cache.provisioned(),
                quota(cache),
                List.of(new Lifecycle(ABORT_MULTIPART_RULE, "", 0, ABORT_INCOMPLETE_MULTIPART_DAYS),
                        new Lifecycle(EXPIRE_RUNNER_CACHE_RULE, RUNNER_CACHE_PREFIX, expirationDays(cache.ttl()), 0)),
                tenant.storageDeletionPolicy());
    }

    /** S3 lifecycle counts whole days: the TTL rounded up, at least one day. */
    static int expirationDays(Duration ttl) {
        long days = ttl.toDays() + (ttl.equals(Duration.ofDays(ttl.toDays())) ? 0 : 1);
        return (int) Math.max(1, Math.min(days, Integer.MAX_VALUE));
    }

    static Quota quota(ResolvedTenant.Cache cache) {
        if (cache.maxSize() == null && cache.maxObjects() == null) {
            return Quota.UNLIMITED;
        }
        long kb = cache.maxSize() == null ? -1 : Quantities.amount(cache.maxSize())
                .divide(BigDecimal.valueOf(1024), 0, RoundingMode.CEILING).longValueExact();
        return new Quota(true, kb, cache.maxObjects() == null ? -1 : cache.maxObjects());
    }

    /** The RGW user that owns the bucket and carries the quota; its keys never leave buildfleet. */
    public String ownerUserId() {
        return userId + OWNER_SUFFIX;
    }

    public String ownerDisplayName() {
        return "buildfleet bucket owner for tenant " + tenant;
    }

    /** The principal RGW matches the tenant user with in a bucket policy. */
    public String principalArn() {
        return "arn:aws:iam:::user/" + userId;
    }

    public String ownerPrincipalArn() {
        return "arn:aws:iam:::user/" + ownerUserId();
    }

    /** See {@link BucketPolicy}: the tenant uses objects only, the owner manages, nobody else gets anything. */
    public String bucketPolicy() {
        return BucketPolicy.json(this);
    }
}
