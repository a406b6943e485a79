package dev.buildfleet.storage;

/**
 * Why a storage call failed, in words an operator condition can show ({@link #reason()} is the condition reason).
 * A fault never triggers a clean-up: whatever existed before the failed call still exists. Messages never carry a
 * secret key.
 */
public final class StorageFault extends RuntimeException {
    public enum Reason {
        /** Connection refused, reset or timed out: nothing was changed by the failed call. */
        RGWUnreachable,
        /** RGW refused the credentials or the operation (HTTP 403). */
        AccessDenied,
        /** An upload was refused because the tenant's quota is used up (S3 {@code QuotaExceeded}). */
        BucketQuotaExceeded,
        /** What was asked for cannot be done as configured (bucket owned by someone else, bad name, ...). */
        InvalidConfiguration,
        /** RGW's TLS certificate is not issued by a trusted CA (or names another host): fix the CA bundle. */
        CertificateNotTrusted,
        /** Any other error RGW answered with. */
        RGWError
    }

    private final Reason reason;

    public StorageFault(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public StorageFault(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return reason + ": " + getMessage();
    }
}
