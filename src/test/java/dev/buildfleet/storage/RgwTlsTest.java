package dev.buildfleet.storage;

import dev.buildfleet.storage.TenantStorage.Change;
import dev.buildfleet.tls.TestCa;
import dev.buildfleet.tls.TrustBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The operator's two hops to RGW (Admin Ops and S3) over real TLS: the test RGW serves HTTPS with a certificate of
 * a CA made for this run, which the operator trusts only through config.caBundle.
 */
@ExtendWith(RealRgw.class)
class RgwTlsTest {
    private static final TestCa OTHER_CA = TestCa.create("some other CA");

    private static TrustBundle fleetCa() {
        return RealRgw.get().ca().trust("config.caBundle");
    }

    @Test
    void provisionsATenantOverHttpsTrustingOnlyTheFleetCaBundle() {
        URI https = RealRgw.get().tlsEndpoint();
        assertThat(https.getScheme()).isEqualTo("https");
        RgwTenantStorage storage = RgwTenantStorage.connect(https, "default", RealRgw.get().adminKeys(), fleetCa());
        StoragePlan plan = StorageFleets.plan(https, StorageFleets.Tenant.of("tls-ok"));

        TenantStorage.EnsureResult result = storage.ensure(plan);

        assertThat(result.changes()).extracting(Change::item).contains("user bf-tls-ok", "bucket bf-tls-ok-cache");
        try (S3Client s3 = storage.s3(plan, result.keys())) {
            s3.putObject(p -> p.bucket(plan.bucket()).key("runner-cache/over-tls.zip"), RequestBody.fromString("x"));
            assertThat(s3.getObjectAsBytes(g -> g.bucket(plan.bucket()).key("runner-cache/over-tls.zip"))
                    .asUtf8String()).isEqualTo("x");
        }
    }

    @Test
    void aWrongCaStopsTheAdminCallAndNamesTheHopAndTheSetting() {
        URI https = RealRgw.get().tlsEndpoint();
        RgwTenantStorage storage = RgwTenantStorage.connect(https, "default", RealRgw.get().adminKeys(),
                OTHER_CA.trust("config.caBundle"));

        assertThatThrownBy(() -> storage.ensure(StorageFleets.plan(https, StorageFleets.Tenant.of("tls-bad"))))
                .isInstanceOfSatisfying(StorageFault.class, f -> assertThat(f.reason())
                        .isEqualTo(StorageFault.Reason.CertificateNotTrusted))
                .hasMessageContaining("RGW admin API at " + https + ": certificate not trusted by config.caBundle")
                .hasMessageContaining("no trusted CA issued it")
                .message().doesNotContain(RealRgw.get().adminKeys().secretAccessKey());
        assertThat(RgwTestAdmin.admin().user("bf-tls-bad")).as("nothing was created").isEmpty();
    }

    @Test
    void aWrongCaStopsTheS3CallAndNamesTheHop() {
        // Admin Ops over plain HTTP, the tenant's S3 endpoint over HTTPS: only the S3 hop meets the certificate.
        RgwTenantStorage storage = RgwTenantStorage.connect(RealRgw.get().endpoint(), "default",
                RealRgw.get().adminKeys(), OTHER_CA.trust("config.caBundle"));
        StoragePlan plan = StorageFleets.plan(RealRgw.get().tlsEndpoint(), StorageFleets.Tenant.of("tls-s3"));

        assertThatThrownBy(() -> storage.ensure(plan))
                .isInstanceOfSatisfying(StorageFault.class, f -> assertThat(f.reason())
                        .isEqualTo(StorageFault.Reason.CertificateNotTrusted))
                .hasMessageContaining("RGW S3 API: certificate not trusted by config.caBundle");
    }

    @Test
    void withoutACaBundleTheJdkDefaultsRefuseThePrivateCaAndSaySo() {
        URI https = RealRgw.get().tlsEndpoint();
        RgwTenantStorage storage = RgwTenantStorage.connect(https, "default", RealRgw.get().adminKeys(), null);

        assertThatThrownBy(() -> storage.usage(StorageFleets.plan(https, StorageFleets.Tenant.of("tls-none"))))
                .hasMessageContaining("RGW admin API at " + https + ": certificate not trusted by the JDK's "
                        + "default CAs (set config.caBundle; the CLI takes --ca-file)");
    }
}
