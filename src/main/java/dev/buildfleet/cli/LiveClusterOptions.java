package dev.buildfleet.cli;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.config.UnreadableFileException;
import dev.buildfleet.validation.FleetValidator;
import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.validation.Problem;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * What the commands that read a live cluster (verify, plan) take: the fleet (a file, or the cluster's own BuildTenants
 * and the operator's FleetConfig), a tenant, the cluster.
 */
final class LiveClusterOptions {
    static final String OPERATOR_CONFIG_MAP = "buildfleet-system/buildfleet-fleet-config";
    static final String OPERATOR_CONFIG_KEY = "fleet-config.yaml";

    @Option(names = {"-f", "--file"}, paramLabel = "FLEET.yaml", description = "The fleet file (or --from-cluster).")
    Path file;

    @Option(names = "--from-cluster", paramLabel = "NAMESPACE/CONFIGMAP", arity = "0..1",
            fallbackValue = OPERATOR_CONFIG_MAP,
            description = "Instead of a fleet file, what the operator reads: every BuildTenant in the cluster and the "
                    + "FleetConfig in the operator's ConfigMap (key " + OPERATOR_CONFIG_KEY + "; default "
                    + OPERATOR_CONFIG_MAP + ").")
    String fromCluster;

    @Option(names = "--tenant-selector", paramLabel = "LABELS",
            description = "With --from-cluster: only the BuildTenants this label selector matches, as the operator's "
                    + "--tenant-selector (e.g. fleet=blue).")
    String tenantSelector;

    @Option(names = "--tenant", paramLabel = "NAME", description = "Only this tenant.")
    String tenant;

    @Option(names = "--kubeconfig", paramLabel = "PATH",
            description = "Default: KUBECONFIG, ~/.kube/config, or the pod's ServiceAccount in a cluster.")
    Path kubeconfig;

    /** A usage error unless exactly one source of the fleet is given. */
    void checkSource(CommandLine cmd) {
        if ((file == null) == (fromCluster == null)) {
            throw new CommandLine.ParameterException(cmd, "give the fleet as -f FLEET.yaml or read it with "
                    + "--from-cluster [NAMESPACE/CONFIGMAP], one of the two");
        }
        if (tenantSelector != null && fromCluster == null) {
            throw new CommandLine.ParameterException(cmd, "--tenant-selector chooses among the cluster's "
                    + "BuildTenants: use it with --from-cluster");
        }
        if (fromCluster != null && !fromCluster.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            throw new CommandLine.ParameterException(cmd, "--from-cluster '" + fromCluster + "' is not "
                    + "NAMESPACE/CONFIGMAP, e.g. " + OPERATOR_CONFIG_MAP);
        }
    }

    /**
     * The valid fleet, or null after its problems (or why the file or ConfigMap cannot be read) were printed to
     * {@code err}. From the cluster it reads, never writes; a read the API server refuses is thrown.
     */
    Fleet fleet(PrintWriter err, KubernetesClient client) {
        try {
            return fromCluster == null ? FleetValidator.loadValid(file) : fromCluster(err, client);
        } catch (InvalidInputException invalid) {
            Main.printProblems(err, invalid);
            return null;
        } catch (UnreadableFileException unreadable) {
            err.println("buildfleet: " + unreadable.getMessage());
            return null;
        }
    }

    private Fleet fromCluster(PrintWriter err, KubernetesClient client) {
        String namespace = fromCluster.substring(0, fromCluster.indexOf('/'));
        String name = fromCluster.substring(fromCluster.indexOf('/') + 1);
        ConfigMap map = client.configMaps().inNamespace(namespace).withName(name).get();
        String text = map == null || map.getData() == null ? null : map.getData().get(OPERATOR_CONFIG_KEY);
        if (text == null) {
            err.println("buildfleet: " + (map == null ? "no ConfigMap " + fromCluster
                    : "ConfigMap " + fromCluster + " has no key " + OPERATOR_CONFIG_KEY) + "; name the operator's "
                    + "with --from-cluster NAMESPACE/CONFIGMAP (its --config file's ConfigMap)");
            return null;
        }
        FleetConfig config;
        try {
            config = FleetLoader.parseConfig(text);
        } catch (InvalidInputException invalid) {
            throw new InvalidInputException(invalid.problems().stream()
                    .map(p -> new Problem("ConfigMap " + fromCluster + " " + OPERATOR_CONFIG_KEY
                            + (p.path().isEmpty() ? "" : ": config." + p.path()), p.message(), p.line())).toList());
        }
        var all = client.resources(BuildTenant.class);
        List<BuildTenant> tenants = (tenantSelector == null || tenantSelector.isBlank() ? all.list()
                : all.withLabelSelector(tenantSelector).list()).getItems().stream()
                .sorted(Comparator.comparing(t -> t.getMetadata().getName()))
                .map(LiveClusterOptions::asWritten).toList();
        Fleet fleet = new Fleet(BuildTenant.API_VERSION, Fleet.KIND, config, tenants);
        List<Problem> problems = FleetValidator.validate(fleet).stream().map(p -> named(p, tenants)).toList();
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return fleet;
    }

    /** The BuildTenant as its author wrote it: name, labels and spec, not the server's fields or status. */
    private static BuildTenant asWritten(BuildTenant live) {
        BuildTenant t = new BuildTenant();
        t.getMetadata().setName(live.getMetadata().getName());
        t.getMetadata().setLabels(live.getMetadata().getLabels());
        t.setSpec(live.getSpec());
        return t;
    }

    /** tenants[3].spec... says nothing about a cluster: name the BuildTenant instead. */
    private static Problem named(Problem problem, List<BuildTenant> tenants) {
        var m = java.util.regex.Pattern.compile("^tenants\\[(\\d+)]\\.?(.*)").matcher(problem.path());
        if (!m.matches()) {
            return problem;
        }
        String tenant = tenants.get(Integer.parseInt(m.group(1))).getMetadata().getName();
        return new Problem("BuildTenant " + tenant + (m.group(2).isEmpty() ? "" : " " + m.group(2)),
                problem.message().replaceAll("tenants\\[(\\d+)] \\(([^)]*)\\)", "BuildTenant $2"), problem.line());
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
