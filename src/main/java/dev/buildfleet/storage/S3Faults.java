package dev.buildfleet.storage;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Set;

/** Turns AWS SDK exceptions into {@link StorageFault}s; messages carry codes and names, never keys. */
final class S3Faults {
    private static final Set<String> CONFIGURATION = Set.of("InvalidBucketName", "MalformedPolicy", "MalformedXML",
            "InvalidArgument", "BucketAlreadyExists", "TooManyBuckets", "InvalidRequest");

    private S3Faults() {
    }

    static StorageFault of(String what, SdkException e) {
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
            String message = what + ": HTTP " + s3.statusCode() + " " + code;
            if ("QuotaExceeded".equals(code)) {
                return new StorageFault(StorageFault.Reason.BucketQuotaExceeded, message
                        + " (the tenant's storage quota is used up)", e);
            }
            if (s3.statusCode() == 403 || "AccessDenied".equals(code)) {
                return new StorageFault(StorageFault.Reason.AccessDenied, message, e);
            }
            if (CONFIGURATION.contains(code)) {
                return new StorageFault(StorageFault.Reason.InvalidConfiguration, message, e);
            }
            return new StorageFault(StorageFault.Reason.RGWError, message, e);
        }
        java.util.Optional<String> untrusted = dev.buildfleet.tls.TlsFailures.reason(e);
        if (untrusted.isPresent()) {
            return new StorageFault(StorageFault.Reason.CertificateNotTrusted, what + ": RGW S3 API: certificate "
                    + "not trusted by config.caBundle, or by the JDK's CAs when it is unset (" + untrusted.get() + ")",
                    e);
        }
        if (e instanceof SdkClientException && unreachable(e)) {
            return new StorageFault(StorageFault.Reason.RGWUnreachable, what + ": cannot reach RGW ("
                    + rootCause(e).getClass().getSimpleName() + ")", e);
        }
        return new StorageFault(StorageFault.Reason.RGWError, what + ": " + e.getClass().getSimpleName(), e);
    }

    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof SocketTimeoutException
                    || t instanceof java.net.NoRouteToHostException || t instanceof java.net.UnknownHostException) {
                return true;
            }
            if (t instanceof IOException && t.getCause() == null) {
                return true;
            }
        }
        return false;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
