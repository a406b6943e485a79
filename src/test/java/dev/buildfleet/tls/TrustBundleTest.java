package dev.buildfleet.tls;

import dev.buildfleet.validation.InvalidInputException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a platform engineer sees when the CA bundle ConfigMap holds the wrong thing. */
class TrustBundleTest {
    static final TestCa CA = TestCa.create("corporate root");

    @Test
    void acceptsSeveralCertificatesAndDescribesThemBySubjectOnly() {
        String pem = CA.pem() + "\n# intermediate\n" + TestCa.create("corporate issuing").pem();

        TrustBundle bundle = TrustBundle.parse("config.caBundle", pem);

        assertThat(bundle.certificates()).hasSize(2);
        assertThat(bundle.describe()).isEqualTo("config.caBundle (2 certificates: CN=corporate root; "
                + "CN=corporate issuing)").doesNotContain("BEGIN");
    }

    @Test
    void refusesAPrivateKeyWithoutRepeatingIt() {
        TestCa.Issued server = CA.issueServer();
        String pem = CA.pem() + server.privateKeyPem();

        assertThatThrownBy(() -> TrustBundle.parse("spec.caBundle", pem))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("spec.caBundle: holds a private key")
                .message().doesNotContain(server.privateKeyPem().lines().skip(1).findFirst().orElseThrow());
    }

    @Test
    void refusesTextThatIsNotPemAndBlocksOfAnotherType() {
        assertThatThrownBy(() -> TrustBundle.parse("config.caBundle", "MIIBIjANBgkqhkiG9w0BAQEFAAOC"))
                .hasMessageContaining("config.caBundle: is not PEM");
        assertThatThrownBy(() -> TrustBundle.parse("config.caBundle", ""))
                .hasMessageContaining("config.caBundle: is empty");
        assertThatThrownBy(() -> TrustBundle.parse("config.caBundle",
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
                .hasMessageContaining("holds a PEM block of type PUBLIC KEY");
        assertThatThrownBy(() -> TrustBundle.parse("config.caBundle",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
                .hasMessageContaining("certificate 1 does not parse as X.509");
    }
}
