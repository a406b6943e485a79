package dev.buildfleet.cli;

import picocli.CommandLine.Option;

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
}
