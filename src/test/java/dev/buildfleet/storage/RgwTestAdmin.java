package dev.buildfleet.storage;

import java.time.Duration;

/** Admin Ops on the test RGW for setting up what a test needs (drift, legacy tenants) behind buildfleet's back. */
final class RgwTestAdmin {
    private RgwTestAdmin() {
    }

    static RgwAdminClient admin() {
        return new RgwAdminClient(RealRgw.get().endpoint(), "default", RealRgw.get().adminKeys(),
                Duration.ofSeconds(10));
    }

    /** The owner user's key, which buildfleet never hands out: read from Admin Ops as buildfleet itself does. */
    static S3Keys ownerKeys(StoragePlan plan) {
        return admin().user(plan.ownerUserId()).orElseThrow().firstKey().orElseThrow();
    }

    /** A tenant as buildfleet made them before owner users: the tenant user owns its bucket and holds the quota. */
    static S3Keys legacyTenant(StoragePlan plan) {
        RgwAdminClient admin = admin();
        S3Keys keys = admin.createUser(plan.userId(), plan.displayName(), 1).firstKey().orElseThrow();
        admin.setUserQuota(plan.userId(), plan.quota());
        try (var s3 = IndependentS3.as(plan.endpoint(), keys)) {
            s3.createBucket(b -> b.bucket(plan.bucket()));
            s3.putBucketPolicy(p -> p.bucket(plan.bucket()).policy("""
                    {"Version":"2012-10-17","Statement":[{"Sid":"buildfleet-tenant-only","Effect":"Allow",\
                    "Principal":{"AWS":["%s"]},"Action":["s3:*"],"Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"]}]}\
                    """.formatted(plan.principalArn(), plan.bucket(), plan.bucket()).strip()));
            s3.putBucketLifecycleConfiguration(l -> l.bucket(plan.bucket()).lifecycleConfiguration(c -> c
                    .rules(LifecycleRules.of(plan.lifecycle()))));
        }
        return keys;
    }
}
