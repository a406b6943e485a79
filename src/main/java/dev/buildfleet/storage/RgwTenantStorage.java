package dev.buildfleet.storage;

import dev.buildfleet.storage.TenantStorage.Change.Action;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link TenantStorage} on Ceph RGW: users, keys, caps, quotas and bucket ownership through the Admin Ops API
 * ({@link RgwAdminClient}); bucket, policy, ACL, versioning and lifecycle through S3 with the owner user's keys.
 *
 * <p>Why an owner user per tenant (and not the tenant user, nor one platform user for all buckets): the owner of a
 * bucket may always change its ACL, policy, lifecycle and versioning or delete it, so whoever holds the owner's keys
 * must not be a build job; RGW enforces the user quota of the bucket's owner, so one owner per tenant keeps a quota
 * per tenant; and a leaked owner key reaches one tenant's bucket, not every tenant's.
 */
public final class RgwTenantStorage implements TenantStorage {
    private final RgwAdminClient admin;
    private final Duration timeout;

    public RgwTenantStorage(RgwAdminClient admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    /** Admin Ops at {@code adminEndpoint}, signed for {@code region} with the RGW admin user's keys. */
    public static RgwTenantStorage connect(URI adminEndpoint, String region, S3Keys adminKeys) {
        return connect(adminEndpoint, region, adminKeys, null);
    }

    /** The same, trusting only {@code trust}'s CAs for Admin Ops and S3 over https (null: the JDK's). */
    public static RgwTenantStorage connect(URI adminEndpoint, String region, S3Keys adminKeys,
                                           dev.buildfleet.tls.TrustBundle trust) {
        return connect(adminEndpoint, region, adminKeys, trust, null);
    }

    /** The same, through the fleet's proxy (unless its NO_PROXY names the endpoint) when {@code proxy} is set. */
    public static RgwTenantStorage connect(URI adminEndpoint, String region, S3Keys adminKeys,
                                           dev.buildfleet.tls.TrustBundle trust,
                                           dev.buildfleet.proxy.OutboundProxy proxy) {
        Duration timeout = Duration.ofSeconds(10);
        return new RgwTenantStorage(new RgwAdminClient(adminEndpoint, region, adminKeys, timeout, trust, proxy),
                timeout);
    }

    @Override
    public EnsureResult ensure(StoragePlan plan) {
        return ensure(plan, false, null);
    }

    @Override
    public EnsureResult ensureSoleKey(StoragePlan plan, String preferredAccessKeyId) {
        return ensure(plan, true, preferredAccessKeyId);
    }

    private EnsureResult ensure(StoragePlan plan, boolean soleKey, String preferredAccessKeyId) {
        requireProvisioned(plan, "ensure");
        List<Change> changes = new ArrayList<>();
        TenantUsers users = new TenantUsers(admin, plan);
        S3Keys keys = users.ensureTenant(soleKey, preferredAccessKeyId, changes);
        S3Keys ownerKeys = users.ensureOwner(changes);
        try (S3Client owner = s3(plan, ownerKeys)) {
            changes.add(ensureBucket(plan, owner, keys));
            changes.addAll(new BucketSettings(owner, plan).ensure());
        }
        return new EnsureResult(List.copyOf(changes), keys);
    }

    private Change ensureBucket(StoragePlan plan, S3Client owner, S3Keys tenantKeys) {
        String item = "bucket " + plan.bucket();
        Optional<RgwAdminClient.BucketStats> stats = admin.bucketStats(plan.bucket());
        if (stats.isEmpty()) {
            BucketSettings.call("create " + item, () -> owner.createBucket(b -> b.bucket(plan.bucket())));
            return new Change(item, Action.CREATED, "owned by " + plan.ownerUserId());
        }
        String found = stats.get().owner();
        if (plan.ownerUserId().equals(found)) {
            return new Change(item, Action.UNCHANGED, "owned by " + found);
        }
        if (!plan.userId().equals(found)) {
            throw foreignBucket(plan, found);
        }
        new BucketHandover(admin, plan, timeout).run(tenantKeys);
        return new Change(item, Action.UPDATED, "handed from " + found + " to " + plan.ownerUserId() + " with its "
                + stats.get().objects() + " objects");
    }

    @Override
    public List<Drift> check(StoragePlan plan) {
        requireProvisioned(plan, "check");
        List<Drift> drift = new ArrayList<>();
        TenantUsers users = new TenantUsers(admin, plan);
        users.checkTenant(drift);
        Optional<S3Keys> ownerKeys = users.checkOwner(drift);
        Optional<RgwAdminClient.BucketStats> stats = admin.bucketStats(plan.bucket());
        String wantedOwner = "owned by " + plan.ownerUserId();
        if (stats.isEmpty()) {
            drift.add(new Drift("bucket " + plan.bucket(), wantedOwner, "missing"));
        } else if (!plan.ownerUserId().equals(stats.get().owner())) {
            drift.add(new Drift("bucket " + plan.bucket(), wantedOwner, "owned by " + stats.get().owner()
                    + (plan.userId().equals(stats.get().owner()) ? " (its keys may change the bucket's ACL, policy, "
                    + "lifecycle and versioning, or delete it)" : "")));
        } else if (ownerKeys.isPresent()) {
            try (S3Client owner = s3(plan, ownerKeys.get())) {
                drift.addAll(new BucketSettings(owner, plan).check());
            }
        }
        return drift;
    }

    @Override
    public DeleteResult delete(StoragePlan plan) {
        requireProvisioned(plan, "delete");
        return new StorageRemoval(admin, plan).run();
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
            BucketSettings.call("list bucket " + plan.bucket(),
                    () -> s3.listObjectsV2(l -> l.bucket(plan.bucket()).maxKeys(1)));
            BucketSettings.call("write a probe object to bucket " + plan.bucket(), () -> s3.putObject(
                    p -> p.bucket(plan.bucket()).key(probe), RequestBody.fromString("buildfleet access probe")));
            BucketSettings.call("delete the probe object from bucket " + plan.bucket(),
                    () -> s3.deleteObject(d -> d.bucket(plan.bucket()).key(probe)));
        }
    }

    @Override
    public Usage usage(StoragePlan plan) {
        RgwAdminClient.BucketStats stats = admin.bucketStats(plan.bucket()).orElseThrow(() -> new StorageFault(
                StorageFault.Reason.InvalidConfiguration, "bucket " + plan.bucket() + " does not exist"));
        // RGW enforces the user quota of the bucket's owner, whoever writes
        StoragePlan.Quota quota = admin.userQuota(stats.owner()).orElse(StoragePlan.Quota.UNLIMITED);
        return new Usage(stats.bytes(), stats.objects(), quota);
    }

    /** An S3 client for the plan's endpoint with settings Ceph RGW accepts; the caller closes it. */
    public S3Client s3(StoragePlan plan, S3Keys keys) {
        return S3Clients.create(plan.endpoint(), plan.region(), keys, timeout, admin.trust(), admin.proxy());
    }

    private static void requireProvisioned(StoragePlan plan, String what) {
        if (!plan.provisioned()) {
            throw new StorageFault(StorageFault.Reason.InvalidConfiguration, "tenant " + plan.tenant()
                    + " brings its own credentials (spec.cache.existingCredentialsSecret): buildfleet does not "
                    + what + " its storage, it only probes access");
        }
    }

    static StorageFault foreignBucket(StoragePlan plan, String owner) {
        return new StorageFault(StorageFault.Reason.InvalidConfiguration, "bucket " + plan.bucket()
                + " belongs to RGW user " + owner + ", not " + plan.ownerUserId() + " (or " + plan.userId()
                + "); choose another spec.cache.bucket (buildfleet never takes over or removes it)");
    }
}
