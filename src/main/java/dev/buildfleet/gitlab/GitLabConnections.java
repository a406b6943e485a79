package dev.buildfleet.gitlab;

import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.tls.TrustBundle;

import java.net.URI;
import java.nio.file.Path;

/** How the operator and the CLI reach GitLab, from the platform config. */
public final class GitLabConnections {
    private GitLabConnections() {
    }

    public static HttpGitLabRunners.Connection of(FleetConfig.GitLab gitlab) {
        return of(gitlab, null);
    }

    /** @param trust the fleet's CA bundle (config.caBundle) when the caller has read it, else null */
    public static HttpGitLabRunners.Connection of(FleetConfig.GitLab gitlab, TrustBundle trust) {
        return new HttpGitLabRunners.Connection(URI.create(gitlab.url()),
                gitlab.caBundle() == null ? null : Path.of(gitlab.caBundle()),
                gitlab.proxy() == null ? null : URI.create(gitlab.proxy()), gitlab.timeout(), trust);
    }
}
