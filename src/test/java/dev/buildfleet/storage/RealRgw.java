package dev.buildfleet.storage;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Ceph RGW (test-infra/ceph/start-ceph-rgw.sh: 1 mon, 1 memstore OSD, radosgw) started once per
 * test JVM on free loopback ports and stopped when the JVM's tests are done. When it cannot start, every test that
 * uses it FAILS with the script's output: these tests are never skipped.
 *
 * <p>Use with {@code @ExtendWith(RealRgw.class)} and {@link #get()}.
 */
public final class RealRgw implements BeforeAllCallback {
    /** A lifecycle "day" lasts this many seconds here, so expiry can be observed in a test. */
    public static final int LC_DAY_SECONDS = 2;
    /** A lifecycle day of LC_DAY_SECONDS, and lifecycle allowed at any hour (Ceph's default is 00:00-06:00). */
    public static final String EXTRA_CONF = "rgw lc debug interval = " + LC_DAY_SECONDS
            + "\nrgw lifecycle work time = 00:00-23:59";
    private static final Path SCRIPTS = Path.of("test-infra/ceph");

    private static Instance instance;

    /**
     * A running RGW: its S3/Admin endpoint and the admin user's keys; the same RGW also serves HTTPS at
     * {@code tlsEndpoint} (https://localhost:PORT) with a certificate issued by {@code ca}, a CA made for this run.
     */
    public record Instance(URI endpoint, int port, S3Keys adminKeys, Path dir, Duration startup, URI tlsEndpoint,
                           dev.buildfleet.tls.TestCa ca)
            implements AutoCloseable {
        @Override
        public void close() {
            stop(dir);
        }

        /**
         * Runs lifecycle on one bucket now. radosgw-admin reads ceph.conf as client.admin, not client.rgw, so it is
         * given the lifecycle day of {@link #EXTRA_CONF} itself: without it, it would judge expiry by real days,
         * expire nothing, and still mark the bucket's lifecycle done for the RGW's own worker.
         */
        public String processLifecycle(String bucket) {
            return radosgwAdmin("lc", "process", "--bucket", bucket, "--rgw-lc-debug-interval=" + LC_DAY_SECONDS,
                    "--rgw-lifecycle-work-time=00:00-23:59");
        }

        /** Runs {@code radosgw-admin ARGS} against this cluster and returns its output. */
        public String radosgwAdmin(String... args) {
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("radosgw-admin"));
            command.addAll(java.util.List.of(args));
            try {
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
                pb.environment().put("CEPH_CONF", dir.resolve("ceph.conf").toString());
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("radosgw-admin " + String.join(" ", args) + " failed:\n" + out);
                }
                return out;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(RealRgw.class, k -> start(), Instance.class);
    }

    public static synchronized Instance get() {
        if (instance == null) {
            throw new IllegalStateException("annotate the test class with @ExtendWith(RealRgw.class)");
        }
        return instance;
    }

    private static synchronized Instance start() {
        if (instance != null) {
            return instance;
        }
        try {
            Path dir = Files.createTempDirectory("bf-ceph-test-");
            int rgwPort = freePort();
            int monPort = freePort();
            int tlsPort = freePort();
            dev.buildfleet.tls.TestCa ca = dev.buildfleet.tls.TestCa.create("buildfleet test RGW CA");
            // Not in CEPH_DIR: the script empties it first.
            Path tlsDir = Files.createTempDirectory("bf-rgw-tls-");
            Path certificate = ca.issueServer().writeTo(tlsDir, "rgw-tls");
            ProcessBuilder pb = new ProcessBuilder("bash", SCRIPTS.resolve("start-ceph-rgw.sh").toString());
            Map<String, String> env = pb.environment();
            env.put("CEPH_DIR", dir.toString());
            env.put("RGW_PORT", String.valueOf(rgwPort));
            env.put("MON_PORT", String.valueOf(monPort));
            env.put("RGW_SSL_PORT", String.valueOf(tlsPort));
            env.put("RGW_SSL_CERTIFICATE", certificate.toString());
            env.put("RGW_SSL_PRIVATE_KEY", tlsDir.resolve("rgw-tls.key").toString());
            env.put("RGW_EXTRA_CONF", EXTRA_CONF);
            env.put("MEMSTORE_BYTES", String.valueOf(1L << 30));
            pb.redirectErrorStream(true);
            long t0 = System.nanoTime();
            Process process = pb.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean finished = process.waitFor(120, TimeUnit.SECONDS);
            if (!finished || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("Ceph RGW did not start (" + (finished ? "exit "
                        + process.exitValue() : "timed out") + "); install it with: apt-get install -y "
                        + "--no-install-recommends ceph-mon ceph-osd radosgw ceph-common\n" + output + logs(dir));
            }
            Duration startup = Duration.ofNanos(System.nanoTime() - t0);
            Map<String, String> values = new HashMap<>();
            output.lines().filter(l -> l.contains("=")).forEach(l ->
                    values.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
            instance = new Instance(URI.create(values.get("S3_ENDPOINT")), rgwPort,
                    new S3Keys(values.get("BUILDFLEET_RGW_ACCESS_KEY"), values.get("BUILDFLEET_RGW_SECRET_KEY")),
                    dir, startup, URI.create(values.get("S3_TLS_ENDPOINT")), ca);
            System.out.printf("[RealRgw] Ceph RGW up at %s in %.1f s (script says %s s)%n", instance.endpoint(),
                    startup.toMillis() / 1000.0, values.get("STARTUP_SECONDS"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(dir)));   // if JUnit never closes the store
            return instance;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + SCRIPTS + "/start-ceph-rgw.sh: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Ceph RGW", e);
        }
    }

    private static void stop(Path dir) {
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", SCRIPTS.resolve("stop-ceph-rgw.sh").toString())
                    .redirectErrorStream(true);
            pb.environment().put("CEPH_DIR", dir.toString());
            Process p = pb.start();
            p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            System.err.println("[RealRgw] could not stop Ceph in " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String logs(Path dir) {
        try (var files = Files.list(dir.resolve("log"))) {
            StringBuilder out = new StringBuilder();
            for (Path f : files.toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                out.append("\n--- ").append(f).append(" (tail)\n")
                        .append(text.substring(Math.max(0, text.length() - 2000)));
            }
            return out.toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** A port nothing listens on right now (the script fails fast if someone takes it meanwhile). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
