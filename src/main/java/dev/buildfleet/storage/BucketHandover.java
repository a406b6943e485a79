package dev.buildfleet.storage;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.time.Duration;

/**
 * Hands a bucket that the tenant user still owns (made before owner users existed) to the tenant's owner user,
 * keeping every object. First, still as the bucket's owner, the tenant's keys put the new policy: it keeps the
 * tenant's object access through the hand-over, grants the owner user everything, and shows that the policy can be
 * changed at all. Then Admin Ops re-link the bucket to the owner user, which also resets the bucket ACL to private.
 */
final class BucketHandover {
    private final RgwAdminClient admin;
    private final StoragePlan plan;
    private final Duration timeout;

    BucketHandover(RgwAdminClient admin, StoragePlan plan, Duration timeout) {
        this.admin = admin;
        this.plan = plan;
        this.timeout = timeout;
    }

    /** @throws StorageFault AccessDenied, changing nothing, when the bucket's own policy locks its owner out */
    void run(S3Keys tenantKeys) {
        try (S3Client asTenant = S3Clients.create(plan.endpoint(), plan.region(), tenantKeys, timeout,
                admin.trust(), admin.proxy())) {
            if (!BucketPolicy.matches(plan, policy(asTenant))) {
                try {
                    asTenant.putBucketPolicy(p -> p.bucket(plan.bucket()).policy(plan.bucketPolicy()));
                } catch (SdkException e) {
                    throw lockedOut(e);
                }
            }
        }
        admin.linkBucket(plan.bucket(), plan.ownerUserId());
        String owner = admin.bucketStats(plan.bucket()).map(RgwAdminClient.BucketStats::owner).orElse("nobody");
        if (!plan.ownerUserId().equals(owner)) {
            throw new StorageFault(StorageFault.Reason.RGWError, "RGW accepted handing bucket " + plan.bucket()
                    + " to " + plan.ownerUserId() + " but names " + owner + " as its owner");
        }
    }

    private String policy(S3Client asTenant) {
        try {
            return asTenant.getBucketPolicy(p -> p.bucket(plan.bucket())).policy();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw lockedOut(e);
        } catch (SdkException e) {
            throw lockedOut(e);
        }
    }

    private StorageFault lockedOut(SdkException e) {
        StorageFault fault = S3Faults.of("hand bucket " + plan.bucket() + " to " + plan.ownerUserId(), e);
        if (fault.reason() != StorageFault.Reason.AccessDenied) {
            return fault;
        }
        return new StorageFault(StorageFault.Reason.AccessDenied, "bucket " + plan.bucket() + " is still owned by "
                + plan.userId() + " and its policy denies even its owner the policy calls (a policy written with the "
                + "tenant's keys); the bucket, its policy and its objects were left as they are. Delete that policy "
                + "with the keys of an RGW user that has the admin flag (radosgw-admin user modify --uid=USER "
                + "--admin; aws s3api delete-bucket-policy --bucket " + plan.bucket() + "), then run ensure again",
                e);
    }
}
