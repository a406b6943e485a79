package dev.buildfleet.gitlab;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A tenant runner's lifecycle in GitLab with runner authentication tokens (glrt-, GitLab >= 15.10; legacy
 * registration tokens are disabled by default since 17.0). Every method throws {@link GitLabFault} on failure.
 * Tokens are passed in and out but never logged nor put into a fault's message.
 */
public interface GitLabRunners {

    /** POST /api/v4/user/runners (access token scope create_runner or api). */
    RunnerToken create(RunnerSettings settings);

    /**
     * The oldest runner in the settings' scope (instance, group or project) whose description matches, if any: how a
     * runner created before a crash, or by the other of operator and CLI, is found again. Lists runners with
     * GET /runners/all, /groups/:id/runners or /projects/:id/runners (scope read_api or api: not manage_runner).
     */
    Optional<Long> find(RunnerSettings scope, Predicate<String> description);

    /**
     * POST /api/v4/runners/verify: the runner's id and token expiry as GitLab knows them (the token field is the one
     * given). Throws {@link GitLabFault.Reason#RunnerOrphaned} when the token is not valid.
     */
    RunnerToken verify(String token);

    /**
     * GET /api/v4/runners/:id (scope manage_runner, read_api or api): the runner's current settings, or empty when it
     * no longer exists.
     */
    Optional<RunnerSettings> get(long runnerId);

    /**
     * POST /api/v4/runners/:id/reset_authentication_token (scope manage_runner or api); the old token stops working.
     */
    RunnerToken resetToken(long runnerId);

    /** PUT /api/v4/runners/:id with tags and flags (scope manage_runner or api). */
    void update(long runnerId, RunnerSettings settings);

    /** DELETE /api/v4/runners/:id (scope manage_runner or api); a runner already gone is not an error. */
    void delete(long runnerId);

    /** A runner's id, token and expiry (null when the instance sets no expiry). */
    record RunnerToken(long id, String token, String expiresAt) {
        @Override
        public String toString() {
            return "RunnerToken[id=" + id + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** What GitLab should hold for the runner; {@code type} is instance_type, group_type or project_type. */
    record RunnerSettings(String type, Long groupId, Long projectId, String description, List<String> tags,
                          boolean runUntagged, String accessLevel, boolean locked, boolean paused,
                          Integer maximumTimeout) {
    }
}
