package dev.buildfleet.gitlab;

import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.proxy.OutboundProxy;
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
        return of(gitlab, trust, null);
    }

    /**
     * @param proxy the fleet's proxy (config.proxy), used unless gitlab.proxy is set or NO_PROXY names GitLab
     */
    public static HttpGitLabRunners.Connection of(FleetConfig.GitLab gitlab, TrustBundle trust, OutboundProxy proxy) {
        URI url = URI.create(gitlab.url());
        URI route = gitlab.proxy() != null ? URI.create(gitlab.proxy())
                : proxy == null ? null : proxy.urlFor(url).orElse(null);
        return new HttpGitLabRunners.Connection(url, gitlab.caBundle() == null ? null : Path.of(gitlab.caBundle()),
                route, gitlab.timeout(), trust);
    }
}
