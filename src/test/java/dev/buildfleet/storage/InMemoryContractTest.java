package dev.buildfleet.storage;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryContractTest extends TenantStorageContract {
    private final InMemoryTenantStorage storage = new InMemoryTenantStorage();

    @Override
    TenantStorage storage() {
        return storage;
    }

    @Override
    URI endpoint() {
        return URI.create("http://127.0.0.1:1");
    }

    @Test
    void downMeansUnreachableForEveryCall() {
        StoragePlan plan = plan("down", "Delete");
        storage.ensure(plan);
        storage.down = true;
        assertThatThrownBy(() -> storage.delete(plan)).isInstanceOfSatisfying(StorageFault.class,
                f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.RGWUnreachable));
        storage.down = false;
        assertThat(storage.check(plan)).isEmpty();
    }
}
