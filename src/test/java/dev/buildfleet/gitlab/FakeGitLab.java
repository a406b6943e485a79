package dev.buildfleet.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small stateful GitLab following the REST API docs of GitLab 18.x (Runners API, "Users API: create a runner"):
 * {@code POST /api/v4/user/runners} (scope create_runner) -> 201 {id, token, token_expires_at};
 * {@code POST /api/v4/runners/verify} {token} -> 200 {id, token, token_expires_at} or 403;
 * {@code GET /api/v4/runners/:id}; {@code POST /api/v4/runners/:id/reset_authentication_token}
 * -> 201 {token, token_expires_at}; {@code PUT /api/v4/runners/:id}; {@code DELETE /api/v4/runners/:id} -> 204;
 * {@code GET /api/v4/runners/all}, {@code /groups/:id/runners}, {@code /projects/:id/runners}. Access tokens carry
 * scopes (api covers all); bodies are JSON. Faults can be switched on: down (the connection is dropped), slow, or
 * any HTTP status for every request.
 */
public final class FakeGitLab implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RUNNER = Pattern.compile("/api/v4/runners/(\\d+)");
    private static final Pattern RESET = Pattern.compile("/api/v4/runners/(\\d+)/reset_authentication_token");
    private static final Pattern SCOPED_LIST = Pattern.compile("/api/v4/(groups|projects)/(\\d+)/runners");
    /** A route under /runners/ with a runner id: where manage_runner counts. */
    private static final Pattern RUNNER_ROUTE = Pattern.compile("/api/v4/runners/\\d+(/.*)?");

    /** A runner as GitLab stores it. */
    public static final class Runner {
        public final long id;
        public volatile String type;
        public volatile Long groupId;
        public volatile Long projectId;
        public volatile String description;
        public volatile List<String> tags = List.of();
        public volatile boolean runUntagged;
        public volatile String accessLevel;
        public volatile boolean locked;
        public volatile boolean paused;
        public volatile Integer maximumTimeout;
        public volatile String token;
        public volatile Instant tokenExpiresAt;
        /** Set by POST /runners/verify, which GitLab counts as contact from the runner; null: never contacted. */
        public volatile Instant contactedAt;

        Runner(long id) {
            this.id = id;
        }
    }

    private final HttpServer server;
    private final Map<Long, Runner> runners = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> accessTokens = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(100);
    private final AtomicLong tokens = new AtomicLong();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile Integer failWith;
    private volatile boolean down;
    private volatile Duration delay = Duration.ZERO;
    /** Lifetime of new runner tokens; null: tokens do not expire. */
    private volatile Duration tokenLifetime = Duration.ofDays(30);

    public FakeGitLab() throws IOException {
        this(null);
    }

    /** @param tls serves HTTPS with this context (a server certificate for 127.0.0.1), or plain HTTP when null */
    public FakeGitLab(javax.net.ssl.SSLContext tls) throws IOException {
        if (tls == null) {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } else {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(
                    new InetSocketAddress("127.0.0.1", 0), 0);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            server = https;
        }
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    public URI url() {
        return URI.create((server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http")
                + "://127.0.0.1:" + server.getAddress().getPort());
    }

    public FakeGitLab accessToken(String token, String... scopes) {
        accessTokens.put(token, Set.of(scopes));
        return this;
    }

    public void down(boolean down) {
        this.down = down;
    }

    public void failWith(Integer status) {
        this.failWith = status;
    }

    public void slow(Duration delay) {
        this.delay = delay;
    }

    public void tokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
    }

    /** A started fake, for field initialisers. */
    public static FakeGitLab started() {
        try {
            return new FakeGitLab();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public Map<Long, Runner> runners() {
        return runners;
    }

    /** "METHOD path" of every request received, faults included. */
    public List<String> calls() {
        return calls;
    }

    public long count(String prefix) {
        return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        calls.add(method + " " + path);
        try (ex) {
            if (!delay.isZero()) {
                Thread.sleep(delay.toMillis());
            }
            if (down) {
                return; // the connection is closed without an answer
            }
            if (failWith != null) {
                reply(ex, failWith, JSON.createObjectNode().put("message", failWith + " injected"));
                return;
            }
            byte[] raw = ex.getRequestBody().readAllBytes();
            JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
            route(ex, method, path, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void route(HttpExchange ex, String method, String path, JsonNode body) throws IOException {
        Matcher m;
        if (method.equals("POST") && path.equals("/api/v4/runners/verify")) {
            Runner r = byToken(body.path("token").asText());
            if (r == null) {
                reply(ex, 403, JSON.createObjectNode().put("message", "403 Forbidden"));
            } else {
                r.contactedAt = Instant.now();
                reply(ex, 200, tokenJson(r).put("id", r.id));
            }
        } else if (method.equals("POST") && path.equals("/api/v4/runners")) {
            reply(ex, 410, JSON.createObjectNode().put("message", "runner registration disallowed"));
        } else if (!authorized(ex, acceptedScopes(method, path))) {
            return;
        } else if (method.equals("POST") && path.equals("/api/v4/user/runners")) {
            Runner r = new Runner(ids.incrementAndGet());
            r.type = body.path("runner_type").asText();
            r.groupId = body.has("group_id") ? body.get("group_id").asLong() : null;
            r.projectId = body.has("project_id") ? body.get("project_id").asLong() : null;
            if (r.type.isEmpty() || ("group_type".equals(r.type) && r.groupId == null)
                    || ("project_type".equals(r.type) && r.projectId == null)) {
                reply(ex, 400, JSON.createObjectNode().put("error", "runner_type and its group_id/project_id"));
                return;
            }
            apply(r, body);
            newToken(r);
            runners.put(r.id, r);
            reply(ex, 201, tokenJson(r).put("id", r.id));
        } else if (method.equals("POST") && (m = RESET.matcher(path)).matches()) {
            Runner r = runners.get(Long.parseLong(m.group(1)));
            if (r == null) {
                reply(ex, 404, JSON.createObjectNode().put("message", "404 Runner Not Found"));
                return;
            }
            newToken(r);
            reply(ex, 201, tokenJson(r));
        } else if ((m = RUNNER.matcher(path)).matches()) {
            Runner r = runners.get(Long.parseLong(m.group(1)));
            if (r == null) {
                reply(ex, 404, JSON.createObjectNode().put("message", "404 Runner Not Found"));
            } else if (method.equals("GET")) {
                ObjectNode n = JSON.createObjectNode().put("id", r.id).put("description", r.description)
                        .put("runner_type", r.type).put("run_untagged", r.runUntagged)
                        .put("access_level", r.accessLevel).put("locked", r.locked).put("paused", r.paused);
                n.putArray("tag_list").addAll(r.tags.stream().map(JSON.getNodeFactory()::textNode).toList());
                if (r.maximumTimeout == null) {
                    n.putNull("maximum_timeout");
                } else {
                    n.put("maximum_timeout", r.maximumTimeout);
                }
                if (r.contactedAt == null) {
                    n.putNull("contacted_at");
                } else {
                    n.put("contacted_at", r.contactedAt.toString());
                }
                reply(ex, 200, n);
            } else if (method.equals("PUT")) {
                apply(r, body);
                reply(ex, 200, JSON.createObjectNode().put("id", r.id).put("description", r.description));
            } else if (method.equals("DELETE")) {
                runners.remove(r.id);
                ex.sendResponseHeaders(204, -1);
            } else {
                reply(ex, 405, JSON.createObjectNode().put("error", "405 Method Not Allowed"));
            }
        } else if (method.equals("GET") && (path.equals("/api/v4/runners/all")
                || (m = SCOPED_LIST.matcher(path)).matches())) {
            Map<String, String> query = query(ex.getRequestURI());
            Matcher scoped = SCOPED_LIST.matcher(path);
            boolean isScoped = scoped.matches();
            int perPage = Integer.parseInt(query.getOrDefault("per_page", "20"));
            int page = Integer.parseInt(query.getOrDefault("page", "1"));
            List<Runner> matching = new ArrayList<>(new TreeMap<>(runners).values()).stream()
                    .filter(r -> !query.containsKey("type") || query.get("type").equals(r.type))
                    .filter(r -> !isScoped || (scoped.group(1).equals("groups")
                            ? Long.valueOf(scoped.group(2)).equals(r.groupId)
                            : Long.valueOf(scoped.group(2)).equals(r.projectId)))
                    .skip((long) (page - 1) * perPage).limit(perPage).toList();
            ArrayNode list = JSON.createArrayNode();
            for (Runner r : matching) {
                list.addObject().put("id", r.id).put("description", r.description).put("runner_type", r.type)
                        .put("paused", r.paused);
            }
            reply(ex, 200, list);
        } else {
            reply(ex, 404, JSON.createObjectNode().put("error", "404 Not Found"));
        }
    }

    /**
     * The scopes GitLab takes for a route: api everywhere and read_api on GET (lib/api/api.rb), create_runner on
     * POST /user/runners (lib/api/user_runners.rb), manage_runner on /runners/:id routes only (lib/api/ci/runners.rb:
     * not on /runners/all nor on a group's or project's runner list).
     */
    private static Set<String> acceptedScopes(String method, String path) {
        Set<String> scopes = new java.util.HashSet<>(Set.of("api"));
        if (method.equals("GET")) {
            scopes.add("read_api");
        }
        if (method.equals("POST") && path.equals("/api/v4/user/runners")) {
            scopes.add("create_runner");
        }
        if (RUNNER_ROUTE.matcher(path).matches()) {
            scopes.add("manage_runner");
        }
        return scopes;
    }

    private boolean authorized(HttpExchange ex, Set<String> accepted) throws IOException {
        String token = ex.getRequestHeaders().getFirst("PRIVATE-TOKEN");
        Set<String> scopes = token == null ? null : accessTokens.get(token);
        if (scopes == null) {
            reply(ex, 401, JSON.createObjectNode().put("message", "401 Unauthorized"));
            return false;
        }
        if (scopes.stream().noneMatch(accepted::contains)) {
            reply(ex, 403, JSON.createObjectNode().put("error", "insufficient_scope")
                    .put("error_description", "The request requires higher privileges than provided by the access "
                            + "token.").put("scope", String.join(" ", new java.util.TreeSet<>(accepted))));
            return false;
        }
        return true;
    }

    private static void apply(Runner r, JsonNode b) {
        if (b.has("description")) {
            r.description = b.get("description").asText();
        }
        if (b.has("tag_list")) {
            List<String> tags = new ArrayList<>();
            b.get("tag_list").forEach(t -> tags.add(t.asText()));
            r.tags = List.copyOf(tags);
        }
        if (b.has("run_untagged")) {
            r.runUntagged = b.get("run_untagged").asBoolean();
        }
        if (b.has("access_level")) {
            r.accessLevel = b.get("access_level").asText();
        }
        if (b.has("locked")) {
            r.locked = b.get("locked").asBoolean();
        }
        if (b.has("paused")) {
            r.paused = b.get("paused").asBoolean();
        }
        if (b.has("maximum_timeout")) {
            r.maximumTimeout = b.get("maximum_timeout").asInt();
        }
    }

    private void newToken(Runner r) {
        r.token = "glrt-fake" + tokens.incrementAndGet() + "x" + Long.toHexString(System.nanoTime());
        r.tokenExpiresAt = tokenLifetime == null ? null : Instant.now().plus(tokenLifetime);
    }

    private Runner byToken(String token) {
        return runners.values().stream().filter(r -> r.token.equals(token)
                && (r.tokenExpiresAt == null || r.tokenExpiresAt.isAfter(Instant.now()))).findFirst().orElse(null);
    }

    private static ObjectNode tokenJson(Runner r) {
        ObjectNode n = JSON.createObjectNode().put("token", r.token);
        if (r.tokenExpiresAt == null) {
            n.putNull("token_expires_at");
        } else {
            n.put("token_expires_at", r.tokenExpiresAt.toString());
        }
        return n;
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new TreeMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int i = pair.indexOf('=');
                q.put(i < 0 ? pair : pair.substring(0, i), i < 0 ? "" : pair.substring(i + 1));
            }
        }
        return q;
    }

    private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
