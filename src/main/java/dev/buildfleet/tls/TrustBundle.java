package dev.buildfleet.tls;

import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.validation.Problem;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CAs a buildfleet process trusts for its own TLS connections (RGW, GitLab): exactly the certificates of one
 * PEM bundle, nothing of the JDK's. {@code source} names where the bundle came from (the fleet-file field), so every
 * refusal and every untrusted certificate says which setting to fix. The PEM itself is never part of a message.
 */
public final class TrustBundle {
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private final String source;
    private final List<X509Certificate> certificates;
    private final X509TrustManager trustManager;

    private TrustBundle(String source, List<X509Certificate> certificates, X509TrustManager trustManager) {
        this.source = source;
        this.certificates = certificates;
        this.trustManager = trustManager;
    }

    /**
     * @param source the field the bundle is configured by, e.g. {@code config.caBundle}
     * @throws InvalidInputException naming {@code source} when the text holds no certificate, a block that is not a
     *                               certificate (a private key, say) or a certificate that does not parse
     */
    public static TrustBundle parse(String source, String pem) {
        List<X509Certificate> certificates = certificates(source, pem);
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return new TrustBundle(source, List.copyOf(certificates), x509);
                }
            }
            throw new IllegalStateException("the JDK offers no X509TrustManager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a trust store: " + e.getMessage(), e);
        }
    }

    /** Every PEM block must be a parseable CERTIFICATE; at least one must be there. */
    static List<X509Certificate> certificates(String source, String pem) {
        if (pem == null || pem.isBlank()) {
            throw invalid(source, "is empty: expected PEM certificates (-----BEGIN CERTIFICATE-----)");
        }
        if (pem.contains("PRIVATE KEY-----")) {
            throw invalid(source, "holds a private key: a CA bundle holds only certificates (keep keys in Secrets)");
        }
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(pem);
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            while (m.find()) {
                if (!"CERTIFICATE".equals(m.group(1))) {
                    throw invalid(source, "holds a PEM block of type " + m.group(1) + ": only CERTIFICATE blocks "
                            + "belong in a CA bundle");
                }
                String block = "-----BEGIN CERTIFICATE-----\n" + m.group(2).strip() + "\n-----END CERTIFICATE-----\n";
                try {
                    out.add((X509Certificate) factory.generateCertificate(
                            new ByteArrayInputStream(block.getBytes(StandardCharsets.US_ASCII))));
                } catch (CertificateException e) {
                    throw invalid(source, "certificate " + (out.size() + 1) + " does not parse as X.509");
                }
            }
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
        if (out.isEmpty()) {
            throw invalid(source, "is not PEM: no -----BEGIN CERTIFICATE----- block found");
        }
        return out;
    }

    private static InvalidInputException invalid(String source, String message) {
        return new InvalidInputException(List.of(new Problem(source, message)));
    }

    public String source() {
        return source;
    }

    public List<X509Certificate> certificates() {
        return certificates;
    }

    public X509TrustManager trustManager() {
        return trustManager;
    }

    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{trustManager}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /** Subjects of the bundle's certificates, for a log line that says what is trusted without the PEM. */
    public String describe() {
        return source + " (" + certificates.size() + " certificate" + (certificates.size() == 1 ? "" : "s") + ": "
                + String.join("; ", certificates.stream().map(c -> c.getSubjectX500Principal().getName()).toList())
                + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
