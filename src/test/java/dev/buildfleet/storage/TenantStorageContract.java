package dev.buildfleet.storage;

import dev.buildfleet.storage.StorageFleets.Tenant;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link TenantStorage} does, run against the real RGW ({@link RgwContractTest}) and the in-memory double
 * ({@link InMemoryContractTest}), so tests that use the double can trust it.
 */
abstract class TenantStorageContract {
    abstract TenantStorage storage();

    abstract URI endpoint();

    StoragePlan plan(String tenant, String deletionPolicy) {
        return StorageFleets.plan(endpoint(), new Tenant("ct-" + tenant, "quota: {maxObjects: 100}", deletionPolicy));
    }

    @Test
    void secondEnsureChangesNothingAndKeepsTheKey() {
        StoragePlan plan = plan("again", null);
        TenantStorage.EnsureResult first = storage().ensure(plan);
        assertThat(first.changed()).isTrue();
        TenantStorage.EnsureResult second = storage().ensure(plan);
        assertThat(second.changed()).isFalse();
        assertThat(second.keys()).isEqualTo(first.keys());
        assertThat(storage().check(plan)).isEmpty();
        storage().probeAccess(plan, first.keys());
    }

    @Test
    void checkOfANewTenantSaysUserOwnerAndBucketAreMissing() {
        assertThat(storage().check(plan("new", null))).extracting(Object::toString).containsExactly(
                "user bf-ct-new: wanted exists, found missing",
                "owner bf-ct-new.owner: wanted exists, found missing",
                "bucket bf-ct-new-cache: wanted owned by bf-ct-new.owner, found missing");
    }

    @Test
    void retainKeepsAndDeleteRemovesReportingOnlyWhatExists() {
        StoragePlan kept = plan("kept", "Retain");
        storage().ensure(kept);
        TenantStorage.DeleteResult retained = storage().delete(kept);
        assertThat(retained.removed()).isEmpty();
        assertThat(retained.kept()).hasSize(3);
        assertThat(retained.absent()).isEmpty();
        assertThat(storage().check(kept)).isEmpty();

        StoragePlan gone = plan("gone", "Delete");
        S3Keys keys = storage().ensure(gone).keys();
        assertThat(storage().delete(gone).removed()).containsExactly("bucket bf-ct-gone-cache and its objects",
                "owner bf-ct-gone.owner and its key", "user bf-ct-gone and its keys");
        assertThat(storage().accessKeys(gone)).isEmpty();
        assertThatThrownBy(() -> storage().probeAccess(gone, keys)).isInstanceOfSatisfying(StorageFault.class,
                f -> assertThat(f.reason()).isIn(StorageFault.Reason.AccessDenied));
        TenantStorage.DeleteResult again = storage().delete(gone);
        assertThat(again.removed()).isEmpty();
        assertThat(again.absent()).hasSize(3);

        StoragePlan never = plan("never", "Retain");
        TenantStorage.DeleteResult nothing = storage().delete(never);
        assertThat(nothing.kept()).as("Retain says kept only for what RGW has").isEmpty();
        assertThat(nothing.absent()).containsExactly("bucket bf-ct-never-cache and its objects",
                "owner bf-ct-never.owner and its key", "user bf-ct-never and its keys");
    }

    @Test
    void soleKeyEnsureKeepsThePreferredKeyAndRevokesTheOthers() {
        StoragePlan plan = plan("sole", null);
        S3Keys first = storage().ensure(plan).keys();
        S3Keys second = storage().issueKey(plan);
        S3Keys third = storage().issueKey(plan);
        assertThat(storage().check(plan)).extracting(TenantStorage.Drift::item).containsExactly("keys of bf-ct-sole");
        assertThat(storage().ensure(plan).changed()).as("plain ensure keeps every key").isFalse();
        assertThat(storage().accessKeys(plan)).hasSize(3);

        TenantStorage.EnsureResult sole = storage().ensureSoleKey(plan, second.accessKeyId());
        assertThat(sole.keys()).isEqualTo(second);
        assertThat(sole.changed()).isTrue();
        assertThat(storage().accessKeys(plan)).containsExactly(second.accessKeyId());
        assertThat(storage().check(plan)).isEmpty();
        storage().probeAccess(plan, second);
        for (S3Keys revoked : new S3Keys[]{first, third}) {
            assertThatThrownBy(() -> storage().probeAccess(plan, revoked)).isInstanceOf(StorageFault.class);
        }
        assertThat(storage().ensureSoleKey(plan, "NOT-A-KEY-OF-THE-USER").keys()).isEqualTo(second);
    }

    @Test
    void rotationLeavesOnlyTheNewKey() {
        StoragePlan plan = plan("rot", null);
        S3Keys old = storage().ensure(plan).keys();
        S3Keys fresh = storage().rotateKey(plan, k -> storage().probeAccess(plan, old));
        assertThat(storage().accessKeys(plan)).containsExactly(fresh.accessKeyId());
        storage().probeAccess(plan, fresh);
        assertThatThrownBy(() -> storage().probeAccess(plan, old)).isInstanceOf(StorageFault.class);
    }

    @Test
    void bringYourOwnTenantsAreNeverProvisioned() {
        StoragePlan byo = StorageFleets.plan(endpoint(), new Tenant("ct-byo", "existingCredentialsSecret: {name: s}",
                null));
        assertThatThrownBy(() -> storage().ensure(byo)).isInstanceOfSatisfying(StorageFault.class,
                f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.InvalidConfiguration));
        assertThatThrownBy(() -> storage().delete(byo)).isInstanceOf(StorageFault.class);
    }
}
