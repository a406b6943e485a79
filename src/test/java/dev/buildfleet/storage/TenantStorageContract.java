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
    void checkOfANewTenantSaysUserAndBucketAreMissing() {
        assertThat(storage().check(plan("new", null))).extracting(Object::toString).containsExactly(
                "user bf-ct-new: wanted exists, found missing",
                "bucket bf-ct-new-cache: wanted owned by bf-ct-new, found missing");
    }

    @Test
    void retainKeepsAndDeleteRemoves() {
        StoragePlan kept = plan("kept", "Retain");
        storage().ensure(kept);
        assertThat(storage().delete(kept).removed()).isEmpty();
        assertThat(storage().check(kept)).isEmpty();

        StoragePlan gone = plan("gone", "Delete");
        S3Keys keys = storage().ensure(gone).keys();
        assertThat(storage().delete(gone).removed()).hasSize(2);
        assertThat(storage().accessKeys(gone)).isEmpty();
        assertThatThrownBy(() -> storage().probeAccess(gone, keys)).isInstanceOfSatisfying(StorageFault.class,
                f -> assertThat(f.reason()).isIn(StorageFault.Reason.AccessDenied));
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
