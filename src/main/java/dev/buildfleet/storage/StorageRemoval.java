package dev.buildfleet.storage;

import dev.buildfleet.api.DeletionPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link TenantStorage#delete}: asks RGW what exists, then keeps it (Retain) or removes it (Delete: the bucket with
 * its objects, then the owner user, then the tenant user), and reports only what RGW confirmed afterwards.
 */
final class StorageRemoval {
    private final RgwAdminClient admin;
    private final StoragePlan plan;
    private final List<String> removed = new ArrayList<>();
    private final List<String> kept = new ArrayList<>();
    private final List<String> absent = new ArrayList<>();

    StorageRemoval(RgwAdminClient admin, StoragePlan plan) {
        this.admin = admin;
        this.plan = plan;
    }

    TenantStorage.DeleteResult run() {
        boolean delete = plan.deletionPolicy() == DeletionPolicy.Delete;
        Optional<RgwAdminClient.BucketStats> stats = admin.bucketStats(plan.bucket());
        String bucketItem = "bucket " + plan.bucket() + " and its objects";
        if (stats.isEmpty()) {
            absent.add(bucketItem);
        } else if (!delete) {
            long objects = stats.get().objects();
            kept.add(bucketItem + " (" + objects + (objects == 1 ? " object" : " objects") + ", owned by "
                    + stats.get().owner() + ")");
        } else {
            String owner = stats.get().owner();
            if (!owner.equals(plan.ownerUserId()) && !owner.equals(plan.userId())) {
                throw RgwTenantStorage.foreignBucket(plan, owner);
            }
            admin.deleteBucket(plan.bucket());
            if (admin.bucketStats(plan.bucket()).isPresent()) {
                throw stillThere("bucket " + plan.bucket());
            }
            removed.add(bucketItem);
        }
        user(plan.ownerUserId(), "owner " + plan.ownerUserId() + " and its key", delete);
        user(plan.userId(), "user " + plan.userId() + " and its keys", delete);
        return new TenantStorage.DeleteResult(List.copyOf(removed), List.copyOf(kept), List.copyOf(absent));
    }

    private void user(String uid, String item, boolean delete) {
        if (admin.user(uid).isEmpty()) {
            absent.add(item);
        } else if (!delete) {
            kept.add(item);
        } else {
            admin.deleteUser(uid);
            if (admin.user(uid).isPresent()) {
                throw stillThere("user " + uid);
            }
            removed.add(item);
        }
    }

    private StorageFault stillThere(String what) {
        return new StorageFault(StorageFault.Reason.RGWError, "RGW accepted removing " + what + " but still has it; "
                + "removed so far: " + (removed.isEmpty() ? "nothing" : String.join(", ", removed)));
    }
}
