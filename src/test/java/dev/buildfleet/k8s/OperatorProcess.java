package dev.buildfleet.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * `buildfleet operator` in a JVM of its own, out of cluster, with a kubeconfig holding only its ServiceAccount's
 * token: what it may do is what the install's RBAC grants. It can be stopped with SIGTERM or killed with SIGKILL.
 */
public final class OperatorProcess implements AutoCloseable {
    private final String identity;
    private final Process process;
    private final Path log;
    private final int port;
    private volatile java.time.Instant exitedSince;

    private OperatorProcess(String identity, Process process, Path log, int port) {
        this.identity = identity;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts a replica named {@code identity} (its Lease holder identity) with leader election in the namespace. */
    public static OperatorProcess start(String identity, Path kubeconfig, Path fleetConfig, String namespace,
                                        int port, Path logDir) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                "dev.buildfleet.cli.Main", "operator", "--config", fleetConfig.toString(), "--port",
                String.valueOf(port), "--leader-election-namespace", namespace);
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("POD_NAME", identity);
        pb.environment().put("POD_NAMESPACE", namespace);
        Path log = logDir.resolve("operator-" + identity + "-" + System.nanoTime() + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            return new OperatorProcess(identity, pb.start(), log, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String identity() {
        return identity;
    }

    public int port() {
        return port;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** How long ago the process ended (zero while it runs). */
    public Duration exitedFor() {
        if (process.isAlive()) {
            exitedSince = null;
            return Duration.ZERO;
        }
        if (exitedSince == null) {
            exitedSince = java.time.Instant.now();
        }
        return Duration.between(exitedSince, java.time.Instant.now());
    }

    public Path logFile() {
        return log;
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** The log without JOSDK's and fabric8's own lines. */
    public List<String> ownLogLines() {
        return log().lines().filter(l -> l.contains("dev.buildfleet")).toList();
    }

    /** SIGKILL: no shutdown hook runs, the Lease is not released, a reconcile may stop half-way. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** SIGTERM: in-flight reconciles finish and the Lease is released. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            waitFor();
        }
    }

    private void waitFor() {
        try {
            if (!process.waitFor(Duration.ofSeconds(40).toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
