package dev.buildfleet.gitlab;

import dev.buildfleet.config.InputFiles;
import dev.buildfleet.tls.TlsFailures;
import dev.buildfleet.tls.TrustBundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@link GitLabRunners} on the JDK HttpClient. Not gitlab4j-api: it would add a client stack and an old Jackson for
 * six calls, and we want exact control of the new runner endpoints (status codes, token fields, what is logged).
 * The access token goes only into the PRIVATE-TOKEN header; no message built here contains a token.
 */
public final class HttpGitLabRunners implements GitLabRunners {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PER_PAGE = 100;

    /** How to reach GitLab: base URL, optional CA bundle (PEM) and proxy, request timeout. */
    public record Connection(URI baseUrl, Path caBundle, URI proxy, Duration timeout, TrustBundle trust) {
        public Connection(URI baseUrl, Path caBundle, URI proxy, Duration timeout) {
            this(baseUrl, caBundle, proxy, timeout, null);
        }
    }

    private final URI api;
    private final String accessToken;
    private final HttpClient http;
    private final Duration timeout;
    private final TrustBundle trust;

    public HttpGitLabRunners(Connection connection, String accessToken) {
        if (accessToken == null || accessToken.isBlank()) {
            throw new IllegalArgumentException("no GitLab access token");
        }
        String base = connection.baseUrl().toString();
        this.api = URI.create((base.endsWith("/") ? base : base + "/") + "api/v4/");
        this.accessToken = accessToken;
        this.timeout = connection.timeout() == null ? Duration.ofSeconds(30) : connection.timeout();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        this.trust = connection.trust() != null ? connection.trust()
                : connection.caBundle() != null ? trustBundle(connection.caBundle()) : null;
        if (trust != null) {
            builder.sslContext(trust.sslContext());
        }
        if (connection.proxy() != null) {
            URI p = connection.proxy();
            builder.proxy(ProxySelector.of(new InetSocketAddress(p.getHost(), p.getPort() > 0 ? p.getPort() : 3128)));
        }
        this.http = builder.build();
    }

    /** Trusts exactly the certificates in a PEM file (config.gitlab.caBundle, the operator's GitLab CA). */
    static TrustBundle trustBundle(Path pem) {
        String source = "config.gitlab.caBundle (" + pem + ")";
        try {
            return TrustBundle.parse(source, new String(InputFiles.read(pem, InputFiles.MAX_CONFIG_BYTES),
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (dev.buildfleet.validation.InvalidInputException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalArgumentException(pem + ": cannot read the CA bundle: " + e.getMessage(), e);
        }
    }

    @Override
    public RunnerToken create(RunnerSettings s) {
        ObjectNode body = settingsBody(s);
        body.put("runner_type", s.type());
        if (s.groupId() != null) {
            body.put("group_id", s.groupId());
        }
        if (s.projectId() != null) {
            body.put("project_id", s.projectId());
        }
        JsonNode r = send("POST", "user/runners", body, AccessScope.CREATE, "create a runner");
        return token(r, r.path("id").asLong());
    }

    @Override
    public Optional<Long> find(RunnerSettings s, Predicate<String> description) {
        String path = switch (s.type()) {
            case "group_type" -> "groups/" + s.groupId() + "/runners?type=group_type";
            case "project_type" -> "projects/" + s.projectId() + "/runners?type=project_type";
            default -> "runners/all?type=instance_type";
        };
        Optional<Long> oldest = Optional.empty();
        for (int page = 1; ; page++) {
            JsonNode list = send("GET", path + "&per_page=" + PER_PAGE + "&page=" + page, null, AccessScope.LIST,
                    "list runners");
            for (JsonNode runner : list) {
                long id = runner.path("id").asLong();
                if (description.test(runner.path("description").asText(null))
                        && (oldest.isEmpty() || id < oldest.get())) {
                    oldest = Optional.of(id);
                }
            }
            if (list.size() < PER_PAGE) {
                return oldest;
            }
        }
    }

    @Override
    public RunnerToken verify(String token) {
        ObjectNode body = JSON.createObjectNode().put("token", token);
        JsonNode r = send("POST", "runners/verify", body, null, "verify the runner token");
        JsonNode expires = r.path("token_expires_at");
        return new RunnerToken(r.path("id").asLong(), token,
                expires.isNull() || expires.isMissingNode() ? null : expires.asText());
    }

    @Override
    public Optional<RunnerSettings> get(long runnerId) {
        JsonNode r;
        try {
            r = send("GET", "runners/" + runnerId, null, AccessScope.READ, "read runner " + runnerId);
        } catch (GitLabFault fault) {
            if (fault.getMessage().contains("HTTP 404")) {
                return Optional.empty();
            }
            throw fault;
        }
        List<String> tags = new ArrayList<>();
        r.path("tag_list").forEach(t -> tags.add(t.asText()));
        JsonNode timeout = r.path("maximum_timeout");
        return Optional.of(new RunnerSettings(r.path("runner_type").asText(null), null, null,
                r.path("description").asText(null), tags, r.path("run_untagged").asBoolean(),
                r.path("access_level").asText(null), r.path("locked").asBoolean(), r.path("paused").asBoolean(),
                timeout.isNull() || timeout.isMissingNode() ? null : timeout.asInt()));
    }

    @Override
    public RunnerToken resetToken(long runnerId) {
        JsonNode r = send("POST", "runners/" + runnerId + "/reset_authentication_token", null, AccessScope.MANAGE,
                "reset the runner's token");
        return token(r, runnerId);
    }

    @Override
    public void update(long runnerId, RunnerSettings s) {
        send("PUT", "runners/" + runnerId, settingsBody(s), AccessScope.MANAGE, "update runner " + runnerId);
    }

    @Override
    public void delete(long runnerId) {
        try {
            send("DELETE", "runners/" + runnerId, null, AccessScope.MANAGE, "delete runner " + runnerId);
        } catch (GitLabFault fault) {
            if (fault.getMessage().contains("HTTP 404")) {
                return;
            }
            throw fault;
        }
    }

    private static ObjectNode settingsBody(RunnerSettings s) {
        ObjectNode body = JSON.createObjectNode();
        body.put("description", s.description());
        body.putArray("tag_list").addAll(s.tags().stream().map(JSON.getNodeFactory()::textNode).toList());
        body.put("run_untagged", s.runUntagged());
        body.put("access_level", s.accessLevel());
        body.put("locked", s.locked());
        body.put("paused", s.paused());
        if (s.maximumTimeout() != null) {
            body.put("maximum_timeout", s.maximumTimeout());
        }
        return body;
    }

    private static RunnerToken token(JsonNode r, long id) {
        String token = r.path("token").asText(null);
        if (token == null || token.isEmpty()) {
            throw new GitLabFault(GitLabFault.Reason.GitLabError, "GitLab answered without a runner token");
        }
        JsonNode expires = r.path("token_expires_at");
        return new RunnerToken(id, token, expires.isNull() || expires.isMissingNode() ? null : expires.asText());
    }

    /**
     * @param scope the access-token scopes the call takes (null: authenticated by the runner token in the body)
     * @param what  what the call does, for messages
     */
    private JsonNode send(String method, String path, JsonNode body, AccessScope scope, String what) {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(path)).timeout(timeout)
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (scope != null) {
            request.header("PRIVATE-TOKEN", accessToken);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            Optional<String> untrusted = TlsFailures.untrusted("GitLab API", api.toString(), trust, e);
            if (untrusted.isPresent()) {
                throw new GitLabFault(GitLabFault.Reason.GitLabUnreachable, "could not " + what + ": "
                        + untrusted.get(), e);
            }
            throw new GitLabFault(GitLabFault.Reason.GitLabUnreachable, "could not " + what + ": GitLab at "
                    + api.getHost() + " did not answer (" + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitLabFault(GitLabFault.Reason.GitLabUnreachable, "interrupted while trying to " + what, e);
        }
        int code = response.statusCode();
        if (code >= 200 && code < 300) {
            try {
                return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            } catch (IOException e) {
                throw new GitLabFault(GitLabFault.Reason.GitLabError, "could not " + what + ": GitLab answered "
                        + "HTTP " + code + " with a body that is not JSON");
            }
        }
        String detail = "could not " + what + ": HTTP " + code;
        if (code >= 500) {
            // Whether to retry is the caller's to say: the operator does, the CLI does not.
            throw new GitLabFault(GitLabFault.Reason.GitLabUnreachable, detail + ": GitLab failed (server error)"
                    + messageOf(response.body()));
        }
        if (code == 410) {
            throw new GitLabFault(GitLabFault.Reason.LegacyRegistrationRemoved, detail + ": legacy runner "
                    + "registration is disabled in this GitLab; use runner authentication tokens (glrt-): set "
                    + "spec.gitlab.runner.create or give a glrt- token in spec.gitlab.runner.tokenSecretRef");
        }
        if (scope == null && (code == 403 || code == 422 || code == 404)) {
            throw new GitLabFault(GitLabFault.Reason.RunnerOrphaned, detail + ": the runner token is no longer "
                    + "valid in GitLab (the runner was deleted or its token reset or expired)");
        }
        if (code == 401) {
            throw new GitLabFault(GitLabFault.Reason.GitLabAccessDenied, detail + ": GitLab does not accept the "
                    + "access token: it is unknown, expired or revoked; give a valid one");
        }
        if (code == 403) {
            throw new GitLabFault(GitLabFault.Reason.GitLabAccessDenied, detail + (insufficientScope(response.body())
                    ? ": the access token lacks the scope this call needs: " + scope.needs()
                    : ": GitLab refused" + messageOf(response.body()) + "; the call needs scope " + scope.needs()
                    + " and the token's user needs rights on the runner's group or project (an administrator for "
                    + "instance runners)"));
        }
        throw new GitLabFault(GitLabFault.Reason.GitLabError, detail + messageOf(response.body()));
    }

    /** GitLab answers a missing scope with {"error": "insufficient_scope", ...}, a missing right otherwise. */
    private static boolean insufficientScope(String body) {
        try {
            return "insufficient_scope".equals(JSON.readTree(body).path("error").asText());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** GitLab's own error text ({"message": ...} or {"error": ...}), which never holds a token. */
    private static String messageOf(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            JsonNode m = n.has("message") ? n.get("message") : n.get("error");
            return m == null ? "" : ": " + m;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
