package dev.buildfleet.cli;

import dev.buildfleet.cache.CacheRegistryFault;
import dev.buildfleet.gitlab.GitLabFault;
import dev.buildfleet.storage.StorageFault;
import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.validation.Problem;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Map;

@Command(name = "buildfleet",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Tenant-isolated GitLab Runner + Kaniko build fleets on Kubernetes.",
        subcommands = {ValidateCommand.class, RenderCommand.class, CrdCommand.class, OperatorCommand.class,
                StorageCommand.class, RunnerCommand.class, CacheCommand.class, VerifyCommand.class, PlanCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:invalid input (each problem is printed with its field path and line)",
                "2:usage error", "3:could not read or write files (missing, not a regular file, too large)",
                "4:RGW failed (storage commands; the reason is printed)",
                "5:GitLab failed (runner commands; the reason is printed)",
                "6:the cache registry failed (cache commands; the request and HTTP status are printed)"})
public final class Main implements Runnable {
    public static final int INVALID_INPUT = 1;
    public static final int IO_ERROR = 3;
    public static final int STORAGE_FAULT = 4;
    public static final int GITLAB_FAULT = 5;
    public static final int CACHE_REGISTRY_FAULT = 6;

    /** The environment the storage, runner and cache commands read their credentials from. */
    final Map<String, String> env;
    final StorageCommand.StorageFactory storageFactory;

    Main(Map<String, String> env, StorageCommand.StorageFactory storageFactory) {
        this.env = env;
        this.storageFactory = storageFactory;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; the tests call this. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, System.getenv());
    }

    /** Runs the CLI with the given streams and environment (the storage tests pass the RGW admin keys this way). */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        CommandLine cli = new CommandLine(new Main(env, StorageCommand.RGW));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof InvalidInputException invalid) {
                printProblems(cmd.getErr(), invalid);
                return INVALID_INPUT;
            }
            if (ex instanceof StorageFault fault) {
                cmd.getErr().println("buildfleet: " + fault.reason() + ": " + fault.getMessage());
                return STORAGE_FAULT;
            }
            if (ex instanceof GitLabFault fault) {
                cmd.getErr().println("buildfleet: " + fault.reason() + ": " + fault.getMessage()
                        + (fault.reason() == GitLabFault.Reason.GitLabUnreachable
                        ? "; not retried: run the command again once GitLab answers" : ""));
                return GITLAB_FAULT;
            }
            if (ex instanceof CacheRegistryFault fault) {
                cmd.getErr().println("buildfleet: CacheRegistryFault: " + fault.getMessage());
                return CACHE_REGISTRY_FAULT;
            }
            if (ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
                cmd.getErr().println("buildfleet: " + ex.getMessage());
                return IO_ERROR;
            }
            throw ex;
        });
        return cli.execute(args);
    }

    static void printProblems(PrintWriter err, InvalidInputException invalid) {
        int n = invalid.problems().size();
        err.println(n == 1 ? "1 problem:" : n + " problems:");
        for (Problem problem : invalid.problems()) {
            err.println("  " + problem);
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a command: validate, render, crd, operator, storage, runner or cache");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[]{"buildfleet " + (version == null ? "dev" : version)};
        }
    }
}
