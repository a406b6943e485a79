package dev.buildfleet.gitlab;

/**
 * Why a GitLab call failed, in words an operator condition can show ({@link #reason()} is the condition reason).
 * Messages never carry the access token nor a runner token, and never say whether the call is retried: the operator
 * retries, the CLI does not, so each caller adds that.
 */
public final class GitLabFault extends RuntimeException {
    public enum Reason {
        /** Connection refused, timed out, or GitLab answered 5xx: nothing is known to have changed. */
        GitLabUnreachable,
        /** 401: the access token is unknown, expired or revoked; 403: it lacks the call's scope or the rights. */
        GitLabAccessDenied,
        /** 410: legacy registration tokens are disabled (GitLab >= 17.0); use runner authentication tokens. */
        LegacyRegistrationRemoved,
        /** The runner token is no longer valid in GitLab (verify answered 403/422, or the runner is gone). */
        RunnerOrphaned,
        /** Any other answer (400, 404, ...). */
        GitLabError
    }

    private final Reason reason;

    public GitLabFault(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public GitLabFault(Reason reason, String message) {
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
