package dev.buildfleet.storage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.util.List;

import static dev.buildfleet.storage.IndependentS3.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a tenant's keys can do, as an attacker holding them (from a runner, cache-registry or BuildKit pod) would try
 * it: every request goes through an S3 client made here from the AWS SDK, not through buildfleet's code, against the
 * real RGW. Object use works; every request that manages the bucket is refused; the other tenant and anonymous
 * users are refused everything, even on an object whose ACL names AllUsers.
 */
@ExtendWith(RealRgw.class)
class TenantKeysRgwTest {
    private static URI endpoint;
    private static RgwTenantStorage storage;
    private static StoragePlan plan;
    private static S3Keys keys;
    private static S3Keys otherKeys;

    @BeforeAll
    static void twoTenants() {
        endpoint = RealRgw.get().endpoint();
        storage = RgwTenantStorage.connect(endpoint, "default", RealRgw.get().adminKeys());
        plan = StorageFleets.plan(endpoint, StorageFleets.Tenant.of("keys"));
        keys = storage.ensure(plan).keys();
        otherKeys = storage.ensure(StorageFleets.plan(endpoint, StorageFleets.Tenant.of("keys-other"))).keys();
        try (S3Client tenant = IndependentS3.as(endpoint, keys)) {
            tenant.putObject(p -> p.bucket(plan.bucket()).key("registry/blob"), RequestBody.fromString("layer"));
        }
    }

    @Test
    void objectUseWorksAsTheRegistryRunnerAndBuildKitNeedIt() {
        String b = plan.bucket();
        try (S3Client tenant = IndependentS3.as(endpoint, keys)) {
            tenant.putObject(p -> p.bucket(b).key("runner-cache/p/default.zip"), RequestBody.fromString("zip"));
            tenant.putObject(p -> p.bucket(b).key("registry/private").acl(ObjectCannedACL.PRIVATE),
                    RequestBody.fromString("private"));   // Distribution's S3 driver sends x-amz-acl: private
            assertThat(tenant.getObjectAsBytes(g -> g.bucket(b).key("runner-cache/p/default.zip")).asUtf8String())
                    .isEqualTo("zip");
            assertThat(tenant.headObject(h -> h.bucket(b).key("registry/blob")).contentLength()).isEqualTo(5);
            tenant.headBucket(h -> h.bucket(b));
            tenant.getBucketLocation(l -> l.bucket(b));
            tenant.copyObject(c -> c.sourceBucket(b).sourceKey("registry/blob").destinationBucket(b)
                    .destinationKey("registry/copy"));
            assertThat(tenant.listObjectsV2(l -> l.bucket(b).prefix("registry/")).contents())
                    .extracting(S3Object::key).contains("registry/blob", "registry/copy", "registry/private");

            String upload = tenant.createMultipartUpload(c -> c.bucket(b).key("registry/big")).uploadId();
            String etag = tenant.uploadPart(u -> u.bucket(b).key("registry/big").uploadId(upload).partNumber(1),
                    RequestBody.fromBytes(new byte[5 * 1024 * 1024])).eTag();
            assertThat(tenant.listParts(l -> l.bucket(b).key("registry/big").uploadId(upload)).parts()).hasSize(1);
            assertThat(tenant.listMultipartUploads(l -> l.bucket(b)).uploads()).isNotEmpty();
            tenant.completeMultipartUpload(c -> c.bucket(b).key("registry/big").uploadId(upload)
                    .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
            assertThat(tenant.headObject(h -> h.bucket(b).key("registry/big")).contentLength()).isEqualTo(5 << 20);
            String aborted = tenant.createMultipartUpload(c -> c.bucket(b).key("registry/killed-job")).uploadId();
            tenant.abortMultipartUpload(a -> a.bucket(b).key("registry/killed-job").uploadId(aborted));

            tenant.deleteObjects(d -> d.bucket(b).delete(x -> x.objects(ObjectIdentifier.builder()
                    .key("registry/copy").build(), ObjectIdentifier.builder().key("registry/big").build())));
            tenant.deleteObject(d -> d.bucket(b).key("registry/private"));
            assertThat(tenant.listObjectsV2(l -> l.bucket(b).prefix("registry/")).contents())
                    .extracting(S3Object::key).containsExactly("registry/blob");
        }
    }

    @Test
    void everyRequestThatManagesTheBucketIsRefused() {
        String b = plan.bucket();
        try (S3Client tenant = IndependentS3.as(endpoint, keys)) {
            assertRefused("PutBucketAcl public-read-write", () -> tenant.putBucketAcl(a -> a.bucket(b)
                    .acl(BucketCannedACL.PUBLIC_READ_WRITE)));
            assertRefused("PutObjectAcl public-read", () -> tenant.putObjectAcl(a -> a.bucket(b).key("registry/blob")
                    .acl(ObjectCannedACL.PUBLIC_READ)));
            assertRefused("PutObject with x-amz-acl public-read", () -> tenant.putObject(p -> p.bucket(b)
                    .key("registry/public").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("x")));
            assertRefused("PutBucketPolicy", () -> tenant.putBucketPolicy(p -> p.bucket(b).policy("""
                    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*",\
                    "Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"]}]}""".formatted(b, b))));
            assertRefused("DeleteBucketPolicy", () -> tenant.deleteBucketPolicy(d -> d.bucket(b)));
            assertRefused("GetBucketPolicy", () -> tenant.getBucketPolicy(g -> g.bucket(b)));
            assertRefused("PutBucketLifecycle that expires everything", () -> tenant.putBucketLifecycleConfiguration(
                    l -> l.bucket(b).lifecycleConfiguration(c -> c.rules(LifecycleRule.builder().id("all")
                            .status(ExpirationStatus.ENABLED).filter(f -> f.prefix(""))
                            .expiration(e -> e.days(1)).build()))));
            assertRefused("DeleteBucketLifecycle", () -> tenant.deleteBucketLifecycle(d -> d.bucket(b)));
            assertRefused("PutBucketVersioning Enabled", () -> tenant.putBucketVersioning(v -> v.bucket(b)
                    .versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED))));
            assertRefused("PutBucketCors", () -> tenant.putBucketCors(c -> c.bucket(b).corsConfiguration(x -> x
                    .corsRules(r -> r.allowedMethods("GET").allowedOrigins("*")))));
            assertRefused("PutBucketTagging", () -> tenant.putBucketTagging(t -> t.bucket(b)
                    .tagging(x -> x.tagSet(tag -> tag.key("k").value("v")))));
            assertRefused("DeleteBucket", () -> tenant.deleteBucket(d -> d.bucket(b)));
            assertRefused("CreateBucket of a future tenant's name", () -> tenant.createBucket(c -> c
                    .bucket("bf-future-tenant-cache")));
        }
        assertThat(RgwTestAdmin.admin().bucketStats("bf-future-tenant-cache")).isEmpty();
        assertThat(storage.check(plan)).as("nothing changed").isEmpty();
    }

    @Test
    void theOtherTenantIsRefusedEverything() {
        String b = plan.bucket();
        try (S3Client other = IndependentS3.as(endpoint, otherKeys)) {
            refusedEverything(other, b);
            assertRefused("PutBucketAcl", () -> other.putBucketAcl(a -> a.bucket(b).acl(BucketCannedACL.PRIVATE)));
            assertRefused("PutBucketPolicy", () -> other.putBucketPolicy(p -> p.bucket(b).policy("{}")));
            assertRefused("DeleteBucket", () -> other.deleteBucket(d -> d.bucket(b)));
        }
    }

    @Test
    void anonymousIsRefusedEverything() {
        try (S3Client anonymous = IndependentS3.anonymous(endpoint)) {
            refusedEverything(anonymous, plan.bucket());
        }
    }

    /**
     * RGW 16.2 applies no policy condition to the ACL of CopyObject (nor of CreateMultipartUpload), so the tenant can
     * still mark a copy public-read; the policy denies everyone else anyway, check finds the ACL in its sample, and
     * ensure resets it.
     */
    @Test
    void anObjectAclThatNamesAllUsersOpensNothingAndEnsureResetsIt() {
        StoragePlan plan = StorageFleets.plan(endpoint, StorageFleets.Tenant.of("keys-acl"));
        S3Keys keys = storage.ensure(plan).keys();
        String b = plan.bucket();
        try (S3Client tenant = IndependentS3.as(endpoint, keys); S3Client anonymous = IndependentS3.anonymous(endpoint);
             S3Client other = IndependentS3.as(endpoint, otherKeys)) {
            tenant.putObject(p -> p.bucket(b).key("registry/blob"), RequestBody.fromString("layer"));
            tenant.copyObject(c -> c.sourceBucket(b).sourceKey("registry/blob").destinationBucket(b)
                    .destinationKey("registry/shared").acl(ObjectCannedACL.PUBLIC_READ));
            assertRefused("anonymous GET of a public-read object", () -> anonymous.getObjectAsBytes(g -> g.bucket(b)
                    .key("registry/shared")));
            assertRefused("other tenant GET of a public-read object", () -> other.getObjectAsBytes(g -> g.bucket(b)
                    .key("registry/shared")));

            assertThat(storage.check(plan)).singleElement().satisfies(d -> {
                assertThat(d.item()).isEqualTo("object ACLs");
                assertThat(d.found()).contains("registry/shared: AllUsers READ");
            });
            assertThat(storage.ensure(plan).changes()).anySatisfy(c -> {
                assertThat(c.item()).isEqualTo("object ACLs");
                assertThat(c.action()).isEqualTo(TenantStorage.Change.Action.UPDATED);
            });
            assertThat(storage.check(plan)).isEmpty();
            assertThat(tenant.getObjectAsBytes(g -> g.bucket(b).key("registry/shared")).asUtf8String())
                    .isEqualTo("layer");
            assertThat(tenant.getObjectAcl(a -> a.bucket(b).key("registry/shared")).grants())
                    .as("the tenant may still read its object's ACL").singleElement()
                    .satisfies(g -> assertThat(g.grantee().id()).isEqualTo(plan.userId()));
        }
    }

    private static void refusedEverything(S3Client client, String b) {
        assertRefused("GetObject", () -> client.getObjectAsBytes(g -> g.bucket(b).key("registry/blob")));
        assertRefused("PutObject", () -> client.putObject(p -> p.bucket(b).key("registry/poison"),
                RequestBody.fromString("poison")));
        assertRefused("ListObjects", () -> client.listObjectsV2(l -> l.bucket(b)));
        assertRefused("DeleteObject", () -> client.deleteObject(d -> d.bucket(b).key("registry/blob")));
        assertRefused("CreateMultipartUpload", () -> client.createMultipartUpload(c -> c.bucket(b)
                .key("registry/poison")));
        assertRefused("ListMultipartUploads", () -> client.listMultipartUploads(l -> l.bucket(b)));
        List<String> left;
        try (S3Client tenant = IndependentS3.as(endpoint, keys)) {
            left = tenant.listObjectsV2(l -> l.bucket(b)).contents().stream().map(S3Object::key).toList();
        }
        assertThat(left).contains("registry/blob").doesNotContain("registry/poison");
    }
}
