package dev.buildfleet.cache;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} (CNCF Distribution 2.8), or Distribution 3 built by
 * test-infra/distribution/build.sh ({@link #distribution3()}), as a child process on a loopback port: started with a
 * config.yml and the REGISTRY_* overrides a pod would get, restarted on the same port with other variables (the
 * read-only switch), and its {@code garbage-collect} run with the same config and environment. The child never
 * inherits REGISTRY_* (Distribution reads every one as config), AWS_* ({@code AWS_CA_BUNDLE} makes the 2.8 S3 driver
 * panic) or OTEL_* (3.x's tracing). When the binary is missing or cannot be built the test fails and says why.
 */
final class DistributionProcess implements AutoCloseable {
    static final String BINARY = "docker-registry";
    /** Distribution 3 exports a span of every request over OTLP unless told otherwise; nothing listens for them. */
    static final Map<String, String> DISTRIBUTION3_ENV = Map.of("OTEL_TRACES_EXPORTER", "none");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String binary;
    private final String name;
    private final Path config;
    private final Map<String, String> env;
    private final int port;
    private final Path log;
    private Process process;
    private int starts;

    private DistributionProcess(String binary, String name, Path config, Map<String, String> env, int port, Path log) {
        this.binary = binary;
        this.name = name;
        this.config = config;
        this.env = env;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code docker-registry serve CONFIG} listening on 127.0.0.1 (a free port), debug server on another.
     *
     * @param env REGISTRY_* overrides and S3 keys, as the pod's environment would hold them
     */
    static DistributionProcess start(String name, Path config, Map<String, String> env, Path dir) throws IOException {
        requireBinary();
        return start(BINARY, name, config, env, dir);
    }

    /** As {@link #start(String, Path, Map, Path)}, with another registry binary (Distribution 3). */
    static DistributionProcess start(String binary, String name, Path config, Map<String, String> env, Path dir)
            throws IOException {
        DistributionProcess registry = new DistributionProcess(binary, name, config, new LinkedHashMap<>(env),
                freePort(), dir.resolve(name + ".log"));
        Runtime.getRuntime().addShutdownHook(new Thread(registry::stop));   // if a test never closes it
        registry.launch(Map.of());
        return registry;
    }

    /** A registry on the local filesystem under {@code dir}, whose one htpasswd user is {@code login}. */
    static DistributionProcess startOnFilesystem(String name, CacheCredentials login, Path dir) throws IOException {
        SecureRandom random = new SecureRandom();
        Path htpasswd = Files.writeString(dir.resolve(name + ".htpasswd"), login.htpasswd(random));
        Path config = Files.writeString(dir.resolve(name + ".yml"),
                filesystemConfig(dir.resolve(name + "-data"), htpasswd));
        return start(name, config, Map.of(), dir);
    }

    static void requireBinary() {
        if (!onPath(BINARY)) {
            throw new IllegalStateException(BINARY + " is not installed: apt-get install -y docker-registry "
                    + "(Distribution 2.8; .ci/run installs it)");
        }
    }

    /**
     * Distribution 3's registry binary, built from its Go module (or found in the cache) by
     * test-infra/distribution/build.sh; fails with the script's output when it cannot be built.
     */
    static String distribution3() {
        try {
            Path log = Files.createTempFile("distribution-build", ".log");
            Process p = new ProcessBuilder("bash", "test-infra/distribution/build.sh").redirectError(log.toFile())
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("test-infra/distribution/build.sh failed: it builds Distribution 3 "
                        + "from the Go module proxy and needs go (.ci/run runs it)\n" + Files.readString(log));
            }
            Path binary = Path.of(out.lines().reduce((a, b) -> b).orElse("")).resolve("registry");
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException("test-infra/distribution/build.sh printed " + out
                        + ", no registry there");
            }
            return binary.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot run test-infra/distribution/build.sh", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    URI base() {
        return URI.create("http://" + hostPort());
    }

    /** host:port, as a docker config.json or registries.conf names it. */
    String hostPort() {
        return "127.0.0.1:" + port;
    }

    Path config() {
        return config;
    }

    /** Stops the process and starts it again on the same port with {@code extraEnv} added to its environment. */
    void restart(Map<String, String> extraEnv) throws IOException {
        stop();
        launch(extraEnv);
    }

    /**
     * Runs {@code docker-registry garbage-collect --delete-untagged CONFIG} with this registry's environment plus
     * {@code extraEnv}, as the operator's GC Job would; fails with its output when it does not exit 0.
     */
    String garbageCollect(Map<String, String> extraEnv) throws IOException, InterruptedException {
        List<String> command = List.of(binary, "garbage-collect", "--delete-untagged", config.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        environment(pb, extraEnv);
        Process gc = pb.start();
        String output = new String(gc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!gc.waitFor(120, TimeUnit.SECONDS) || gc.exitValue() != 0) {
            gc.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private synchronized void launch(Map<String, String> extraEnv) throws IOException {
        starts++;
        ProcessBuilder pb = new ProcessBuilder(binary, "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        environment(pb, extraEnv);
        pb.environment().put("REGISTRY_HTTP_ADDR", hostPort());
        pb.environment().put("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:" + freePort());
        Files.writeString(log, "=== start " + starts + " " + extraEnv.keySet() + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = pb.start();
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            try {
                int code = HTTP.send(HttpRequest.newBuilder(base().resolve("/v2/")).timeout(Duration.ofSeconds(5))
                        .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (code == 200 || code == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting " + name, e);
            }
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                stop();
                throw new IllegalStateException(binary + " (" + name + ") did not start:\n" + log());
            }
            sleep(100);
        }
    }

    private void environment(ProcessBuilder pb, Map<String, String> extraEnv) {
        Map<String, String> child = pb.environment();
        child.keySet().removeIf(k -> k.startsWith("REGISTRY_") || k.startsWith("AWS_") || k.startsWith("OTEL_"));
        child.putAll(env);
        child.putAll(extraEnv);
    }

    private synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A registry config.yml on the local filesystem (no S3), with htpasswd auth when {@code htpasswd} is given. */
    static String filesystemConfig(Path root, Path htpasswd) {
        return """
                version: 0.1
                log: {level: warn, formatter: text}
                storage:
                  filesystem: {rootdirectory: '%s'}
                  delete: {enabled: true}
                http:
                  addr: 127.0.0.1:5000
                """.formatted(root) + (htpasswd == null ? "" : """
                auth:
                  htpasswd: {realm: test, path: '%s'}
                """.formatted(htpasswd));
    }

    @Override
    public String toString() {
        return name + " at " + hostPort();
    }
}
