package dev.buildfleet.verify;

/** How one check ended. */
public enum Outcome {
    PASS,
    FAIL,
    /** An optional check that was not asked for (no credentials for it). */
    SKIPPED,
    /** The check could not run (RGW or GitLab failed); the result says why. */
    ERROR
}
