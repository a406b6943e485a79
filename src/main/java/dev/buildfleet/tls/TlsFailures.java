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
     * "HOP at URL: certificate not trusted by SOURCE (...)" when {@code failure} is an untrusted or mismatching
     * server certificate, else empty.
     *
     * @param trustedBy the setting that chose the trusted CAs (e.g. {@code config.caBundle}), or null for the JDK's
     */
    public static Optional<String> untrusted(String hop, String url, TrustBundle trustedBy, Throwable failure) {
        String why = null;
        for (Throwable t = failure; t != null && why == null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                why = "no trusted CA issued it";
            } else if (t instanceof CertificateException c && c.getMessage() != null
                    && c.getMessage().startsWith("No subject alternative")) {
                why = "its names do not match the host: " + c.getMessage();
            } else if (t instanceof SSLPeerUnverifiedException) {
                why = "the server sent no certificate that could be verified";
            }
        }
        if (why == null) {
            return Optional.empty();
        }
        String setting = trustedBy == null ? "the JDK's default CAs (set config.caBundle)" : trustedBy.source();
        return Optional.of(hop + " at " + url + ": certificate not trusted by " + setting + " (" + why + ")");
    }
}
