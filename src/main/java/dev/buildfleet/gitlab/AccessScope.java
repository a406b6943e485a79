package dev.buildfleet.gitlab;

import java.util.List;

/**
 * The access-token scopes GitLab accepts for each call buildfleet makes with its access token, as GitLab's source
 * grants them: {@code api} on every route and {@code read_api} on every GET (lib/api/api.rb), {@code create_runner}
 * on POST /user/runners (lib/api/user_runners.rb), {@code manage_runner} only on /runners/:id routes
 * (lib/api/ci/runners.rb). So the runner lists need read_api: manage_runner does not reach them.
 */
public enum AccessScope {
    /** POST /user/runners. */
    CREATE("create_runner"),
    /** GET /runners/all, /groups/:id/runners, /projects/:id/runners. */
    LIST("read_api"),
    /** GET /runners/:id. */
    READ("manage_runner", "read_api"),
    /** PUT and DELETE /runners/:id, POST /runners/:id/reset_authentication_token. */
    MANAGE("manage_runner");

    /** What an access token for buildfleet needs, for help texts and messages. */
    public static final String NEEDED = "create_runner, manage_runner and read_api (or api alone)";

    private final List<String> scopes;

    AccessScope(String... scopes) {
        this.scopes = List.of(scopes);
    }

    /** The scopes that allow the call, api included, e.g. "manage_runner or api". */
    public String needs() {
        return String.join(" or ", scopes) + " or api";
    }
}
