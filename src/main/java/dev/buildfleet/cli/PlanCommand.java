package dev.buildfleet.cli;

import dev.buildfleet.config.Fleet;
import dev.buildfleet.verify.Plan;
import dev.buildfleet.verify.PlanPrinter;
import dev.buildfleet.verify.Planner;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "plan", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = PlanCommand.ERROR,
        description = {"Show what applying the rendered fleet would change in a live cluster, without writing: "
                + "objects to create, objects to change (with each field the model sets that differs), and objects "
                + "labelled managed by buildfleet for a tenant that render no longer writes (to prune)."},
        exitCodeListHeading = "%nExit codes (as terraform plan -detailed-exitcode):%n",
        exitCodeList = {"0:no changes", "1:error (usage, files, invalid fleet, the Kubernetes API)",
                "2:changes"})
final class PlanCommand implements Callable<Integer> {
    static final int ERROR = 1;

    enum Format { text, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    LiveClusterOptions cluster;

    @Option(names = {"-o", "--output"}, paramLabel = "text|json", defaultValue = "text",
            description = "text (default) or json.")
    Format output;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        cluster.checkSource(spec.commandLine());
        KubernetesClient client = cluster.client(err);
        if (client == null) {
            return ERROR;
        }
        try (client) {
            Fleet fleet = cluster.fleet(err, client);
            if (fleet == null) {
                return ERROR;
            }
            List<String> tenants = FleetTenants.chosen(spec.commandLine(), fleet, cluster.tenant);
            Plan plan = new Planner(client, fleet).plan(tenants);
            if (output == Format.json) {
                PlanPrinter.json(plan, spec.commandLine().getOut());
            } else {
                PlanPrinter.text(plan, spec.commandLine().getOut());
            }
            return plan.exitCode();
        } catch (KubernetesClientException e) {
            err.println("buildfleet: " + ClusterConnection.describe(client, e));
            return ERROR;
        }
    }
}
