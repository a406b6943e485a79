package dev.buildfleet.verify;

import java.util.Locale;

/** Pod Security Standards, least to most restrictive. */
enum PodSecurityLevel {
    PRIVILEGED, BASELINE, RESTRICTED;

    static PodSecurityLevel parse(String text) {
        if (text == null) {
            return null;
        }
        for (PodSecurityLevel level : values()) {
            if (level.label().equals(text)) {
                return level;
            }
        }
        return null;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
