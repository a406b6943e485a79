package dev.buildfleet.cli;

import dev.buildfleet.config.InputFiles;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.gitlab.AccessScope;
import dev.buildfleet.gitlab.GitLabConnections;
import dev.buildfleet.gitlab.GitLabFault;
import dev.buildfleet.gitlab.GitLabRunners;
import dev.buildfleet.gitlab.HttpGitLabRunners;
import dev.buildfleet.gitlab.RunnerDrift;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.operator.RunnerStep;
import dev.buildfleet.validation.FleetValidator;
import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.validation.Problem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

@Command(name = "runner", mixinStandardHelpOptions = true,
        description = {"Create, verify, rotate and delete a tenant's runner in GitLab (runner authentication tokens).",
                "The GitLab access token comes from the environment: " + RunnerCommand.TOKEN_ENV + " (scopes "
                        + AccessScope.NEEDED + "; never an argument). The runner token is printed nowhere: "
                        + "--token-out FILE writes it with mode 0600."},
        subcommands = {RunnerCommand.Create.class, RunnerCommand.Verify.class, RunnerCommand.Rotate.class,
                RunnerCommand.Delete.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:invalid input", "2:usage error", "3:could not read or write files",
                "5:GitLab failed (the reason is printed: GitLabUnreachable, GitLabAccessDenied, "
                        + "LegacyRegistrationRemoved, RunnerOrphaned, GitLabError)"})
final class RunnerCommand extends CommandGroup {
    static final String TOKEN_ENV = "GITLAB_TOKEN";

    /** Options every runner command shares. */
    static class TenantOptions {
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FLEET.yaml", description = "The fleet file.")
        Path file;
        @Option(names = "--tenant", required = true, paramLabel = "NAME", description = "The tenant.")
        String tenant;
        @CommandLine.Mixin
        CaFileOption ca = new CaFileOption();
    }

    /** The tenant, resolved, with its runner settings; refuses given-token tenants. */
    record Target(BuildTenant tenant, ResolvedTenant resolved, GitLabRunners.RunnerSettings settings,
                  GitLabRunners gitlab) {
        /** The tenant's runner, whether this CLI or the operator created it. */
        Optional<Long> findRunner() {
            return RunnerStep.findRunner(gitlab, tenant, settings);
        }
    }

    Target target(CommandLine cmd, TenantOptions options) {
        Fleet fleet = FleetValidator.loadValid(options.file);
        BuildTenant tenant = fleet.tenants().stream().filter(t -> t.getMetadata().getName().equals(options.tenant))
                .findFirst().orElseThrow(() -> new InvalidInputException(List.of(new Problem("--tenant", "'"
                        + options.tenant + "' is not a tenant of the fleet (it has: " + fleet.tenants().stream()
                        .map(t -> t.getMetadata().getName()).collect(Collectors.joining(", ")) + ")"))));
        ResolvedTenant resolved = TenantResolver.resolve(fleet.config(), tenant);
        if (resolved.runnerCreate() == null) {
            throw new InvalidInputException(List.of(new Problem("spec.gitlab.runner", "tenant " + options.tenant
                    + " brings its own token (tokenSecretRef); buildfleet creates and deletes no runner for it")));
        }
        String token = main.env.get(TOKEN_ENV);
        if (token == null || token.isBlank()) {
            throw new CommandLine.ParameterException(cmd, TOKEN_ENV + " is not set: export a GitLab access token "
                    + "with the scopes " + AccessScope.NEEDED + " in " + TOKEN_ENV);
        }
        return new Target(tenant, resolved, RunnerStep.settingsOf(tenant, resolved),
                new HttpGitLabRunners(GitLabConnections.of(fleet.config().gitlab(), options.ca.trust()), token));
    }

    static void print(PrintWriter out, String tenant, String verb, GitLabRunners.RunnerToken runner) {
        out.println(tenant + ": runner " + runner.id() + " " + verb + "; token expires "
                + (runner.expiresAt() == null ? "never" : "at " + runner.expiresAt()));
    }

    /** Writes the token alone into FILE with mode 0600. */
    static void writeToken(Path file, String token) throws IOException {
        PrivateFile.write(file, token + "\n");
    }

    /**
     * Refuses a --token-out FILE that could not be written before anything is done in GitLab: a token that cannot be
     * saved is lost (create) or lost with the old one revoked (rotate).
     */
    static void checkTokenOut(CommandLine cmd, Path file) {
        String why = file == null ? null : PrivateFile.whyNotWritable(file);
        if (why != null) {
            throw new CommandLine.ParameterException(cmd, "--token-out " + file + ": " + why + "; nothing was done "
                    + "in GitLab");
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the tenant's runner (POST /api/v4/user/runners) and print its id and token expiry; "
                    + "when the tenant has one already (made by this command or the operator), set its tags and "
                    + "flags as in the fleet file (PUT /api/v4/runners/:id) and say what changed.")
    static final class Create extends GroupCommand<RunnerCommand> {
        @CommandLine.Mixin
        TenantOptions options = new TenantOptions();
        @Option(names = "--token-out", paramLabel = "FILE",
                description = "Write the new runner token here (mode 0600; an existing file is replaced atomically).")
        Path tokenOut;

        @Override
        public Integer call() throws IOException {
            Target t = parent.target(spec.commandLine(), options);
            checkTokenOut(spec.commandLine(), tokenOut);
            PrintWriter out = spec.commandLine().getOut();
            Optional<Long> existing = t.findRunner();
            if (existing.isPresent()) {
                converge(out, t, existing.get());
                out.flush();
                return 0;
            }
            GitLabRunners.RunnerToken created = t.gitlab().create(t.settings());
            print(out, options.tenant, "created", created);
            if (tokenOut != null) {
                writeToken(tokenOut, created.token());
                out.println("  wrote the runner token to " + tokenOut + " (mode 0600)");
            } else {
                out.println("  the token was not saved (no --token-out); `buildfleet runner rotate --token-out FILE`"
                        + " issues a new one");
            }
            out.flush();
            return 0;
        }

        /** Sets an existing runner's tags and flags as in the spec; writes only when something differs. */
        private void converge(PrintWriter out, Target t, long id) {
            out.println(options.tenant + ": runner " + id + " exists already; nothing created. `buildfleet runner "
                    + "rotate --token-out FILE` gives it a new token");
            GitLabRunners.RunnerSettings actual = t.gitlab().get(id).orElseThrow(() -> new GitLabFault(
                    GitLabFault.Reason.GitLabError, "runner " + id + " was listed but is gone; run the command again"));
            List<String> drift = RunnerDrift.of(actual, t.settings());
            if (drift.isEmpty()) {
                out.println("  tags and flags are as in the fleet file; nothing changed");
                return;
            }
            t.gitlab().update(id, t.settings());
            out.println("  updated as in the fleet file: " + String.join(", ", drift));
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check that the tenant's runner exists with the spec's tags and flags; with --token-file, "
                    + "also that the token in FILE is valid (POST /api/v4/runners/verify).")
    static final class Verify extends GroupCommand<RunnerCommand> {
        @CommandLine.Mixin
        TenantOptions options = new TenantOptions();
        @Option(names = "--token-file", paramLabel = "FILE", description = "A file holding the runner token.")
        Path tokenFile;

        @Override
        public Integer call() throws IOException {
            Target t = parent.target(spec.commandLine(), options);
            PrintWriter out = spec.commandLine().getOut();
            if (tokenFile != null) {
                GitLabRunners.RunnerToken verified = t.gitlab().verify(
                        InputFiles.readText(tokenFile, InputFiles.MAX_SECRET_BYTES).trim());
                print(out, options.tenant, "verified", verified);
                out.flush();
                return 0;
            }
            Optional<Long> id = t.findRunner();
            if (id.isEmpty()) {
                out.println(options.tenant + ": no runner '" + t.settings().description() + "' in GitLab");
                out.flush();
                return Main.INVALID_INPUT;
            }
            GitLabRunners.RunnerSettings actual = t.gitlab().get(id.get()).orElseThrow();
            List<String> drift = RunnerDrift.of(actual, t.settings());
            out.println(options.tenant + ": runner " + id.get() + " exists; tags " + actual.tags()
                    + (drift.isEmpty() ? ", as in the spec" : "; differs from the spec: " + String.join(", ", drift)
                    + " (`buildfleet runner create` or the operator corrects it)"));
            out.flush();
            return drift.isEmpty() ? 0 : Main.INVALID_INPUT;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Reset the runner's token (the old one stops working at once) and write the new one.")
    static final class Rotate extends GroupCommand<RunnerCommand> {
        @CommandLine.Mixin
        TenantOptions options = new TenantOptions();
        @Option(names = "--token-out", required = true, paramLabel = "FILE",
                description = "Write the new runner token here (mode 0600; an existing file is replaced atomically).")
        Path tokenOut;

        @Override
        public Integer call() throws IOException {
            Target t = parent.target(spec.commandLine(), options);
            checkTokenOut(spec.commandLine(), tokenOut);
            PrintWriter out = spec.commandLine().getOut();
            Long id = t.findRunner().orElse(null);
            if (id == null) {
                out.println(options.tenant + ": no runner '" + t.settings().description() + "' in GitLab; "
                        + "`buildfleet runner create` creates it");
                out.flush();
                return Main.INVALID_INPUT;
            }
            GitLabRunners.RunnerToken reset = t.gitlab().resetToken(id);
            writeToken(tokenOut, reset.token());
            print(out, options.tenant, "has a new token", reset);
            out.println("  wrote the runner token to " + tokenOut + " (mode 0600)");
            out.flush();
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete the tenant's runner in GitLab. Refuses without --confirm.")
    static final class Delete extends GroupCommand<RunnerCommand> {
        @CommandLine.Mixin
        TenantOptions options = new TenantOptions();
        @Option(names = "--confirm", description = "Really do it.")
        boolean confirm;

        @Override
        public Integer call() {
            if (!confirm) {
                throw new CommandLine.ParameterException(spec.commandLine(), "refusing to delete the runner of "
                        + "tenant " + options.tenant + " without --confirm");
            }
            Target t = parent.target(spec.commandLine(), options);
            PrintWriter out = spec.commandLine().getOut();
            Optional<Long> id = t.findRunner();
            if (id.isEmpty()) {
                out.println(options.tenant + ": no runner '" + t.settings().description() + "' in GitLab; nothing "
                        + "to delete");
            } else {
                t.gitlab().delete(id.get());
                out.println(options.tenant + ": runner " + id.get() + " deleted");
            }
            out.flush();
            return 0;
        }
    }
}
