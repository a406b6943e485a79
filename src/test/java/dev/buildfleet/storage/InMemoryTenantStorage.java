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
 * call fail with {@code RGWUnreachable}.
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
        reachable();
        provisioned(plan);
        List<Change> changes = new ArrayList<>();
        User user = users.get(plan.userId());
        boolean newUser = user == null;
        if (newUser) {
            user = new User(new ArrayList<>(List.of(newKey())), StoragePlan.Quota.UNLIMITED);
            users.put(plan.userId(), user);
        }
        changes.add(new Change("user " + plan.userId(), newUser ? Action.CREATED : Action.UNCHANGED, ""));
        if (user.keys().isEmpty()) {
            user.keys().add(newKey());
            changes.add(new Change("key of " + plan.userId(), Action.CREATED, user.keys().getFirst().accessKeyId()));
        } else {
            changes.add(new Change("key of " + plan.userId(), newUser ? Action.CREATED : Action.UNCHANGED,
                    user.keys().getFirst().accessKeyId()));
        }
        boolean quotaOk = plan.quota().matches(user.quota());
        if (!quotaOk) {
            users.put(plan.userId(), user = new User(user.keys(), plan.quota()));
        }
        changes.add(new Change("quota", quotaOk ? Action.UNCHANGED : Action.UPDATED, plan.quota().toString()));
        Bucket bucket = buckets.get(plan.bucket());
        if (bucket != null && !bucket.owner().equals(plan.userId())) {
            throw new StorageFault(StorageFault.Reason.InvalidConfiguration, "bucket " + plan.bucket()
                    + " belongs to RGW user " + bucket.owner() + ", not " + plan.userId());
        }
        changes.add(new Change("bucket " + plan.bucket(), bucket == null ? Action.CREATED : Action.UNCHANGED, ""));
        boolean policyOk = bucket != null && plan.bucketPolicy().equals(bucket.policy());
        boolean lifecycleOk = bucket != null && plan.lifecycle().equals(bucket.lifecycle());
        buckets.put(plan.bucket(), new Bucket(plan.userId(), plan.bucketPolicy(), plan.lifecycle()));
        changes.add(new Change("bucket policy", policyOk ? Action.UNCHANGED : Action.UPDATED, ""));
        changes.add(new Change("lifecycle", lifecycleOk ? Action.UNCHANGED : Action.UPDATED, ""));
        return new EnsureResult(List.copyOf(changes), user.keys().getFirst());
    }

    @Override
    public synchronized List<Drift> check(StoragePlan plan) {
        reachable();
        provisioned(plan);
        List<Drift> drift = new ArrayList<>();
        User user = users.get(plan.userId());
        Bucket bucket = buckets.get(plan.bucket());
        if (user == null) {
            drift.add(new Drift("user " + plan.userId(), "exists", "missing"));
            drift.add(new Drift("bucket " + plan.bucket(), "owned by " + plan.userId(),
                    bucket == null ? "missing" : "owned by " + bucket.owner()));
            return drift;
        }
        if (user.keys().isEmpty()) {
            drift.add(new Drift("key of " + plan.userId(), "at least one S3 key", "none"));
        }
        if (!plan.quota().matches(user.quota())) {
            drift.add(new Drift("quota", plan.quota().toString(), user.quota().toString()));
        }
        if (bucket == null) {
            drift.add(new Drift("bucket " + plan.bucket(), "exists", "missing"));
        } else if (!bucket.owner().equals(plan.userId())) {
            drift.add(new Drift("bucket " + plan.bucket(), "owned by " + plan.userId(), "owned by " + bucket.owner()));
        } else {
            if (!plan.bucketPolicy().equals(bucket.policy())) {
                drift.add(new Drift("bucket policy", "only " + plan.principalArn(),
                        bucket.policy() == null ? "none" : "a different policy"));
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
        String userItem = "user " + plan.userId() + " and its keys";
        String bucketItem = "bucket " + plan.bucket() + " and its objects";
        if (plan.deletionPolicy() != DeletionPolicy.Delete) {
            return new DeleteResult(List.of(), List.of(userItem, bucketItem));
        }
        List<String> removed = new ArrayList<>();
        Bucket bucket = buckets.get(plan.bucket());
        if (bucket != null) {
            if (!bucket.owner().equals(plan.userId())) {
                throw new StorageFault(StorageFault.Reason.InvalidConfiguration, "bucket " + plan.bucket()
                        + " belongs to RGW user " + bucket.owner());
            }
            buckets.remove(plan.bucket());
            removed.add(bucketItem);
        }
        if (users.remove(plan.userId()) != null) {
            removed.add(userItem);
        }
        return new DeleteResult(List.copyOf(removed), List.of());
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

    @Override
    public synchronized void probeAccess(StoragePlan plan, S3Keys keys) {
        reachable();
        Bucket bucket = buckets.get(plan.bucket());
        User owner = bucket == null ? null : users.get(bucket.owner());
        if (owner == null || !owner.keys().contains(keys)) {
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
