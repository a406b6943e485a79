package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Arithmetic on Kubernetes quantities with readable results (24, 2400m, 48Gi) rather than raw numbers. */
public final class Quantities {
    private static final BigDecimal MI = BigDecimal.valueOf(1024L * 1024);
    private static final BigDecimal GI = MI.multiply(BigDecimal.valueOf(1024));
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private Quantities() {
    }

    public static BigDecimal amount(Quantity q) {
        return Quantity.getAmountInBytes(q);
    }

    public static BigDecimal times(Quantity q, int n) {
        return amount(q).multiply(BigDecimal.valueOf(n));
    }

    public static Quantity cpu(BigDecimal cores) {
        BigDecimal stripped = cores.stripTrailingZeros();
        if (stripped.scale() <= 0) {
            return new Quantity(stripped.toPlainString());
        }
        return new Quantity(cores.multiply(THOUSAND).setScale(0, RoundingMode.CEILING).toPlainString() + "m");
    }

    public static Quantity bytes(BigDecimal bytes) {
        if (bytes.remainder(GI).signum() == 0) {
            return new Quantity(bytes.divide(GI).toBigInteger() + "Gi");
        }
        if (bytes.remainder(MI).signum() == 0) {
            return new Quantity(bytes.divide(MI).toBigInteger() + "Mi");
        }
        return new Quantity(bytes.setScale(0, RoundingMode.CEILING).toPlainString());
    }
}
