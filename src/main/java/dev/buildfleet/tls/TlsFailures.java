package dev.buildfleet.tls;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Optional;

/**
 * Tells a certificate the client did not trust apart from other connection failures, so the message can name the
 * hop and the CA setting instead of a bare {@code SSLHandshakeException}.
 */
public final class TlsFailures {
    private TlsFailures() {
    }

    /**
     * "HOP at URL: certificate not trusted by SETTING (why)" when {@code failure} comes from a server certificate
     * the client refused, else empty.
     *
     * @param trustedBy the CAs the client trusted, or null for the JDK's
     */
    public static Optional<String> untrusted(String hop, String url, TrustBundle trustedBy, Throwable failure) {
        String setting = trustedBy == null ? "the JDK's default CAs (set config.caBundle; the CLI takes --ca-file)"
                : trustedBy.source();
        return reason(failure).map(why -> hop + " at " + url + ": certificate not trusted by " + setting + " ("
                + why + ")");
    }

    /** Why the server's certificate was refused, when that is what {@code failure} comes from. */
    public static Optional<String> reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                return Optional.of("no trusted CA issued it");
            }
            if (t instanceof CertificateException c && c.getMessage() != null
                    && c.getMessage().startsWith("No subject alternative")) {
                return Optional.of("its names do not match the host: " + c.getMessage());
            }
            if (t instanceof SSLPeerUnverifiedException) {
                return Optional.of("the server sent no certificate that could be verified");
            }
        }
        return Optional.empty();
    }
}
