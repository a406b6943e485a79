package dev.buildfleet.storage;

import dev.buildfleet.api.DeletionPolicy;
import dev.buildfleet.storage.TenantStorage.Change.Action;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A {@link TenantStorage} in memory for tests of code that uses storage (the operator's reconciler): same results and
 * faults as {@link RgwTenantStorage}, which {@link TenantStorageContract} checks on both. {@link #down} makes every
 * call fail with {@code RGWUnreachable}. Like RGW it keeps a tenant user (keys only) and an owner user (owns the
 * bucket, carries the quota) per tenant.
 */
public final class InMemoryTenantStorage implements TenantStorage {
    private record User(List<S3Keys> keys, StoragePlan.Quota quota) {
    }

    private record Bucket(String owner, String policy, List<StoragePlan.Lifecycle> lifecycle) {
    }

    private final Map<String, User> users = new HashMap<>();
    private final Map<String, Bucket> buckets = new HashMap<>();
    public volatile boolean down;

    @Override
    public synchronized EnsureResult ensure(StoragePlan plan) {
        return ensure(plan, false, null);
    }

    @Override
    public synchronized EnsureResult ensureSoleKey(StoragePlan plan, String preferredAccessKeyId) {
        return ensure(plan, true, preferredAccessKeyId);
    }

    private EnsureResult ensure(StoragePlan plan, boolean soleKey, String preferred) {
        reachable();
        provisioned(plan);
        List<Change> changes = new ArrayList<>();
        Bucket bucket = buckets.get(plan.bucket());
        if (bucket != null && !bucket.owner().equals(plan.ownerUserId()) && !bucket.owner().equals(plan.userId())) {
            throw new StorageFault(StorageFault.Reason.InvalidConfiguration, "bucket " + plan.bucket()
                    + " belongs to RGW user " + bucket.owner() + ", not " + plan.ownerUserId());
        }
        User tenant = user(plan.userId(), changes, "user ");
        S3Keys working = tenant.keys().stream().filter(k -> k.accessKeyId().equals(preferred)).findFirst()
                .orElse(tenant.keys().getFirst());
        if (soleKey && tenant.keys().size() > 1) {
            tenant.keys().removeIf(k -> !k.equals(working));
            changes.add(new Change("key of " + plan.userId(), Action.UPDATED, "kept " + working.accessKeyId()));
        }
        User owner = user(plan.ownerUserId(), changes, "owner ");
        boolean quotaOk = plan.quota().matches(owner.quota());
        if (!quotaOk) {
            users.put(plan.ownerUserId(), new User(owner.keys(), plan.quota()));
        }
        changes.add(new Change("quota", quotaOk ? Action.UNCHANGED : Action.UPDATED, plan.quota().toString()));
        Action bucketAction = bucket == null ? Action.CREATED
                : bucket.owner().equals(plan.userId()) ? Action.UPDATED : Action.UNCHANGED;
        changes.add(new Change("bucket " + plan.bucket(), bucketAction, ""));
        boolean policyOk = bucket != null && plan.bucketPolicy().equals(bucket.policy());
        boolean lifecycleOk = bucket != null && plan.lifecycle().equals(bucket.lifecycle());
        buckets.put(plan.bucket(), new Bucket(plan.ownerUserId(), plan.bucketPolicy(), plan.lifecycle()));
        changes.add(new Change("bucket policy", policyOk ? Action.UNCHANGED : Action.UPDATED, ""));
        changes.add(new Change("lifecycle", lifecycleOk ? Action.UNCHANGED : Action.UPDATED, ""));
        return new EnsureResult(List.copyOf(changes), working);
    }

    private User user(String uid, List<Change> changes, String itemPrefix) {
        User user = users.get(uid);
        boolean created = user == null;
        if (created) {
            user = new User(new ArrayList<>(List.of(newKey())), StoragePlan.Quota.UNLIMITED);
            users.put(uid, user);
        }
        changes.add(new Change(itemPrefix + uid, created ? Action.CREATED : Action.UNCHANGED, ""));
        if (user.keys().isEmpty()) {
            user.keys().add(newKey());
            changes.add(new Change("key of " + uid, Action.CREATED, user.keys().getFirst().accessKeyId()));
        }
        return user;
    }

    @Override
    public synchronized List<Drift> check(StoragePlan plan) {
        reachable();
        provisioned(plan);
        List<Drift> drift = new ArrayList<>();
        User tenant = users.get(plan.userId());
        if (tenant == null) {
            drift.add(new Drift("user " + plan.userId(), "exists", "missing"));
        } else if (tenant.keys().size() != 1) {
            drift.add(new Drift((tenant.keys().isEmpty() ? "key of " : "keys of ") + plan.userId(), "one S3 key",
                    tenant.keys().isEmpty() ? "none" : String.valueOf(tenant.keys().size())));
        }
        User owner = users.get(plan.ownerUserId());
        if (owner == null) {
            drift.add(new Drift("owner " + plan.ownerUserId(), "exists", "missing"));
        } else if (!plan.quota().matches(owner.quota())) {
            drift.add(new Drift("quota", plan.quota().toString(), owner.quota().toString()));
        }
        Bucket bucket = buckets.get(plan.bucket());
        String wantedOwner = "owned by " + plan.ownerUserId();
        if (bucket == null) {
            drift.add(new Drift("bucket " + plan.bucket(), wantedOwner, "missing"));
        } else if (!bucket.owner().equals(plan.ownerUserId())) {
            drift.add(new Drift("bucket " + plan.bucket(), wantedOwner, "owned by " + bucket.owner()));
        } else {
            if (!plan.bucketPolicy().equals(bucket.policy())) {
                drift.add(new Drift("bucket policy", "buildfleet's", bucket.policy() == null ? "none"
                        : "a different policy"));
            }
            if (!plan.lifecycle().equals(bucket.lifecycle())) {
                drift.add(new Drift("lifecycle", plan.lifecycle().toString(), String.valueOf(bucket.lifecycle())));
            }
        }
        return drift;
    }

    @Override
    public synchronized DeleteResult delete(StoragePlan plan) {
        reachable();
        provisioned(plan);
        boolean delete = plan.deletionPolicy() == DeletionPolicy.Delete;
        List<String> removed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        String bucketItem = "bucket " + plan.bucket() + " and its objects";
        Bucket bucket = buckets.get(plan.bucket());
        if (bucket == null) {
            absent.add(bucketItem);
        } else if (!delete) {
            kept.add(bucketItem);
        } else {
            if (!bucket.owner().equals(plan.ownerUserId()) && !bucket.owner().equals(plan.userId())) {
                throw new StorageFault(StorageFault.Reason.InvalidConfiguration, "bucket " + plan.bucket()
                        + " belongs to RGW user " + bucket.owner());
            }
            buckets.remove(plan.bucket());
            removed.add(bucketItem);
        }
        for (String[] user : new String[][]{{plan.ownerUserId(), "owner " + plan.ownerUserId() + " and its key"},
                {plan.userId(), "user " + plan.userId() + " and its keys"}}) {
            if (!users.containsKey(user[0])) {
                absent.add(user[1]);
            } else if (!delete) {
                kept.add(user[1]);
            } else {
                users.remove(user[0]);
                removed.add(user[1]);
            }
        }
        return new DeleteResult(List.copyOf(removed), List.copyOf(kept), List.copyOf(absent));
    }

    @Override
    public synchronized S3Keys issueKey(StoragePlan plan) {
        reachable();
        provisioned(plan);
        User user = users.get(plan.userId());
        if (user == null) {
            throw new StorageFault(StorageFault.Reason.RGWError, "no user " + plan.userId());
        }
        S3Keys key = newKey();
        user.keys().add(key);
        return key;
    }

    @Override
    public synchronized void revokeKey(StoragePlan plan, String accessKeyId) {
        reachable();
        User user = users.get(plan.userId());
        if (user != null) {
            user.keys().removeIf(k -> k.accessKeyId().equals(accessKeyId));
        }
    }

    @Override
    public synchronized List<String> accessKeys(StoragePlan plan) {
        reachable();
        User user = users.get(plan.userId());
        return user == null ? List.of() : user.keys().stream().map(S3Keys::accessKeyId).toList();
    }

    /** Keys work on a bucket when they are the tenant user's (its owner's user id without the owner suffix). */
    @Override
    public synchronized void probeAccess(StoragePlan plan, S3Keys keys) {
        reachable();
        Bucket bucket = buckets.get(plan.bucket());
        String tenantUser = bucket == null ? null : bucket.owner().endsWith(StoragePlan.OWNER_SUFFIX)
                ? bucket.owner().substring(0, bucket.owner().length() - StoragePlan.OWNER_SUFFIX.length())
                : bucket.owner();
        User user = tenantUser == null ? null : users.get(tenantUser);
        if (user == null || !user.keys().contains(keys)) {
            throw new StorageFault(StorageFault.Reason.AccessDenied, "list bucket " + plan.bucket() + ": HTTP 403");
        }
    }

    @Override
    public synchronized Usage usage(StoragePlan plan) {
        reachable();
        Bucket bucket = buckets.get(plan.bucket());
        if (bucket == null) {
            throw new StorageFault(StorageFault.Reason.InvalidConfiguration, "bucket " + plan.bucket()
                    + " does not exist");
        }
        return new Usage(0, 0, users.get(bucket.owner()).quota());
    }

    private void reachable() {
        if (down) {
            throw new StorageFault(StorageFault.Reason.RGWUnreachable, "cannot reach RGW (in-memory: down)");
        }
    }

    private static void provisioned(StoragePlan plan) {
        if (!plan.provisioned()) {
            throw new StorageFault(StorageFault.Reason.InvalidConfiguration, "tenant " + plan.tenant()
                    + " brings its own credentials");
        }
    }

    private static S3Keys newKey() {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 20).toUpperCase();
        return new S3Keys(id, UUID.randomUUID().toString());
    }
}
