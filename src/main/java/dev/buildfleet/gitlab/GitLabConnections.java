package dev.buildfleet.gitlab;

import dev.buildfleet.config.FleetConfig;

import java.net.URI;
import java.nio.file.Path;

/** How the operator and the CLI reach GitLab, from the platform config. */
public final class GitLabConnections {
    private GitLabConnections() {
    }

    public static HttpGitLabRunners.Connection of(FleetConfig.GitLab gitlab) {
        return new HttpGitLabRunners.Connection(URI.create(gitlab.url()),
                gitlab.caBundle() == null ? null : Path.of(gitlab.caBundle()),
                gitlab.proxy() == null ? null : URI.create(gitlab.proxy()), gitlab.timeout());
    }
}
