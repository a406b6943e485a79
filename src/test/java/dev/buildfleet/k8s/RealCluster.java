package dev.buildfleet.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real Kubernetes control plane (test-infra/k8s/start-cluster.sh: etcd, kube-apiserver with RBAC, admission and
 * an audit log, kube-controller-manager, kube-scheduler, kwok for the nodes), built from the Go module proxy by
 * test-infra/k8s/build.sh and started once per test JVM. When it cannot be built or started, the tests that use it
 * FAIL with the script's output; they are never skipped.
 */
public final class RealCluster {
    /** Where deploy/base installs the operator, and the user its requests show as in the audit log. */
    public static final String OPERATOR_NAMESPACE = "buildfleet-system";
    public static final String OPERATOR_USER = "system:serviceaccount:" + OPERATOR_NAMESPACE + ":"
            + dev.buildfleet.model.Names.OPERATOR_SERVICE_ACCOUNT;
    private static final Path SCRIPTS = Path.of("test-infra/k8s");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete", "deletecollection");
    private static RealCluster instance;

    private final Map<String, String> env;
    private final Path dir;
    private final Duration startup;

    private RealCluster(Map<String, String> env, Duration startup) {
        this.env = env;
        this.dir = Path.of(env.get("K8S_DIR"));
        this.startup = startup;
    }

    /** The cluster of this JVM, started on first use. */
    public static synchronized RealCluster get() {
        if (instance == null) {
            instance = start();
            RealCluster started = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
        }
        return instance;
    }

    /** Stops this JVM's cluster, if one runs, and starts a new one with nothing in it (for benches, per size). */
    public static synchronized RealCluster fresh() {
        if (instance != null) {
            instance.stop();
            instance = null;
        }
        return get();
    }

    private static RealCluster start() {
        try {
            Path dir = Files.createTempDirectory("bf-k8s-test-");
            ProcessBuilder pb = new ProcessBuilder("bash", SCRIPTS.resolve("start-cluster.sh").toString());
            pb.environment().put("K8S_DIR", dir.toString());
            Path log = dir.resolveSibling(dir.getFileName() + ".start.log");
            pb.redirectError(log.toFile());
            long t0 = System.nanoTime();
            Process process = pb.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // The first run of a machine builds the binaries (minutes); later runs find them in the cache.
            boolean finished = process.waitFor(40, TimeUnit.MINUTES);
            if (!finished || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("the Kubernetes control plane did not start ("
                        + (finished ? "exit " + process.exitValue() : "timed out") + "); needs Go with the module "
                        + "proxy and openssl (test-infra/k8s/build.sh)\n" + output + "\n" + Files.readString(log));
            }
            Map<String, String> env = new HashMap<>();
            output.lines().filter(l -> l.startsWith("export ")).map(l -> l.substring("export ".length()))
                    .forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
            RealCluster cluster = new RealCluster(env, Duration.ofNanos(System.nanoTime() - t0));
            System.out.printf("[RealCluster] Kubernetes %s at %s, up in %.1f s (the cluster itself: %s s)%n",
                    env.get("K8S_VERSION"), env.get("K8S_API_URL"), cluster.startup.toMillis() / 1000.0,
                    env.get("K8S_START_SECONDS"));
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + SCRIPTS + "/start-cluster.sh", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    void stop() {
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", SCRIPTS.resolve("stop-cluster.sh").toString())
                    .redirectErrorStream(true);
            pb.environment().put("K8S_DIR", dir.toString());
            Process p = pb.start();
            p.getInputStream().readAllBytes();
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            System.err.println("[RealCluster] could not stop the cluster in " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String apiUrl() {
        return env.get("K8S_API_URL");
    }

    public Path adminKubeconfig() {
        return Path.of(env.get("KUBECONFIG"));
    }

    public Path dir() {
        return dir;
    }

    public String version() {
        return env.get("K8S_VERSION");
    }

    public String startSeconds() {
        return env.get("K8S_START_SECONDS");
    }

    public KubernetesClient adminClient() {
        return client(adminKubeconfig());
    }

    public static KubernetesClient client(Path kubeconfig) {
        try {
            return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a command printed and how it ended. */
    public record Result(int exit, String out, String err) {
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err);
            }
            return this;
        }
    }

    /** Runs the cluster's kubectl as the admin. */
    public Result kubectl(String... args) {
        return kubectlWith(adminKubeconfig(), null, args);
    }

    /** Runs kubectl with a kubeconfig, feeding {@code stdin} when given. */
    public Result kubectlWith(Path kubeconfig, String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(env.get("K8S_BIN") + "/kubectl", "--kubeconfig",
                kubeconfig.toString()));
        command.addAll(List.of(args));
        return run(command, stdin, Map.of());
    }

    /** `kubectl auth can-i VERB RESOURCE --as=SUBJECT [-n NS]` on the real authorizer: true for "yes". */
    public boolean canI(String subject, String verb, String resource, String namespace) {
        List<String> args = new ArrayList<>(List.of("auth", "can-i", verb, resource, "--as=" + subject));
        if (namespace != null) {
            args.addAll(List.of("-n", namespace));
        }
        Result r = kubectl(args.toArray(String[]::new));
        String answer = r.out().strip();
        if (!answer.equals("yes") && !answer.equals("no")) {
            throw new AssertionError("kubectl auth can-i " + String.join(" ", args) + ": " + r);
        }
        return answer.equals("yes");
    }

    /** A TokenRequest token of the ServiceAccount and a kubeconfig that uses it (nothing of the admin's). */
    public Path kubeconfigFor(String namespace, String serviceAccount) {
        String token = kubectl("create", "token", serviceAccount, "-n", namespace, "--duration", "2h").ok().out()
                .strip();
        String text = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster: {server: "%s", certificate-authority: "%s"}
                users:
                - name: %s
                  user: {token: "%s"}
                contexts:
                - name: test
                  context: {cluster: test, user: %s}
                current-context: test
                """.formatted(apiUrl(), env.get("K8S_CA_FILE"), serviceAccount, token, serviceAccount);
        try {
            Path file = Files.createTempFile(dir, serviceAccount + "-", ".kubeconfig");
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A kwok node (test-infra/k8s/add-node.sh) with the tenant's label and taint and the given capacity. */
    public void addNode(String name, String tenantLabel, String cpu, String memory) {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPTS.resolve("add-node.sh").toString(), name,
                "--cpu", cpu, "--memory", memory));
        if (tenantLabel != null) {
            command.addAll(List.of("--label", "buildfleet.dev/tenant=" + tenantLabel,
                    "--taint", "buildfleet.dev/tenant=" + tenantLabel + ":NoSchedule"));
        }
        run(command, null, Map.of("KUBECONFIG", adminKubeconfig().toString(), "K8S_BIN", env.get("K8S_BIN")))
                .ok();
    }

    /** Stops the API server and starts it again with the same flags and data (test-infra/k8s/restart-apiserver.sh). */
    public void restartApiServer(Duration down) {
        run(List.of("bash", SCRIPTS.resolve("restart-apiserver.sh").toString(), "--down-seconds",
                String.valueOf(down.toSeconds())), null, Map.of("K8S_DIR", dir.toString(),
                "K8S_BIN", env.get("K8S_BIN"))).ok();
    }

    /** The audit log's current length: writes after this mark are counted by {@link #writesSince}. */
    public long auditMark() {
        try {
            return Files.size(Path.of(env.get("K8S_AUDIT_LOG")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Each write request of {@code user} logged after the mark, read line by line (a large fleet's log is hundreds
     * of MiB, most of it other users' writes, which are not parsed).
     */
    public void forEachWriteSince(long mark, String user, java.util.function.Consumer<JsonNode> action) {
        String quotedUser = "\"" + user + "\"";
        Path log = Path.of(env.get("K8S_AUDIT_LOG"));
        try (var in = Files.newInputStream(log)) {
            if (Files.size(log) < mark) {
                throw new IllegalStateException(log + " is shorter than the mark: it was rotated (start-cluster.sh sets"
                        + " --audit-log-maxsize so that it is not)");
            }
            in.skipNBytes(mark);
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.contains(quotedUser)) {
                    continue;
                }
                JsonNode event = JSON.readTree(line);
                if ("ResponseComplete".equals(event.path("stage").asText())
                        && WRITE_VERBS.contains(event.path("verb").asText())
                        && user.equals(event.at("/user/username").asText())) {
                    action.accept(event);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The write requests (create, update, patch, delete) of {@code user} the API server logged after the mark. */
    public List<JsonNode> writesSince(long mark, String user, Predicate<JsonNode> filter) {
        List<JsonNode> writes = new ArrayList<>();
        forEachWriteSince(mark, user, event -> {
            if (filter.test(event)) {
                writes.add(event);
            }
        });
        return writes;
    }

    static Result run(List<String> command, String stdin, Map<String, String> extraEnv) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(extraEnv);
            Path err = Files.createTempFile("bf-cmd-", ".err");
            pb.redirectError(err.toFile());
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            String errText = Files.readString(err);
            Files.delete(err);
            return new Result(p.exitValue(), out, errText);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
