package dev.buildfleet.cli;

import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.UnreadableFileException;
import dev.buildfleet.validation.FleetValidator;
import dev.buildfleet.validation.InvalidInputException;
import io.fabric8.kubernetes.client.KubernetesClient;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/** What the commands that read a live cluster (verify, plan) take: the fleet, a tenant, the cluster. */
final class LiveClusterOptions {
    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FLEET.yaml", description = "The fleet file.")
    Path file;

    @Option(names = "--tenant", paramLabel = "NAME", description = "Only this tenant.")
    String tenant;

    @Option(names = "--kubeconfig", paramLabel = "PATH",
            description = "Default: KUBECONFIG, ~/.kube/config, or the pod's ServiceAccount in a cluster.")
    Path kubeconfig;

    /** The valid fleet, or null after its problems (or why the file cannot be read) were printed to {@code err}. */
    Fleet fleet(PrintWriter err) {
        try {
            return FleetValidator.loadValid(file);
        } catch (InvalidInputException invalid) {
            Main.printProblems(err, invalid);
            return null;
        } catch (UnreadableFileException unreadable) {
            err.println("buildfleet: " + unreadable.getMessage());
            return null;
        }
    }

    /** A client for the cluster, or null after saying on {@code err} why the kubeconfig could not be read. */
    KubernetesClient client(PrintWriter err) {
        try {
            return ClusterConnection.open(kubeconfig);
        } catch (UnreadableFileException e) {
            err.println("buildfleet: cannot read the kubeconfig " + e.getMessage());
            return null;
        }
    }
}
