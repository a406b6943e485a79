package dev.buildfleet.cli;

import dev.buildfleet.config.Defaults;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.gitlab.GitLabConnections;
import dev.buildfleet.gitlab.HttpGitLabRunners;
import dev.buildfleet.storage.RgwAdminClient;
import dev.buildfleet.storage.S3Keys;
import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.verify.ReportJson;
import dev.buildfleet.verify.ReportTable;
import dev.buildfleet.verify.Verifier;
import dev.buildfleet.verify.VerifyExitCodes;
import dev.buildfleet.verify.VerifyReport;
import dev.buildfleet.verify.VerifySettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a live cluster against the fleet, reading only: drift from what render writes, pod "
                + "placement and node taints, NetworkPolicy reachability, RBAC on Secrets, pods and exec, Pod "
                + "Security; with RGW admin keys (" + StorageCommand.ACCESS_KEY_ENV + ", "
                + StorageCommand.SECRET_KEY_ENV + ") storage isolation, with " + RunnerCommand.TOKEN_ENV
                + " the GitLab runner. Each result comes with its evidence; each failure says what to do."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every check passed", "1:a check failed", "2:usage error",
                "3:the fleet or kubeconfig file could not be read (or the fleet is invalid)",
                "4:RGW failed (storage check)", "5:GitLab failed (gitlab check)",
                "7:the Kubernetes API could not be reached or refused a read"})
final class VerifyCommand implements Callable<Integer> {
    enum Format { table, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Mixin
    LiveClusterOptions cluster;

    @CommandLine.Mixin
    CaFileOption ca;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table",
            description = "table (default) or json.")
    Format output;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        cluster.checkSource(spec.commandLine());
        KubernetesClient client = cluster.client(err);
        if (client == null) {
            return VerifyExitCodes.FILES;
        }
        try (client) {
            Fleet fleet = cluster.fleet(err, client);
            if (fleet == null) {
                return VerifyExitCodes.FILES;
            }
            try {
                VerifySettings.of(fleet.config());
            } catch (InvalidInputException invalid) {
                Main.printProblems(err, invalid);
                return VerifyExitCodes.FILES;
            }
            List<String> tenants = FleetTenants.chosen(spec.commandLine(), fleet, cluster.tenant);
            Verifier verifier = new Verifier(client, fleet).withSkipHints(
                    "not checked: export " + StorageCommand.ACCESS_KEY_ENV + " and " + StorageCommand.SECRET_KEY_ENV
                            + " (the RGW admin user, as for buildfleet storage) to check bucket isolation",
                    "not checked: export " + RunnerCommand.TOKEN_ENV + " (a GitLab access token with read_api "
                            + "and manage_runner) to check the runner");
            String access = main.env.get(StorageCommand.ACCESS_KEY_ENV);
            String secret = main.env.get(StorageCommand.SECRET_KEY_ENV);
            if (present(access) != present(secret)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "set both "
                        + StorageCommand.ACCESS_KEY_ENV + " and " + StorageCommand.SECRET_KEY_ENV + ", or neither");
            }
            if (present(access)) {
                String region = fleet.config().ceph().region() == null ? Defaults.CEPH_REGION
                        : fleet.config().ceph().region();
                verifier.withStorage(new RgwAdminClient(URI.create(fleet.config().ceph().resolvedAdminEndpoint()),
                        region, new S3Keys(access, secret), Duration.ofSeconds(15), ca.trust()), Duration.ofSeconds(15));
            }
            String token = main.env.get(RunnerCommand.TOKEN_ENV);
            if (present(token)) {
                verifier.withGitLab(new HttpGitLabRunners(GitLabConnections.of(fleet.config().gitlab(), ca.trust()),
                        token));
            }
            VerifyReport report = verifier.verify(tenants);
            if (output == Format.json) {
                ReportJson.print(report, spec.commandLine().getOut());
            } else {
                ReportTable.print(report, spec.commandLine().getOut());
            }
            return report.exitCode();
        } catch (KubernetesClientException e) {
            err.println("buildfleet: " + ClusterConnection.describe(client, e));
            return VerifyExitCodes.KUBERNETES_FAULT;
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
