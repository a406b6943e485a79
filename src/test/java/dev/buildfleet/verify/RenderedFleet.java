package dev.buildfleet.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.buildfleet.cli.Cli;
import dev.buildfleet.k8s.RealCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fleet on the real control plane the way a GitOps platform puts it there, no operator involved: {@code buildfleet
 * render}, the fleet-wide ClusterRoles, then {@code kubectl apply -k} of each tenant's directory; and the verify/plan
 * CLI run in-process against it as the read-only identity of deploy/verify.
 */
final class RenderedFleet {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String READER_NAMESPACE = "buildfleet-system";
    static final String READER = "buildfleet-verify";
    static final String READER_USER = "system:serviceaccount:" + READER_NAMESPACE + ":" + READER;

    final RealCluster cluster;
    final Path dir;
    final Path fleet;
    final Path rendered;
    final Path readerKubeconfig;
    final List<Duration> runs = new ArrayList<>();

    private RenderedFleet(RealCluster cluster, Path dir, Path fleet, Path rendered, Path readerKubeconfig) {
        this.cluster = cluster;
        this.dir = dir;
        this.fleet = fleet;
        this.rendered = rendered;
        this.readerKubeconfig = readerKubeconfig;
    }

    /** Writes the fleet, renders it, applies each tenant and installs deploy/verify's read-only identity. */
    static RenderedFleet apply(RealCluster cluster, String name, String fleetYaml, List<String> tenants) {
        try {
            Files.createDirectories(Path.of("target/real-cluster"));
            Path dir = Files.createTempDirectory(Path.of("target/real-cluster"), name + "-");
            Path fleet = Files.writeString(dir.resolve("fleet.yaml"), fleetYaml);
            Path rendered = dir.resolve("rendered");
            Cli render = Cli.run("render", "-f", fleet.toString(), "-o", rendered.toString());
            assertThat(render.exitCode()).as(render.err()).isZero();
            try (var files = Files.list(rendered)) {
                for (Path file : files.filter(f -> f.getFileName().toString().startsWith("clusterrole-")).toList()) {
                    cluster.kubectl("apply", "-f", file.toString()).ok();
                }
            }
            for (String tenant : tenants) {
                cluster.kubectl("apply", "-k", rendered.resolve(tenant).toString()).ok();
            }
            cluster.kubectlWith(cluster.adminKubeconfig(), "apiVersion: v1\nkind: Namespace\nmetadata: {name: "
                    + READER_NAMESPACE + "}\n", "apply", "-f", "-").ok();
            cluster.kubectl("apply", "-k", "deploy/verify").ok();
            return new RenderedFleet(cluster, dir, fleet, rendered, cluster.kubeconfigFor(READER_NAMESPACE, READER));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Until every pod of the namespaces is placed and Running (kwok plays the kubelet). */
    static void awaitRunning(KubernetesClient admin, List<String> namespaces, int atLeast) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            List<Pod> pods = namespaces.stream().flatMap(ns -> admin.pods().inNamespace(ns).list().getItems().stream())
                    .toList();
            assertThat(pods).hasSizeGreaterThanOrEqualTo(atLeast);
            assertThat(pods).allSatisfy(p -> assertThat(p.getStatus().getPhase()).as(p.getMetadata().getName())
                    .isEqualTo("Running"));
        });
    }

    /** What one CLI run printed and how it ended, with its JSON output parsed when there is one. */
    record Run(int exit, String out, String err, JsonNode json, Duration took) {
        List<JsonNode> results(String outcome) {
            List<JsonNode> out = new ArrayList<>();
            json.path("results").forEach(r -> {
                if (r.path("outcome").asText().equals(outcome)) {
                    out.add(r);
                }
            });
            return out;
        }

        List<JsonNode> failures() {
            return results("FAIL");
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n" + out + "\n" + err;
        }
    }

    /** {@code buildfleet <command> -f FLEET --kubeconfig READER ARGS} with {@code env}. */
    Run run(Map<String, String> env, String command, Path fleetFile, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "-f", fleetFile.toString(), "--kubeconfig",
                readerKubeconfig.toString()));
        all.addAll(List.of(args));
        long t0 = System.nanoTime();
        Cli cli = Cli.runWithEnv(env, all.toArray(String[]::new));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        runs.add(took);
        JsonNode json = null;
        if (all.contains("json") && !cli.out().isBlank()) {
            try {
                json = JSON.readTree(cli.out());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + cli.out(), e);
            }
        }
        return new Run(cli.exitCode(), cli.out(), cli.err(), json, took);
    }

    /** min / median / max of the runs so far, in milliseconds. */
    String timings() {
        List<Long> ms = runs.stream().map(Duration::toMillis).sorted().toList();
        return ms.isEmpty() ? "no runs" : ms.size() + " runs, min " + ms.getFirst() + " ms, median "
                + ms.get(ms.size() / 2) + " ms, max " + ms.getLast() + " ms";
    }
}
