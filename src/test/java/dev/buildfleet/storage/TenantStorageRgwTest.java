package dev.buildfleet.storage;

import dev.buildfleet.storage.StorageFleets.Tenant;
import dev.buildfleet.storage.TenantStorage.Change;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@link RgwTenantStorage} against a real single-node Ceph RGW (16.2 from Debian here; prod runs 17.2): what a
 * tenant, or the platform team, would notice. Each test uses its own tenants, so the order does not matter.
 */
@ExtendWith(RealRgw.class)
class TenantStorageRgwTest {
    private static URI endpoint;
    private static RgwTenantStorage storage;

    @BeforeAll
    static void connect() {
        endpoint = RealRgw.get().endpoint();
        storage = RgwTenantStorage.connect(endpoint, "default", RealRgw.get().adminKeys());
    }

    private static StoragePlan plan(String tenant) {
        return StorageFleets.plan(endpoint, Tenant.of(tenant));
    }

    private static S3Client s3(StoragePlan plan, S3Keys keys) {
        return storage.s3(plan, keys);
    }

    @Test
    void ensureCreatesEverythingOnceAndAgainChangesNothing() {
        StoragePlan plan = plan("idem");
        TenantStorage.EnsureResult first = storage.ensure(plan);
        assertThat(first.changes()).extracting(Change::item, Change::action).contains(
                org.assertj.core.groups.Tuple.tuple("user bf-idem", Change.Action.CREATED),
                org.assertj.core.groups.Tuple.tuple("owner bf-idem.owner", Change.Action.CREATED),
                org.assertj.core.groups.Tuple.tuple("bucket bf-idem-cache", Change.Action.CREATED),
                org.assertj.core.groups.Tuple.tuple("bucket policy", Change.Action.UPDATED),
                org.assertj.core.groups.Tuple.tuple("lifecycle", Change.Action.UPDATED));

        TenantStorage.EnsureResult second = storage.ensure(plan);
        assertThat(second.changed()).as(second.changes().toString()).isFalse();
        assertThat(second.keys()).isEqualTo(first.keys());
        assertThat(storage.accessKeys(plan)).containsExactly(first.keys().accessKeyId());
        assertThat(storage.check(plan)).isEmpty();
        assertThat(first.toString()).doesNotContain(first.keys().secretAccessKey())
                .doesNotContain(RgwTestAdmin.ownerKeys(plan).secretAccessKey());
        RgwAdminClient.User tenantUser = RgwTestAdmin.admin().user(plan.userId()).orElseThrow();
        assertThat(tenantUser.maxBuckets()).as("the tenant user may create no bucket").isNegative();
        assertThat(tenantUser.caps()).isEmpty();
        assertThat(RgwTestAdmin.admin().bucketStats(plan.bucket()).orElseThrow().owner()).isEqualTo("bf-idem.owner");
    }

    @Test
    void oneTenantsKeysCannotReadWriteListOrDeleteInAnothersBucket() {
        StoragePlan a = plan("iso-a");
        StoragePlan b = plan("iso-b");
        S3Keys keysA = storage.ensure(a).keys();
        S3Keys keysB = storage.ensure(b).keys();
        try (S3Client asA = s3(a, keysA); S3Client asB = s3(b, keysB)) {
            asA.putObject(p -> p.bucket(a.bucket()).key("runner-cache/a.zip"), RequestBody.fromString("A's"));
            asB.putObject(p -> p.bucket(b.bucket()).key("runner-cache/b.zip"), RequestBody.fromString("B's"));

            for (Object[] pair : new Object[][]{{asB, a}, {asA, b}}) {
                S3Client intruder = (S3Client) pair[0];
                String bucket = ((StoragePlan) pair[1]).bucket();
                String key = bucket.equals(a.bucket()) ? "runner-cache/a.zip" : "runner-cache/b.zip";
                assertDenied(() -> intruder.getObjectAsBytes(g -> g.bucket(bucket).key(key)));
                assertDenied(() -> intruder.putObject(p -> p.bucket(bucket).key("runner-cache/x"),
                        RequestBody.fromString("intruder")));
                assertDenied(() -> intruder.listObjectsV2(l -> l.bucket(bucket)));
                assertDenied(() -> intruder.deleteObject(d -> d.bucket(bucket).key(key)));
            }
            assertThat(asA.getObjectAsBytes(g -> g.bucket(a.bucket()).key("runner-cache/a.zip")).asUtf8String())
                    .isEqualTo("A's");
            assertThat(asB.listObjectsV2(l -> l.bucket(b.bucket())).contents()).hasSize(1);
        }
        assertThatThrownBy(() -> storage.probeAccess(a, keysB)).isInstanceOfSatisfying(StorageFault.class,
                f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.AccessDenied));
        storage.probeAccess(a, keysA);
    }

    private static void assertDenied(Executable call) {
        SdkException e = catchThrowableOfType(SdkException.class, call::execute);
        assertThat(e).as("expected AccessDenied").isInstanceOf(S3Exception.class);
        assertThat(((S3Exception) e).statusCode()).isEqualTo(403);
        assertThat(S3Faults.of("test", e).reason()).isEqualTo(StorageFault.Reason.AccessDenied);
    }

    @Test
    void uploadsPastTheQuotaFailWithTheQuotaFault() {
        StoragePlan plan = StorageFleets.plan(endpoint, new Tenant("quota", "quota: {maxSize: 1Mi, maxObjects: 10}",
                null));
        assertThat(plan.quota()).isEqualTo(new StoragePlan.Quota(true, 1024, 10));
        S3Keys keys = storage.ensure(plan).keys();
        byte[] chunk = new byte[600 * 1024];
        try (S3Client s3 = s3(plan, keys)) {
            s3.putObject(p -> p.bucket(plan.bucket()).key("runner-cache/1"), RequestBody.fromBytes(chunk));
            SdkException e = catchThrowableOfType(SdkException.class, () -> s3.putObject(
                    p -> p.bucket(plan.bucket()).key("runner-cache/2"), RequestBody.fromBytes(chunk)));
            assertThat(e).isInstanceOf(S3Exception.class);
            assertThat(((S3Exception) e).awsErrorDetails().errorCode()).isEqualTo("QuotaExceeded");
            assertThat(S3Faults.of("upload", e).reason()).isEqualTo(StorageFault.Reason.BucketQuotaExceeded);

            for (int i = 0; i < 9; i++) {
                int n = i;
                s3.putObject(p -> p.bucket(plan.bucket()).key("small/" + n), RequestBody.fromString("x"));
            }
            SdkException tooMany = catchThrowableOfType(SdkException.class, () -> s3.putObject(
                    p -> p.bucket(plan.bucket()).key("small/10"), RequestBody.fromString("x")));
            assertThat(S3Faults.of("upload", tooMany).reason()).isEqualTo(StorageFault.Reason.BucketQuotaExceeded);
        }
        TenantStorage.Usage usage = storage.usage(plan);
        assertThat(usage.objects()).isEqualTo(10);
        assertThat(usage.bytes()).isGreaterThanOrEqualTo(chunk.length);
        assertThat(usage.quota()).isEqualTo(plan.quota());
    }

    @Test
    void policyAndLifecycleReadBackAsSet() {
        StoragePlan plan = plan("rules");
        storage.ensure(plan);
        try (S3Client s3 = IndependentS3.as(endpoint, RgwTestAdmin.ownerKeys(plan))) {
            String policy = s3.getBucketPolicy(p -> p.bucket(plan.bucket())).policy();
            assertThat(policy).contains("arn:aws:iam:::user/bf-rules", "arn:aws:iam:::user/bf-rules.owner",
                    "arn:aws:s3:::bf-rules-cache/*", "NotPrincipal", "s3:PutObjectAcl");

            List<LifecycleRule> rules = s3.getBucketLifecycleConfiguration(l -> l.bucket(plan.bucket())).rules();
            assertThat(rules).extracting(LifecycleRules::fromRule).containsExactlyInAnyOrder(
                    new StoragePlan.Lifecycle(StoragePlan.ABORT_MULTIPART_RULE, "", 0, 1),
                    new StoragePlan.Lifecycle(StoragePlan.EXPIRE_RUNNER_CACHE_RULE, "runner-cache/", 2, 0));
            assertThat(rules).allSatisfy(r -> assertThat(LifecycleRules.fromRule(r).prefix())
                    .doesNotStartWith("registry"));
            assertThat(rules).filteredOn(r -> r.expiration() != null)
                    .allSatisfy(r -> assertThat(r.filter().prefix()).isEqualTo("runner-cache/"));
        }
    }

    /**
     * The rules do what they say: with {@code rgw lc debug interval} a lifecycle day lasts {@link
     * RealRgw#LC_DAY_SECONDS} s, and {@code radosgw-admin lc process} runs lifecycle now instead of at night.
     */
    @Test
    void lifecycleExpiresTheRunnerCacheButNeverTheRegistry() throws InterruptedException {
        StoragePlan plan = StorageFleets.plan(endpoint, new Tenant("expiry", "", null));
        S3Keys keys = storage.ensure(plan).keys();
        try (S3Client s3 = s3(plan, keys)) {
            s3.putObject(p -> p.bucket(plan.bucket()).key("runner-cache/project/default.zip"),
                    RequestBody.fromString("cache"));
            s3.putObject(p -> p.bucket(plan.bucket()).key("registry/docker/registry/v2/blobs/sha256/ab/data"),
                    RequestBody.fromString("layer"));
            long started = System.nanoTime();
            long deadline = started + Duration.ofSeconds(300).toNanos();   // lifecycle runs late on a busy machine
            List<String> keysLeft;
            String lastProcess;
            int passes = 0;
            do {
                Thread.sleep(RealRgw.LC_DAY_SECONDS * 1000L * 2 + 500);   // the TTL (36h -> 2 days) has passed
                lastProcess = RealRgw.get().processLifecycle(plan.bucket());
                passes++;
                keysLeft = s3.listObjectsV2(l -> l.bucket(plan.bucket())).contents().stream()
                        .map(software.amazon.awssdk.services.s3.model.S3Object::key).toList();
            } while (keysLeft.contains("runner-cache/project/default.zip") && System.nanoTime() < deadline);
            assertThat(keysLeft)
                    .as("after %d lifecycle passes in %d s; last `lc process` said: %s; `lc list`: %s", passes,
                            Duration.ofNanos(System.nanoTime() - started).toSeconds(), lastProcess,
                            RealRgw.get().radosgwAdmin("lc", "list"))
                    .containsExactly("registry/docker/registry/v2/blobs/sha256/ab/data");
        }
    }

    @Test
    void driftIsFoundAndEnsureRepairsIt() {
        StoragePlan plan = plan("drift");
        S3Keys keys = storage.ensure(plan).keys();
        try (S3Client s3 = IndependentS3.as(endpoint, RgwTestAdmin.ownerKeys(plan))) {
            s3.deleteBucketPolicy(d -> d.bucket(plan.bucket()));
            s3.deleteBucketLifecycle(d -> d.bucket(plan.bucket()));
        }
        StoragePlan bigger = StorageFleets.plan(endpoint, new Tenant("drift", "quota: {maxObjects: 5}", null));
        assertThat(storage.check(bigger)).extracting(TenantStorage.Drift::item)
                .containsExactly("quota", "bucket policy", "lifecycle");
        TenantStorage.EnsureResult repaired = storage.ensure(bigger);
        assertThat(repaired.keys()).isEqualTo(keys);
        assertThat(storage.check(bigger)).isEmpty();
    }

    @Test
    void rotationNeverLeavesTheTenantWithoutAWorkingKey() {
        StoragePlan plan = plan("rotate");
        S3Keys old = storage.ensure(plan).keys();
        AtomicBoolean swapped = new AtomicBoolean();
        S3Keys fresh = storage.rotateKey(plan, newKeys -> {
            // the caller writes the Secret and rolls its pods here: both keys work meanwhile
            assertThat(newKeys.accessKeyId()).isNotEqualTo(old.accessKeyId());
            assertThat(works(plan, old)).as("old key during the swap").isTrue();
            assertThat(works(plan, newKeys)).as("new key during the swap").isTrue();
            swapped.set(true);
        });
        assertThat(swapped).isTrue();
        assertThat(works(plan, fresh)).isTrue();
        assertThat(works(plan, old)).as("old key after rotation").isFalse();
        assertThat(storage.accessKeys(plan)).containsExactly(fresh.accessKeyId());
        assertThat(storage.ensure(plan).keys()).isEqualTo(fresh);
    }

    @Test
    void failedSwapKeepsTheOldKey() {
        StoragePlan plan = plan("rotate-fail");
        S3Keys old = storage.ensure(plan).keys();
        assertThatThrownBy(() -> storage.rotateKey(plan, k -> {
            throw new IllegalStateException("could not write the Secret");
        })).hasMessageContaining("could not write the Secret");
        assertThat(storage.accessKeys(plan)).containsExactly(old.accessKeyId());
        assertThat(works(plan, old)).isTrue();
    }

    private static boolean works(StoragePlan plan, S3Keys keys) {
        try {
            storage.probeAccess(plan, keys);
            return true;
        } catch (StorageFault e) {
            assertThat(e.reason()).isEqualTo(StorageFault.Reason.AccessDenied);
            return false;
        }
    }

    @Test
    void retainKeepsUserKeysBucketAndData() {
        StoragePlan plan = plan("keep");
        S3Keys keys = storage.ensure(plan).keys();
        try (S3Client s3 = s3(plan, keys)) {
            s3.putObject(p -> p.bucket(plan.bucket()).key("registry/blob"), RequestBody.fromString("layer"));
        }
        TenantStorage.DeleteResult result = storage.delete(plan);
        assertThat(result.removed()).isEmpty();
        assertThat(result.kept()).containsExactly("bucket bf-keep-cache and its objects (1 object, owned by "
                + "bf-keep.owner)", "owner bf-keep.owner and its key", "user bf-keep and its keys");
        try (S3Client s3 = s3(plan, keys)) {
            assertThat(s3.getObjectAsBytes(g -> g.bucket(plan.bucket()).key("registry/blob")).asUtf8String())
                    .isEqualTo("layer");
        }
        assertThat(storage.check(plan)).isEmpty();
    }

    @Test
    void deleteEmptiesAndRemovesTheBucketThenTheUser() {
        StoragePlan plan = StorageFleets.plan(endpoint, new Tenant("gone", "", "Delete"));
        S3Keys keys = storage.ensure(plan).keys();
        try (S3Client s3 = s3(plan, keys)) {
            for (int i = 0; i < 3; i++) {
                int n = i;
                s3.putObject(p -> p.bucket(plan.bucket()).key("runner-cache/" + n), RequestBody.fromString("x"));
            }
            s3.createMultipartUpload(c -> c.bucket(plan.bucket()).key("registry/upload"));
        }
        TenantStorage.DeleteResult result = storage.delete(plan);
        assertThat(result.removed()).containsExactly("bucket bf-gone-cache and its objects",
                "owner bf-gone.owner and its key", "user bf-gone and its keys");
        assertThat(storage.accessKeys(plan)).isEmpty();
        assertThat(storage.check(plan)).extracting(TenantStorage.Drift::toString)
                .containsExactly("user bf-gone: wanted exists, found missing",
                        "owner bf-gone.owner: wanted exists, found missing",
                        "bucket bf-gone-cache: wanted owned by bf-gone.owner, found missing");
        assertThat(works(plan, keys)).isFalse();
        assertThat(storage.delete(plan).removed()).as("second delete").isEmpty();
    }

    @Test
    void aBucketOfAnotherUserIsNeitherTakenOverNorDeleted() {
        StoragePlan owner = plan("owner");
        storage.ensure(owner);
        StoragePlan thief = StorageFleets.plan(endpoint, new Tenant("thief", "bucket: bf-owner-cache", "Delete"));
        assertThatThrownBy(() -> storage.ensure(thief)).isInstanceOfSatisfying(StorageFault.class,
                f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.InvalidConfiguration));
        assertThatThrownBy(() -> storage.delete(thief)).isInstanceOf(StorageFault.class);
        assertThat(storage.check(owner)).isEmpty();
    }

    @Test
    void bringYourOwnTenantsAreOnlyProbed() {
        StoragePlan provisioned = plan("byo-real");
        S3Keys keys = storage.ensure(provisioned).keys();
        StoragePlan byo = StorageFleets.plan(endpoint, new Tenant("byo",
                "bucket: bf-byo-real-cache, existingCredentialsSecret: {name: my-s3}", null));
        assertThat(byo.provisioned()).isFalse();
        storage.probeAccess(byo, keys);
        assertThat(storage.usage(byo).objects()).isZero();
        assertThatThrownBy(() -> storage.ensure(byo)).isInstanceOfSatisfying(StorageFault.class,
                f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.InvalidConfiguration));
        assertThatThrownBy(() -> storage.probeAccess(byo, new S3Keys("NOSUCHKEY0000000000", "wrong")))
                .isInstanceOfSatisfying(StorageFault.class,
                        f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.AccessDenied));
    }

    /**
     * RGW "down": a memstore Ceph cannot be restarted with its data, so the outage is simulated by pointing the
     * client at a loopback port nothing listens on (connection refused), then at the live RGW again. What is real:
     * the fault, that nothing was deleted, and that ensure completes afterwards.
     */
    @Test
    void rgwDownGivesUnreachableDeletesNothingAndEnsureCompletesLater() throws IOException {
        URI dead = URI.create("http://127.0.0.1:" + RealRgw.freePort());
        RgwTenantStorage down = RgwTenantStorage.connect(dead, "default", RealRgw.get().adminKeys());
        StoragePlan existing = StorageFleets.plan(endpoint, new Tenant("outage", "", "Delete"));
        S3Keys keys = storage.ensure(existing).keys();
        try (S3Client s3 = s3(existing, keys)) {
            s3.putObject(p -> p.bucket(existing.bucket()).key("runner-cache/kept"), RequestBody.fromString("x"));
        }
        List<Executable> calls = new ArrayList<>(List.of(() -> down.ensure(existing), () -> down.check(existing),
                () -> down.delete(existing), () -> down.usage(existing), () -> down.issueKey(existing)));
        for (Executable call : calls) {
            assertThatThrownBy(call::execute).isInstanceOfSatisfying(StorageFault.class,
                    f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.RGWUnreachable));
        }
        assertThat(storage.check(existing)).isEmpty();
        assertThat(storage.accessKeys(existing)).containsExactly(keys.accessKeyId());
        assertThat(storage.usage(existing).objects()).isEqualTo(1);

        // Admin API up, S3 endpoint down: the user is made, the bucket is not; a later ensure finishes the job.
        StoragePlan half = StorageFleets.plan(dead, Tenant.of("half"));
        assertThatThrownBy(() -> storage.ensure(half)).isInstanceOfSatisfying(StorageFault.class,
                f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.RGWUnreachable));
        StoragePlan live = StorageFleets.plan(endpoint, Tenant.of("half"));
        assertThat(storage.check(live)).extracting(TenantStorage.Drift::item).contains("bucket bf-half-cache");
        TenantStorage.EnsureResult completed = storage.ensure(live);
        assertThat(completed.changes()).extracting(Change::item, Change::action).contains(
                org.assertj.core.groups.Tuple.tuple("user bf-half", Change.Action.UNCHANGED),
                org.assertj.core.groups.Tuple.tuple("bucket bf-half-cache", Change.Action.CREATED));
        assertThat(storage.check(live)).isEmpty();
        assertThat(storage.accessKeys(live)).hasSize(1);
    }

    @Test
    void wrongAdminKeysAreAccessDenied() {
        RgwTenantStorage wrong = RgwTenantStorage.connect(endpoint, "default",
                new S3Keys(RealRgw.get().adminKeys().accessKeyId(), "not-the-secret"));
        assertThatThrownBy(() -> wrong.check(plan("nobody"))).isInstanceOfSatisfying(StorageFault.class, f -> {
            assertThat(f.reason()).isEqualTo(StorageFault.Reason.AccessDenied);
            assertThat(f.getMessage()).doesNotContain(RealRgw.get().adminKeys().secretAccessKey());
        });
    }

}
