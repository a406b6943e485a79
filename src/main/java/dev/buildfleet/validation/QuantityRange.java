package dev.buildfleet.validation;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;

/**
 * The largest quantity a field takes. Far above any real job or bucket, and low enough that the sums built from them
 * (a ResourceQuota of 220 jobs, an RGW quota in KiB) stay within the 64-bit integers Kubernetes and RGW use.
 */
enum QuantityRange {
    CPU("1000000", "CPU amount"),
    BYTES_PER_JOB("1Pi", "job's memory or ephemeral storage"),
    BUCKET_QUOTA("1Ei", "cache quota");

    private final BigDecimal most;
    private final String text;
    private final String what;

    QuantityRange(String text, String what) {
        this.most = Quantity.getAmountInBytes(new Quantity(text));
        this.text = text;
        this.what = what;
    }

    BigDecimal most() {
        return most;
    }

    String text() {
        return text;
    }

    String what() {
        return what;
    }
}
