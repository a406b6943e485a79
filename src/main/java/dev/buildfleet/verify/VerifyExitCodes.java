package dev.buildfleet.verify;

/**
 * Exit codes of verify, consistent with the CLI's list: 0 every check passed, 1 a check failed, then the reasons a
 * check could not run.
 */
public final class VerifyExitCodes {
    public static final int PASSED = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    /** The fleet file or the kubeconfig could not be read (or the fleet is invalid). */
    public static final int FILES = 3;
    /** Ceph RGW failed (as for the storage commands). */
    public static final int STORAGE_FAULT = 4;
    /** GitLab failed (as for the runner commands). */
    public static final int GITLAB_FAULT = 5;
    /** The Kubernetes API could not be reached or refused a read. */
    public static final int KUBERNETES_FAULT = 7;

    private VerifyExitCodes() {
    }
}
