package dev.buildfleet.storage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.buildfleet.storage.IndependentS3.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tenants made before owner users existed (the tenant user owns its bucket) are handed over by ensure on the real
 * RGW: every object stays readable with the same tenant key, and the tenant's keys lose what only an owner may do.
 */
@ExtendWith(RealRgw.class)
class BucketHandoverRgwTest {
    private static URI endpoint;
    private static RgwTenantStorage storage;

    @BeforeAll
    static void connect() {
        endpoint = RealRgw.get().endpoint();
        storage = RgwTenantStorage.connect(endpoint, "default", RealRgw.get().adminKeys());
    }

    private static StoragePlan plan(String tenant) {
        return StorageFleets.plan(endpoint, new StorageFleets.Tenant(tenant, "quota: {maxSize: 20Mi}", null));
    }

    /** Objects as the registry and the runner leave them, one of them uploaded in parts. */
    private static Map<String, String> fill(S3Client tenant, String bucket) {
        Map<String, String> objects = new LinkedHashMap<>();
        for (String key : new String[]{"registry/docker/registry/v2/blobs/sha256/ab/data", "runner-cache/p/default.zip"}) {
            tenant.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromString("content of " + key));
            objects.put(key, "content of " + key);
        }
        String upload = tenant.createMultipartUpload(c -> c.bucket(bucket).key("registry/big")).uploadId();
        String etag = tenant.uploadPart(u -> u.bucket(bucket).key("registry/big").uploadId(upload).partNumber(1),
                RequestBody.fromString("x".repeat(5 << 20))).eTag();
        tenant.completeMultipartUpload(c -> c.bucket(bucket).key("registry/big").uploadId(upload)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        objects.put("registry/big", "x".repeat(5 << 20));
        return objects;
    }

    @Test
    void aBucketTheTenantOwnsIsHandedToTheOwnerWithEveryObject() {
        StoragePlan plan = plan("legacy");
        S3Keys keys = RgwTestAdmin.legacyTenant(plan);
        Map<String, String> objects;
        try (S3Client tenant = IndependentS3.as(endpoint, keys)) {
            objects = fill(tenant, plan.bucket());
        }
        assertThat(storage.check(plan)).extracting(Object::toString).contains(
                "max-buckets of bf-legacy: wanted -1 (creates no bucket), found 1",
                "owner bf-legacy.owner: wanted exists, found missing",
                "bucket bf-legacy-cache: wanted owned by bf-legacy.owner, found owned by bf-legacy (its keys may "
                        + "change the bucket's ACL, policy, lifecycle and versioning, or delete it)");

        TenantStorage.EnsureResult result = storage.ensure(plan);
        assertThat(result.keys()).as("the consumers keep their key").isEqualTo(keys);
        assertThat(result.changes()).anySatisfy(c -> {
            assertThat(c.item()).isEqualTo("bucket bf-legacy-cache");
            assertThat(c.action()).isEqualTo(TenantStorage.Change.Action.UPDATED);
            assertThat(c.detail()).isEqualTo("handed from bf-legacy to bf-legacy.owner with its 3 objects");
        });
        assertThat(storage.check(plan)).isEmpty();
        assertThat(RgwTestAdmin.admin().bucketStats(plan.bucket()).orElseThrow().owner()).isEqualTo("bf-legacy.owner");
        assertThat(storage.usage(plan).quota()).as("the quota moved with the bucket").isEqualTo(plan.quota());

        try (S3Client tenant = IndependentS3.as(endpoint, keys)) {
            objects.forEach((key, content) -> assertThat(tenant.getObjectAsBytes(g -> g.bucket(plan.bucket())
                    .key(key)).asUtf8String()).as(key).isEqualTo(content));
            assertThat(tenant.listObjectsV2(l -> l.bucket(plan.bucket())).contents()).extracting(S3Object::key)
                    .containsExactlyInAnyOrderElementsOf(objects.keySet());
            tenant.deleteObject(d -> d.bucket(plan.bucket()).key("runner-cache/p/default.zip"));
            assertRefused("PutBucketPolicy after the hand-over", () -> tenant.putBucketPolicy(p -> p
                    .bucket(plan.bucket()).policy("{}")));
            assertRefused("DeleteBucket after the hand-over", () -> tenant.deleteBucket(d -> d.bucket(plan.bucket())));
            assertRefused("CreateBucket after the hand-over", () -> tenant.createBucket(c -> c.bucket("bf-other-cache")));
        }
        assertThat(storage.ensure(plan).changed()).isFalse();
    }

    @Test
    void aBucketTheTenantMadePublicAndVersionedAndSetToExpireIsRepairedOnHandOver() {
        StoragePlan plan = plan("legacy-open");
        S3Keys keys = RgwTestAdmin.legacyTenant(plan);
        try (S3Client tenant = IndependentS3.as(endpoint, keys); S3Client anonymous = IndependentS3.anonymous(endpoint)) {
            fill(tenant, plan.bucket());
            tenant.putBucketPolicy(p -> p.bucket(plan.bucket()).policy("""
                    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},\
                    "Action":["s3:*"],"Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"]}]}"""
                    .formatted(plan.bucket(), plan.bucket())));
            tenant.putBucketVersioning(v -> v.bucket(plan.bucket()).versioningConfiguration(c -> c
                    .status(BucketVersioningStatus.ENABLED)));
            tenant.putBucketLifecycleConfiguration(l -> l.bucket(plan.bucket()).lifecycleConfiguration(c -> c
                    .rules(LifecycleRule.builder().id("everything").status(ExpirationStatus.ENABLED)
                            .filter(f -> f.prefix("")).expiration(e -> e.days(3650)).build())));
            anonymous.putObject(p -> p.bucket(plan.bucket()).key("registry/poison"), RequestBody.fromString("evil"));

            storage.ensure(plan);
            assertThat(storage.check(plan)).isEmpty();
            assertRefused("anonymous list", () -> anonymous.listObjectsV2(l -> l.bucket(plan.bucket())));
            assertRefused("anonymous write", () -> anonymous.putObject(p -> p.bucket(plan.bucket())
                    .key("registry/poison2"), RequestBody.fromString("evil")));
            assertThat(tenant.listObjectsV2(l -> l.bucket(plan.bucket())).contents()).as("nothing was deleted")
                    .extracting(S3Object::key).contains("registry/big", "registry/poison");
        }
        try (S3Client owner = IndependentS3.as(endpoint, RgwTestAdmin.ownerKeys(plan))) {
            assertThat(owner.getBucketVersioning(v -> v.bucket(plan.bucket())).status())
                    .isEqualTo(BucketVersioningStatus.SUSPENDED);
            assertThat(owner.getBucketLifecycleConfiguration(l -> l.bucket(plan.bucket())).rules())
                    .extracting(LifecycleRule::id).containsExactlyInAnyOrder(StoragePlan.ABORT_MULTIPART_RULE,
                            StoragePlan.EXPIRE_RUNNER_CACHE_RULE);
        }
    }

    /** A policy the tenant wrote while it owned the bucket that denies even the owner: ensure stops, changing nothing. */
    @Test
    void aBucketWhosePolicyLocksOutItsOwnerIsLeftAsItIsWithAClearFault() {
        StoragePlan plan = plan("legacy-locked");
        S3Keys keys = RgwTestAdmin.legacyTenant(plan);
        try (S3Client tenant = IndependentS3.as(endpoint, keys)) {
            tenant.putObject(p -> p.bucket(plan.bucket()).key("registry/blob"), RequestBody.fromString("layer"));
            tenant.putBucketPolicy(p -> p.bucket(plan.bucket()).policy("""
                    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["%s"]},\
                    "Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::%s",\
                    "arn:aws:s3:::%s/*"]},{"Effect":"Deny","Principal":{"AWS":["*"]},"Action":["s3:PutBucketPolicy",\
                    "s3:DeleteBucketPolicy","s3:GetBucketPolicy"],"Resource":["arn:aws:s3:::%s"]}]}"""
                    .formatted(plan.principalArn(), plan.bucket(), plan.bucket(), plan.bucket())));
        }
        assertThatThrownBy(() -> storage.ensure(plan)).isInstanceOfSatisfying(StorageFault.class, f -> {
            assertThat(f.reason()).isEqualTo(StorageFault.Reason.AccessDenied);
            assertThat(f.getMessage()).contains("bucket bf-legacy-locked-cache is still owned by bf-legacy-locked",
                    "denies even its owner", "left as they are", "admin flag");
        });
        assertThat(RgwTestAdmin.admin().bucketStats(plan.bucket()).orElseThrow().owner()).isEqualTo("bf-legacy-locked");
        try (S3Client tenant = IndependentS3.as(endpoint, keys)) {
            assertThat(tenant.getObjectAsBytes(g -> g.bucket(plan.bucket()).key("registry/blob")).asUtf8String())
                    .as("the tenant's caches keep working").isEqualTo("layer");
        }
        assertThat(storage.check(plan)).extracting(TenantStorage.Drift::item).contains("bucket bf-legacy-locked-cache");
    }

    /** The hand-over stopped after the new policy: the tenant may no longer change it, and a later ensure finishes. */
    @Test
    void aHandOverThatStoppedHalfWayIsFinishedByTheNextEnsure() {
        StoragePlan plan = plan("legacy-half");
        S3Keys keys = RgwTestAdmin.legacyTenant(plan);
        try (S3Client tenant = IndependentS3.as(endpoint, keys)) {
            tenant.putObject(p -> p.bucket(plan.bucket()).key("registry/blob"), RequestBody.fromString("layer"));
            tenant.putBucketPolicy(p -> p.bucket(plan.bucket()).policy(plan.bucketPolicy()));   // the first step
            assertRefused("the tenant changing the policy after the first step", () -> tenant.putBucketPolicy(p -> p
                    .bucket(plan.bucket()).policy(plan.bucketPolicy())));
        }
        storage.ensure(plan);
        assertThat(storage.check(plan)).isEmpty();
        try (S3Client tenant = IndependentS3.as(endpoint, keys)) {
            assertThat(tenant.getObjectAsBytes(g -> g.bucket(plan.bucket()).key("registry/blob")).asUtf8String())
                    .isEqualTo("layer");
        }
    }
}
