package dev.buildfleet.storage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AccessControlPolicy;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.Type;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.buildfleet.storage.IndependentS3.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way the attacker-style review changed a tenant's storage behind buildfleet's back (made here with the owner's
 * keys and Admin Ops, the only ways left): check names each one, ensure repairs each one without losing an object,
 * and afterwards the repair holds against the tenant's and anonymous requests.
 */
@ExtendWith(RealRgw.class)
class StorageDriftRgwTest {
    private static URI endpoint;
    private static RgwTenantStorage storage;
    private static RgwAdminClient admin;

    @BeforeAll
    static void connect() {
        endpoint = RealRgw.get().endpoint();
        storage = RgwTenantStorage.connect(endpoint, "default", RealRgw.get().adminKeys());
        admin = RgwTestAdmin.admin();
    }

    @Test
    void checkNamesEveryDriftAndEnsureRepairsItKeepingEveryObject() {
        StoragePlan plan = StorageFleets.plan(endpoint, new StorageFleets.Tenant("drifted",
                "quota: {maxSize: 10Mi}", null));
        S3Keys keys = storage.ensure(plan).keys();
        S3Keys ownerKeys = RgwTestAdmin.ownerKeys(plan);
        String b = plan.bucket();
        try (S3Client tenant = IndependentS3.as(endpoint, keys)) {
            // registry/ only: runner-cache/ expires after the ttl, two lifecycle days (4 s on the test RGW)
            for (String key : List.of("registry/a", "registry/b", "registry/c")) {
                tenant.putObject(p -> p.bucket(b).key(key), RequestBody.fromString(key));
            }
        }
        try (S3Client owner = IndependentS3.as(endpoint, ownerKeys)) {
            owner.putBucketAcl(a -> a.bucket(b).accessControlPolicy(acl(plan.ownerUserId(), Permission.READ,
                    Permission.WRITE)));
            owner.putObjectAcl(a -> a.bucket(b).key("registry/a").accessControlPolicy(acl(plan.userId(),
                    Permission.READ)));
            owner.putBucketVersioning(v -> v.bucket(b).versioningConfiguration(c -> c
                    .status(BucketVersioningStatus.ENABLED)));
            // same ids, prefixes and days as ours, plus a date that expires the whole bucket (a past date would
            // do it at the next lifecycle run, which the test RGW starts every few seconds)
            List<LifecycleRule> looksLikeOurs = LifecycleRules.of(plan.lifecycle()).stream()
                    .map(r -> r.id().equals(StoragePlan.ABORT_MULTIPART_RULE) ? r.toBuilder()
                            .expiration(e -> e.date(Instant.parse("2099-01-01T00:00:00Z"))).build() : r).toList();
            owner.putBucketLifecycleConfiguration(l -> l.bucket(b).lifecycleConfiguration(c -> c.rules(looksLikeOurs)));
            owner.putBucketPolicy(p -> p.bucket(b).policy("""
                    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},\
                    "Action":["s3:*"],"Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"]}]}""".formatted(b, b)));
        }
        S3Keys planted = admin.createKey(plan.userId());
        RealRgw.get().radosgwAdmin("caps", "add", "--uid=" + plan.userId(), "--caps=users=read;buckets=*");
        admin.setMaxBuckets(plan.userId(), 1000);
        admin.setUserQuota(plan.ownerUserId(), StoragePlan.Quota.UNLIMITED);
        try (S3Client anonymous = IndependentS3.anonymous(endpoint)) {
            assertThat(anonymous.listObjectsV2(l -> l.bucket(b)).contents()).as("the drift is real").hasSize(3);
        }

        List<TenantStorage.Drift> drift = storage.check(plan);
        assertThat(drift).extracting(TenantStorage.Drift::item).containsExactly("keys of bf-drifted",
                "caps of bf-drifted", "max-buckets of bf-drifted", "quota", "bucket policy", "bucket ACL", "versioning",
                "lifecycle", "object ACLs");
        assertThat(drift).extracting(Object::toString).contains(
                "keys of bf-drifted: wanted one S3 key, found 2 (" + String.join(", ",
                        storage.accessKeys(plan)) + ")",
                "caps of bf-drifted: wanted none, found buckets=*;users=read",
                "max-buckets of bf-drifted: wanted -1 (creates no bucket), found 1000",
                "bucket policy: wanted objects only for arn:aws:iam:::user/bf-drifted, nothing for anyone but it and "
                        + "arn:aws:iam:::user/bf-drifted.owner, found a different policy",
                "bucket ACL: wanted private (bf-drifted.owner FULL_CONTROL only), found AllUsers READ, AllUsers WRITE",
                "versioning: wanted off (never enabled, or suspended), found Enabled");
        assertThat(drift).filteredOn(d -> d.item().equals("lifecycle")).singleElement()
                .satisfies(d -> assertThat(d.found()).contains("rule " + StoragePlan.ABORT_MULTIPART_RULE
                        + " with expiration date 2099-01-01"));
        assertThat(drift).filteredOn(d -> d.item().equals("object ACLs")).singleElement()
                .satisfies(d -> assertThat(d.found()).contains("1 of 3 sampled", "registry/a: AllUsers READ"));
        assertThat(drift.toString()).doesNotContain(keys.secretAccessKey(), planted.secretAccessKey(),
                ownerKeys.secretAccessKey());

        storage.ensure(plan);
        assertThat(storage.check(plan)).as("plain ensure keeps every tenant key (rotation holds two)")
                .extracting(TenantStorage.Drift::item).containsExactly("keys of bf-drifted");
        assertThat(storage.ensureSoleKey(plan, keys.accessKeyId()).keys()).as("the consumers' key").isEqualTo(keys);
        assertThat(storage.check(plan)).isEmpty();
        assertThat(storage.accessKeys(plan)).containsExactly(keys.accessKeyId());

        RgwAdminClient.User tenantUser = admin.user(plan.userId()).orElseThrow();
        assertThat(tenantUser.caps()).isEmpty();
        assertThat(tenantUser.maxBuckets()).isNegative();
        try (S3Client tenant = IndependentS3.as(endpoint, keys); S3Client anonymous = IndependentS3.anonymous(endpoint);
             S3Client owner = IndependentS3.as(endpoint, ownerKeys)) {
            assertRefused("anonymous list after the repair", () -> anonymous.listObjectsV2(l -> l.bucket(b)));
            assertRefused("anonymous read of the formerly public object", () -> anonymous.getObjectAsBytes(g -> g
                    .bucket(b).key("registry/a")));
            assertRefused("bucket creation after the repair", () -> tenant.createBucket(c -> c.bucket("bf-drift-2")));
            assertThat(owner.getBucketVersioning(v -> v.bucket(b)).status()).isEqualTo(BucketVersioningStatus.SUSPENDED);
            for (String key : List.of("registry/a", "registry/b", "registry/c")) {
                assertThat(tenant.getObjectAsBytes(g -> g.bucket(b).key(key)).asUtf8String()).isEqualTo(key);
            }
        }
        assertThat(storage.usage(plan).quota()).isEqualTo(plan.quota());
    }

    /** Full control for the owner, and {@code toAllUsers} for everyone (what public-read/-write canned ACLs mean). */
    private static AccessControlPolicy acl(String owner, Permission... toAllUsers) {
        List<Grant> grants = new ArrayList<>(List.of(Grant.builder().grantee(g -> g.type(Type.CANONICAL_USER)
                .id(owner)).permission(Permission.FULL_CONTROL).build()));
        for (Permission permission : toAllUsers) {
            grants.add(Grant.builder().grantee(g -> g.type(Type.GROUP)
                    .uri("http://acs.amazonaws.com/groups/global/AllUsers")).permission(permission).build());
        }
        return AccessControlPolicy.builder().owner(o -> o.id(owner)).grants(grants).build();
    }

    /** A second owner key may be in someone else's hands: every owner key is replaced by a fresh one. */
    @Test
    void theOwnerUsersDriftIsFoundAndRepairedToo() {
        StoragePlan plan = StorageFleets.plan(endpoint, StorageFleets.Tenant.of("owner-drift"));
        storage.ensure(plan);
        S3Keys ownerKey = RgwTestAdmin.ownerKeys(plan);
        S3Keys planted = admin.createKey(plan.ownerUserId());
        RealRgw.get().radosgwAdmin("caps", "add", "--uid=" + plan.ownerUserId(), "--caps=users=*");
        admin.setMaxBuckets(plan.ownerUserId(), 0);

        assertThat(storage.check(plan)).extracting(TenantStorage.Drift::item).containsExactly(
                "keys of bf-owner-drift.owner", "caps of bf-owner-drift.owner", "max-buckets of bf-owner-drift.owner");
        storage.ensure(plan);
        assertThat(storage.check(plan)).isEmpty();
        RgwAdminClient.User owner = admin.user(plan.ownerUserId()).orElseThrow();
        assertThat(owner.accessKeys()).hasSize(1).doesNotContain(ownerKey.accessKeyId(), planted.accessKeyId());
        assertThat(owner.caps()).isEmpty();
        assertThat(owner.maxBuckets()).isEqualTo(1);
    }
}
