package dev.buildfleet.storage;

import dev.buildfleet.storage.TenantStorage.Change;
import dev.buildfleet.storage.TenantStorage.Change.Action;
import dev.buildfleet.storage.TenantStorage.Drift;

import java.util.List;
import java.util.Optional;

/**
 * A tenant's two RGW users, through Admin Ops. The tenant user: S3 keys and nothing else (no caps, may create no
 * bucket). The owner user: owns the bucket and carries the quota, with one key that only buildfleet uses (read from
 * Admin Ops when needed, never stored or handed out), no caps and room for exactly one bucket.
 */
final class TenantUsers {
    private final RgwAdminClient admin;
    private final StoragePlan plan;

    TenantUsers(RgwAdminClient admin, StoragePlan plan) {
        this.admin = admin;
        this.plan = plan;
    }

    /**
     * Creates or corrects the tenant user and returns its working key: {@code preferred} when the user has it, else
     * the first. With {@code soleKey} every other key is revoked.
     */
    S3Keys ensureTenant(boolean soleKey, String preferred, List<Change> changes) {
        String uid = plan.userId();
        RgwAdminClient.User user = admin.user(uid).orElse(null);
        boolean created = user == null;
        if (created) {
            user = admin.createUser(uid, plan.displayName(), StoragePlan.TENANT_MAX_BUCKETS);
        }
        changes.add(new Change("user " + uid, created ? Action.CREATED : Action.UNCHANGED, ""));
        S3Keys working = keys(user, preferred, soleKey, created, changes);
        caps(user, changes);
        maxBuckets(user, StoragePlan.TENANT_MAX_BUCKETS, "creates no bucket", changes);
        return working;
    }

    /** Creates or corrects the owner user (one key, no caps, one bucket, the plan's quota) and returns its key. */
    S3Keys ensureOwner(List<Change> changes) {
        String uid = plan.ownerUserId();
        RgwAdminClient.User owner = admin.user(uid).orElse(null);
        boolean created = owner == null;
        if (created) {
            owner = admin.createUser(uid, plan.ownerDisplayName(), StoragePlan.OWNER_MAX_BUCKETS);
        }
        changes.add(new Change("owner " + uid, created ? Action.CREATED : Action.UNCHANGED,
                "owns the bucket; its key stays with buildfleet"));
        S3Keys key = ownerKey(owner, created, changes);
        caps(owner, changes);
        maxBuckets(owner, StoragePlan.OWNER_MAX_BUCKETS, "only the tenant's bucket", changes);
        StoragePlan.Quota quota = admin.userQuota(uid).orElse(null);
        if (plan.quota().matches(quota)) {
            changes.add(new Change("quota", Action.UNCHANGED, plan.quota() + " on " + uid));
        } else {
            admin.setUserQuota(uid, plan.quota());
            changes.add(new Change("quota", Action.UPDATED, plan.quota() + " on " + uid));
        }
        return key;
    }

    /** The tenant user as it is, with what differs from the plan added to {@code drift}. */
    Optional<RgwAdminClient.User> checkTenant(List<Drift> drift) {
        Optional<RgwAdminClient.User> user = admin.user(plan.userId());
        if (user.isEmpty()) {
            drift.add(new Drift("user " + plan.userId(), "exists", "missing"));
            return user;
        }
        checkKeys(user.get(), drift);
        checkCaps(user.get(), drift);
        checkMaxBuckets(user.get(), StoragePlan.TENANT_MAX_BUCKETS, "creates no bucket", drift);
        return user;
    }

    /** The owner's key when the owner exists and has one, with what differs from the plan added to {@code drift}. */
    Optional<S3Keys> checkOwner(List<Drift> drift) {
        Optional<RgwAdminClient.User> owner = admin.user(plan.ownerUserId());
        if (owner.isEmpty()) {
            drift.add(new Drift("owner " + plan.ownerUserId(), "exists", "missing"));
            return Optional.empty();
        }
        checkKeys(owner.get(), drift);
        checkCaps(owner.get(), drift);
        checkMaxBuckets(owner.get(), StoragePlan.OWNER_MAX_BUCKETS, "only the tenant's bucket", drift);
        StoragePlan.Quota quota = admin.userQuota(plan.ownerUserId()).orElse(null);
        if (!plan.quota().matches(quota)) {
            drift.add(new Drift("quota", plan.quota() + " on " + plan.ownerUserId(), String.valueOf(quota)));
        }
        return owner.get().firstKey();
    }

    private S3Keys keys(RgwAdminClient.User user, String preferred, boolean soleKey, boolean created,
                        List<Change> changes) {
        String item = "key of " + user.userId();
        if (user.accessKeys().isEmpty()) {
            S3Keys fresh = admin.createKey(user.userId());
            changes.add(new Change(item, Action.CREATED, fresh.accessKeyId()));
            return fresh;
        }
        String workingId = preferred != null && user.accessKeys().contains(preferred) ? preferred
                : user.accessKeys().getFirst();
        S3Keys working = new S3Keys(workingId, user.secrets().get(workingId));
        List<String> others = user.accessKeys().stream().filter(id -> !id.equals(workingId)).toList();
        if (soleKey && !others.isEmpty()) {
            for (String id : others) {
                admin.deleteKey(user.userId(), id);
            }
            changes.add(new Change(item, Action.UPDATED, "kept " + workingId + ", revoked " + String.join(", ",
                    others)));
        } else {
            changes.add(new Change(item, created ? Action.CREATED : Action.UNCHANGED, workingId));
        }
        return working;
    }

    /**
     * The owner's one key. More than one means someone outside buildfleet may hold one: all are replaced by a fresh
     * key (buildfleet keeps no owner key anywhere, so nothing else needs to change).
     */
    private S3Keys ownerKey(RgwAdminClient.User owner, boolean created, List<Change> changes) {
        String item = "key of " + owner.userId();
        if (owner.accessKeys().size() == 1) {
            changes.add(new Change(item, created ? Action.CREATED : Action.UNCHANGED, owner.accessKeys().getFirst()));
            return owner.firstKey().orElseThrow();
        }
        S3Keys fresh = admin.createKey(owner.userId());
        for (String id : owner.accessKeys()) {
            admin.deleteKey(owner.userId(), id);
        }
        changes.add(new Change(item, owner.accessKeys().isEmpty() ? Action.CREATED : Action.UPDATED,
                fresh.accessKeyId() + (owner.accessKeys().isEmpty() ? "" : ", replacing "
                        + String.join(", ", owner.accessKeys()))));
        return fresh;
    }

    private void caps(RgwAdminClient.User user, List<Change> changes) {
        if (user.caps().isEmpty()) {
            changes.add(new Change("caps of " + user.userId(), Action.UNCHANGED, "none"));
            return;
        }
        admin.removeCaps(user.userId(), user.caps().stream().map(c -> c.substring(0, c.indexOf('='))).toList());
        changes.add(new Change("caps of " + user.userId(), Action.UPDATED, "removed " + String.join(";",
                user.caps())));
    }

    private void maxBuckets(RgwAdminClient.User user, int wanted, String meaning, List<Change> changes) {
        String item = "max-buckets of " + user.userId();
        if (maxBucketsMatch(user.maxBuckets(), wanted)) {
            changes.add(new Change(item, Action.UNCHANGED, wanted + ": " + meaning));
        } else {
            admin.setMaxBuckets(user.userId(), wanted);
            changes.add(new Change(item, Action.UPDATED, wanted + ": " + meaning + " (was " + user.maxBuckets()
                    + ")"));
        }
    }

    private static void checkKeys(RgwAdminClient.User user, List<Drift> drift) {
        if (user.accessKeys().size() != 1) {
            drift.add(new Drift((user.accessKeys().isEmpty() ? "key of " : "keys of ") + user.userId(),
                    "one S3 key", user.accessKeys().isEmpty() ? "none"
                    : user.accessKeys().size() + " (" + String.join(", ", user.accessKeys()) + ")"));
        }
    }

    private static void checkCaps(RgwAdminClient.User user, List<Drift> drift) {
        if (!user.caps().isEmpty()) {
            drift.add(new Drift("caps of " + user.userId(), "none", String.join(";", user.caps())));
        }
    }

    private static void checkMaxBuckets(RgwAdminClient.User user, int wanted, String meaning, List<Drift> drift) {
        if (!maxBucketsMatch(user.maxBuckets(), wanted)) {
            drift.add(new Drift("max-buckets of " + user.userId(), wanted + " (" + meaning + ")",
                    String.valueOf(user.maxBuckets())));
        }
    }

    /** RGW 16.2 keeps a negative max-buckets as given, 17.2 as -1: every negative value means "none". */
    private static boolean maxBucketsMatch(int found, int wanted) {
        return wanted < 0 ? found < 0 : found == wanted;
    }
}
