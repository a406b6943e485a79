package dev.buildfleet.storage;

import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;

@ExtendWith(RealRgw.class)
class RgwContractTest extends TenantStorageContract {
    @Override
    TenantStorage storage() {
        return RgwTenantStorage.connect(endpoint(), "default", RealRgw.get().adminKeys());
    }

    @Override
    URI endpoint() {
        return RealRgw.get().endpoint();
    }
}
