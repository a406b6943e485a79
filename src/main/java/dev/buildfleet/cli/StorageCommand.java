package dev.buildfleet.cli;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.DeletionPolicy;
import dev.buildfleet.config.Defaults;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.InputFiles;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.storage.RgwTenantStorage;
import dev.buildfleet.storage.S3Keys;
import dev.buildfleet.storage.StoragePlan;
import dev.buildfleet.storage.TenantStorage;
import dev.buildfleet.validation.FleetValidator;
import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.validation.Problem;
import dev.buildfleet.tls.TrustBundle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

@Command(name = "storage", mixinStandardHelpOptions = true,
        description = {"Provision, check and delete each tenant's cache storage on Ceph RGW: a tenant user whose keys "
                + "may only use the objects of its bucket, an owner user (keys kept by buildfleet) that owns the "
                + "bucket and carries the quota, the bucket policy and lifecycle rules.",
                "The RGW admin keys come from the environment: " + StorageCommand.ACCESS_KEY_ENV + " and "
                        + StorageCommand.SECRET_KEY_ENV + " (never from arguments). Admin Ops go to "
                        + "config.ceph.adminEndpoint (default: config.ceph.endpoint)."},
        subcommands = {StorageCommand.Ensure.class, StorageCommand.Check.class, StorageCommand.Delete.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:invalid input, or drift found by check", "2:usage error",
                "3:could not read or write files", "4:RGW failed (the reason is printed: RGWUnreachable, "
                + "AccessDenied, BucketQuotaExceeded, InvalidConfiguration, RGWError)"})
final class StorageCommand extends CommandGroup {
    static final String ACCESS_KEY_ENV = "BUILDFLEET_RGW_ACCESS_KEY";
    static final String SECRET_KEY_ENV = "BUILDFLEET_RGW_SECRET_KEY";

    /** Options every storage command shares. */
    static class FleetOptions {
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FLEET.yaml", description = "The fleet file.")
        Path file;
        @CommandLine.Mixin
        CaFileOption ca = new CaFileOption();
    }

    /** A validated fleet's tenants (one, with --tenant), each with its storage plan. */
    private List<StoragePlan> plans(Fleet fleet, String tenant) {
        List<BuildTenant> tenants = fleet.tenants();
        if (tenant != null) {
            tenants = tenants.stream().filter(t -> t.getMetadata().getName().equals(tenant)).toList();
            if (tenants.isEmpty()) {
                throw new InvalidInputException(List.of(new Problem("--tenant", "'" + tenant + "' is not a tenant "
                        + "of the fleet (it has: " + fleet.tenants().stream().map(t -> t.getMetadata().getName())
                        .collect(Collectors.joining(", ")) + ")")));
            }
        }
        return tenants.stream().map(t -> StoragePlan.of(TenantResolver.resolve(fleet.config(), t))).toList();
    }

    private TenantStorage storage(CommandLine cmd, Fleet fleet, FleetOptions options) {
        S3Keys admin = new S3Keys(env(cmd, ACCESS_KEY_ENV), env(cmd, SECRET_KEY_ENV));
        String region = fleet.config().ceph().region() == null ? Defaults.CEPH_REGION : fleet.config().ceph().region();
        URI adminEndpoint = URI.create(fleet.config().ceph().resolvedAdminEndpoint());
        if ("http".equals(adminEndpoint.getScheme())) {
            String field = fleet.config().ceph().adminEndpoint() != null ? "config.ceph.adminEndpoint"
                    : "config.ceph.endpoint (config.ceph.adminEndpoint is not set)";
            cmd.getErr().println("buildfleet: warning: " + field + " " + adminEndpoint + " is plain http: Admin Ops "
                    + "answers carry the tenant and owner users' secret keys unencrypted; use https");
            cmd.getErr().flush();
        }
        return main.storageFactory.connect(adminEndpoint, region, admin, options.ca.trust());
    }

    private String env(CommandLine cmd, String name) {
        String value = main.env.get(name);
        if (value == null || value.isBlank()) {
            throw new CommandLine.ParameterException(cmd, name + " is not set: export the RGW admin user's "
                    + (name.equals(ACCESS_KEY_ENV) ? "access key" : "secret key") + " in " + name
                    + " (the admin user needs caps users, buckets, usage, metadata read,write)");
        }
        return value;
    }

    private static String skipNote(StoragePlan plan) {
        return plan.tenant() + ": skipped: spec.cache.existingCredentialsSecret is set (bring-your-own "
                + "credentials; buildfleet creates nothing, the operator probes access with them)";
    }

    @Command(name = "ensure", mixinStandardHelpOptions = true,
            description = {"Create what is missing and correct what differs, for every tenant (or one); safe to run "
                    + "again. Writes DIR/<tenant>.env (mode 0600) with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
                    "The tenant user keeps one key: the one already in DIR/<tenant>.env when RGW still has it, else "
                            + "its first; any other key is revoked. A bucket the tenant user still owns is handed to "
                            + "the owner user with all its objects.",
                    "Prints what it created, updated or found; never prints a secret."})
    static final class Ensure extends GroupCommand<StorageCommand> {
        @CommandLine.Mixin
        FleetOptions options = new FleetOptions();
        @Option(names = "--tenant", paramLabel = "NAME", description = "Only this tenant.")
        String tenant;
        @Option(names = "--credentials-out", required = true, paramLabel = "DIR",
                description = "Directory for the tenants' credential files (created with mode 0700).")
        Path credentialsOut;

        @Override
        public Integer call() throws IOException {
            Fleet fleet = FleetValidator.loadValid(options.file);
            List<StoragePlan> plans = parent.plans(fleet, tenant);
            PrintWriter out = spec.commandLine().getOut();
            if (plans.stream().noneMatch(StoragePlan::provisioned)) {
                plans.forEach(p -> out.println(skipNote(p)));
                return 0;
            }
            TenantStorage storage = parent.storage(spec.commandLine(), fleet, options);
            for (StoragePlan plan : plans) {
                if (!plan.provisioned()) {
                    out.println(skipNote(plan));
                    continue;
                }
                TenantStorage.EnsureResult result = storage.ensureSoleKey(plan,
                        distributedKeyId(credentialsOut, plan.tenant()));
                out.println(plan.tenant() + ": " + (result.changed() ? "changed" : "no change"));
                for (TenantStorage.Change change : result.changes()) {
                    String verb = switch (change.action()) {
                        case CREATED -> "created";
                        case UPDATED -> "updated";
                        case UNCHANGED -> "found  ";
                    };
                    out.println("  " + verb + " " + change.item()
                            + (change.detail().isEmpty() ? "" : " (" + change.detail() + ")"));
                }
                Path file = writeCredentials(credentialsOut, plan.tenant(), result.keys());
                out.println("  wrote   " + file + " (mode 0600)");
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Compare RGW with the fleet without changing anything; exit 1 and list each drift item "
                    + "when something differs.")
    static final class Check extends GroupCommand<StorageCommand> {
        @CommandLine.Mixin
        FleetOptions options = new FleetOptions();
        @Option(names = "--tenant", paramLabel = "NAME", description = "Only this tenant.")
        String tenant;

        @Override
        public Integer call() {
            Fleet fleet = FleetValidator.loadValid(options.file);
            List<StoragePlan> plans = parent.plans(fleet, tenant);
            PrintWriter out = spec.commandLine().getOut();
            TenantStorage storage = plans.stream().anyMatch(StoragePlan::provisioned)
                    ? parent.storage(spec.commandLine(), fleet, options) : null;
            int drifted = 0;
            for (StoragePlan plan : plans) {
                if (!plan.provisioned()) {
                    out.println(skipNote(plan));
                    continue;
                }
                List<TenantStorage.Drift> drift = storage.check(plan);
                if (drift.isEmpty()) {
                    out.println(plan.tenant() + ": in sync");
                } else {
                    drifted++;
                    out.println(plan.tenant() + ": " + drift.size() + (drift.size() == 1 ? " drift item" : " drift items"));
                    drift.forEach(d -> out.println("  " + d));
                }
            }
            if (drifted > 0) {
                out.println("run `buildfleet storage ensure` to correct the drift");
            }
            out.flush();
            return drifted > 0 ? Main.INVALID_INPUT : 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Remove one tenant's storage as its storageDeletionPolicy says: Retain keeps users, keys, "
                    + "bucket and data; Delete empties and removes the bucket, then the owner and tenant users.",
                    "Reports only what RGW confirms: what it kept or removed, and what RGW does not have.",
                    "Refuses without --confirm."})
    static final class Delete extends GroupCommand<StorageCommand> {
        @CommandLine.Mixin
        FleetOptions options = new FleetOptions();
        @Option(names = "--tenant", required = true, paramLabel = "NAME", description = "The tenant.")
        String tenant;
        @Option(names = "--confirm", description = "Really do it.")
        boolean confirm;

        @Override
        public Integer call() {
            Fleet fleet = FleetValidator.loadValid(options.file);
            StoragePlan plan = parent.plans(fleet, tenant).getFirst();
            if (!confirm) {
                throw new CommandLine.ParameterException(spec.commandLine(), "refusing to delete the storage of "
                        + "tenant " + tenant + " without --confirm (its storageDeletionPolicy is "
                        + plan.deletionPolicy() + ")");
            }
            PrintWriter out = spec.commandLine().getOut();
            if (!plan.provisioned()) {
                out.println(tenant + ": nothing to delete: its credentials are its own "
                        + "(spec.cache.existingCredentialsSecret); buildfleet never removes that storage");
                return 0;
            }
            TenantStorage.DeleteResult result = parent.storage(spec.commandLine(), fleet, options).delete(plan);
            out.println(tenant + ": storageDeletionPolicy " + plan.deletionPolicy());
            result.removed().forEach(r -> out.println("  removed " + r));
            result.kept().forEach(k -> out.println("  kept    " + k));
            result.absent().forEach(a -> out.println("  absent  " + a + " (RGW has none)"));
            if (result.removed().isEmpty() && result.kept().isEmpty()) {
                out.println("  nothing left to " + (plan.deletionPolicy() == DeletionPolicy.Delete ? "remove"
                        : "keep"));
            }
            out.flush();
            return 0;
        }
    }

    /** The access key id in DIR/<tenant>.env from an earlier ensure (the key its consumers were given), or null. */
    static String distributedKeyId(Path dir, String tenant) throws IOException {
        Path file = dir.resolve(tenant + ".env");
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        String prefix = Names.ACCESS_KEY_ID + "=";
        return InputFiles.readText(file, InputFiles.MAX_SECRET_BYTES).lines().filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length()).strip()).findFirst().orElse(null);
    }

    /** Writes KEY=value lines readable by `env`, docker --env-file and kubectl create secret --from-env-file. */
    static Path writeCredentials(Path dir, String tenant, S3Keys keys) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path target = dir.resolve(tenant + ".env");
        PrivateFile.write(target, Names.ACCESS_KEY_ID + "=" + keys.accessKeyId() + "\n"
                + Names.SECRET_ACCESS_KEY + "=" + keys.secretAccessKey() + "\n");
        return target;
    }

    /** How the CLI reaches its storage backend: the seam where another backend or a test double plugs in. */
    @FunctionalInterface
    interface StorageFactory {
        TenantStorage connect(URI adminEndpoint, String region, S3Keys adminKeys, TrustBundle trust);
    }

    static final StorageFactory RGW = RgwTenantStorage::connect;

}
