package dev.buildfleet.storage;

import java.util.List;
import java.util.function.Consumer;

/**
 * A tenant's cache storage: a tenant user whose keys may only use the objects of one bucket, and an owner user that
 * owns that bucket, whose keys never leave the implementation. Used by the CLI and the operator. Every method throws
 * {@link StorageFault} on failure; a failure never deletes anything.
 */
public interface TenantStorage {

    /**
     * Creates what is missing and corrects what differs; idempotent. Never creates a second key and keeps every key
     * of the tenant user (a two-phase rotation holds two for a while); a bucket the tenant user still owns (made
     * before the owner user existed) is handed to the owner user with all its objects.
     */
    EnsureResult ensure(StoragePlan plan);

    /**
     * {@link #ensure}, and then the tenant user has exactly one key: {@code preferredAccessKeyId} when it still has
     * it (e.g. the key its consumers were given), else its first; every other key is revoked.
     */
    EnsureResult ensureSoleKey(StoragePlan plan, String preferredAccessKeyId);

    /** Compares what exists with the plan without changing anything; an empty list means no drift. */
    List<Drift> check(StoragePlan plan);

    /**
     * Honours {@link StoragePlan#deletionPolicy()}: {@code Retain} keeps users, keys, bucket and data;
     * {@code Delete} empties and removes the bucket, then removes the users. Idempotent. Reports only what RGW
     * confirmed: kept or removed items exist or are gone there, the rest is {@link DeleteResult#absent()}.
     */
    DeleteResult delete(StoragePlan plan);

    /** Issues an additional key for the tenant user; the old keys keep working until {@link #revokeKey}. */
    S3Keys issueKey(StoragePlan plan);

    /** Removes one key of the tenant user (nothing happens when it is already gone). */
    void revokeKey(StoragePlan plan, String accessKeyId);

    /**
     * Rotation without a moment without a working key: issue a new key, let the caller move every consumer to it
     * (write the Secret, roll the pods), and only then revoke the old keys. When {@code swapConsumers} throws, the
     * old keys stay and the new one is revoked again.
     */
    default S3Keys rotateKey(StoragePlan plan, Consumer<S3Keys> swapConsumers) {
        List<String> old = accessKeys(plan);
        S3Keys fresh = issueKey(plan);
        try {
            swapConsumers.accept(fresh);
        } catch (RuntimeException e) {
            revokeKey(plan, fresh.accessKeyId());
            throw e;
        }
        for (String accessKeyId : old) {
            revokeKey(plan, accessKeyId);
        }
        return fresh;
    }

    /** The access key ids (never secrets) the tenant user has now. */
    List<String> accessKeys(StoragePlan plan);

    /**
     * Bring-your-own mode: lists the bucket, writes and deletes a probe object with the tenant's keys, and throws
     * the fault that stopped it.
     */
    void probeAccess(StoragePlan plan, S3Keys keys);

    /** Bytes and objects in the tenant's bucket, and the user quota that applies. */
    Usage usage(StoragePlan plan);

    /** One object of the plan and what ensure did about it. */
    record Change(String item, Action action, String detail) {
        public enum Action { CREATED, UPDATED, UNCHANGED }

        @Override
        public String toString() {
            return item + " " + action.name().toLowerCase() + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    /** What ensure did, and the tenant's working key (to be put into the tenant's Secret). */
    record EnsureResult(List<Change> changes, S3Keys keys) {
        public boolean changed() {
            return changes.stream().anyMatch(c -> c.action() != Change.Action.UNCHANGED);
        }
    }

    /** A difference between the plan and RGW. */
    record Drift(String item, String wanted, String found) {
        @Override
        public String toString() {
            return item + ": wanted " + wanted + ", found " + found;
        }
    }

    /** @param absent items of the plan that RGW says do not exist (so there was nothing to keep or to remove) */
    record DeleteResult(List<String> removed, List<String> kept, List<String> absent) {
        public DeleteResult(List<String> removed, List<String> kept) {
            this(removed, kept, List.of());
        }
    }

    record Usage(long bytes, long objects, StoragePlan.Quota quota) {
    }
}
