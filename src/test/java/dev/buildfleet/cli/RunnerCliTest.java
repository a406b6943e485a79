package dev.buildfleet.cli;

import dev.buildfleet.gitlab.FakeGitLab;
import dev.buildfleet.gitlab.GitLabRunners;
import dev.buildfleet.gitlab.HttpGitLabRunners;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** `buildfleet runner create | verify | rotate | delete` in-process against {@link FakeGitLab}. */
class RunnerCliTest {
    static final String PAT = "glpat-cli-access-token";
    static final Map<String, String> ENV = Map.of(RunnerCommand.TOKEN_ENV, PAT);
    final FakeGitLab gitlab = FakeGitLab.started().accessToken(PAT, "create_runner", "manage_runner", "read_api");

    @TempDir
    Path tmp;

    @AfterEach
    void close() {
        gitlab.close();
    }

    Path fleet() throws IOException {
        return Files.writeString(tmp.resolve("fleet.yaml"), """
                apiVersion: buildfleet.dev/v1alpha1
                kind: Fleet
                config:
                  gitlab: {url: '%s', allowInsecureHttp: true, cidrs: [127.0.0.1/32], timeoutSeconds: 5}
                  kubernetesApi: {cidrs: [10.96.0.1/32]}
                  ceph: {endpoint: 'https://rgw.example.com', region: default, cidrs: [10.10.1.0/24]}
                tenants:
                  - apiVersion: buildfleet.dev/v1alpha1
                    kind: BuildTenant
                    metadata: {name: java}
                    spec:
                      gitlab: {runner: {create: {runnerType: group_type, groupId: 12, tags: [java, kaniko]}}}
                  - apiVersion: buildfleet.dev/v1alpha1
                    kind: BuildTenant
                    metadata: {name: own}
                    spec:
                      gitlab: {runner: {tokenSecretRef: {name: t}}}
                """.formatted(gitlab.url()));
    }

    @Test
    void createVerifyRotateDeleteNeverPrintTheToken() throws IOException {
        Path fleet = fleet();
        Path tokenFile = tmp.resolve("token");
        Cli created = Cli.runWithEnv(ENV, "runner", "create", "-f", fleet.toString(), "--tenant", "java",
                "--token-out", tokenFile.toString());
        assertThat(created.exitCode()).as(created.err()).isZero();
        FakeGitLab.Runner runner = gitlab.runners().values().iterator().next();
        assertThat(created.out()).contains("java: runner " + runner.id + " created", "token expires at "
                + runner.tokenExpiresAt);
        assertThat(Files.getPosixFilePermissions(tokenFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(tokenFile).trim()).isEqualTo(runner.token);
        assertThat(runner.description).isEqualTo("buildfleet java");

        Cli again = Cli.runWithEnv(ENV, "runner", "create", "-f", fleet.toString(), "--tenant", "java");
        assertThat(again.out()).contains("exists already");
        assertThat(gitlab.runners()).hasSize(1);

        Cli verified = Cli.runWithEnv(ENV, "runner", "verify", "-f", fleet.toString(), "--tenant", "java",
                "--token-file", tokenFile.toString());
        assertThat(verified.exitCode()).as(verified.err()).isZero();
        assertThat(verified.out()).contains("runner " + runner.id + " verified");

        String before = runner.token;
        Cli rotated = Cli.runWithEnv(ENV, "runner", "rotate", "-f", fleet.toString(), "--tenant", "java",
                "--token-out", tokenFile.toString());
        assertThat(rotated.exitCode()).as(rotated.err()).isZero();
        assertThat(Files.readString(tokenFile).trim()).isEqualTo(runner.token).isNotEqualTo(before);
        assertThat(Files.getPosixFilePermissions(tokenFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        Cli deleted = Cli.runWithEnv(ENV, "runner", "delete", "-f", fleet.toString(), "--tenant", "java",
                "--confirm");
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();
        assertThat(gitlab.runners()).isEmpty();

        Cli orphaned = Cli.runWithEnv(ENV, "runner", "verify", "-f", fleet.toString(), "--tenant", "java",
                "--token-file", tokenFile.toString());
        assertThat(orphaned.exitCode()).isEqualTo(Main.GITLAB_FAULT);
        assertThat(orphaned.err()).contains("RunnerOrphaned");

        for (Cli c : new Cli[]{created, again, verified, rotated, deleted, orphaned}) {
            assertThat(c.out() + c.err()).doesNotContain("glrt-").doesNotContain(PAT);
        }
    }

    @Test
    void createOnAnExistingRunnerSetsItsTagsAndFlagsAsInTheFleetFileAndSaysWhatChanged() throws IOException {
        Path fleet = fleet();
        assertThat(Cli.runWithEnv(ENV, "runner", "create", "-f", fleet.toString(), "--tenant", "java").exitCode())
                .isZero();
        FakeGitLab.Runner runner = gitlab.runners().values().iterator().next();
        Files.writeString(fleet, Files.readString(fleet).replace("groupId: 12, tags: [java, kaniko]",
                "groupId: 12, tags: [java, big], paused: true, maximumTimeout: 7200"));

        Cli converged = Cli.runWithEnv(ENV, "runner", "create", "-f", fleet.toString(), "--tenant", "java");
        assertThat(converged.exitCode()).as(converged.err()).isZero();
        assertThat(converged.out()).contains("runner " + runner.id + " exists already",
                "tag_list [java, kaniko] -> [big, java]", "paused false -> true", "maximum_timeout null -> 7200")
                .doesNotContain("run_untagged").doesNotContain("access_level");
        assertThat(runner.tags).containsExactlyInAnyOrder("java", "big");
        assertThat(runner.paused).isTrue();
        assertThat(runner.maximumTimeout).isEqualTo(7200);
        assertThat(gitlab.count("PUT /api/v4/runners/" + runner.id)).isEqualTo(1);

        Cli same = Cli.runWithEnv(ENV, "runner", "create", "-f", fleet.toString(), "--tenant", "java");
        assertThat(same.exitCode()).as(same.err()).isZero();
        assertThat(same.out()).contains("as in the fleet file; nothing changed");
        assertThat(gitlab.count("PUT /api/v4/runners/")).isEqualTo(1); // none for the unchanged runner
        assertThat(gitlab.runners()).hasSize(1);
        assertThat(gitlab.count("POST /api/v4/user/runners")).isEqualTo(1);
    }

    @Test
    void aTokenOutThatCannotBeWrittenIsRefusedBeforeAnythingIsDoneInGitLab() throws IOException {
        Path fleet = fleet();
        Path notADirectory = Files.writeString(tmp.resolve("plain-file"), "x");
        Files.createDirectory(tmp.resolve("a-directory"));
        for (String tokenOut : List.of(tmp.resolve("missing/token").toString(), notADirectory + "/token",
                tmp.resolve("a-directory").toString(), "/proc/buildfleet-token")) {
            Cli refused = Cli.runWithEnv(ENV, "runner", "create", "-f", fleet.toString(), "--tenant", "java",
                    "--token-out", tokenOut);
            assertThat(refused.exitCode()).as(tokenOut).isEqualTo(2);
            assertThat(refused.err()).contains("--token-out " + tokenOut + ": ", "nothing was done in GitLab");
        }
        assertThat(gitlab.calls()).noneMatch(c -> c.startsWith("POST"));
        assertThat(gitlab.runners()).isEmpty();

        Cli created = Cli.runWithEnv(ENV, "runner", "create", "-f", fleet.toString(), "--tenant", "java");
        assertThat(created.exitCode()).as(created.err()).isZero();
        Cli rotate = Cli.runWithEnv(ENV, "runner", "rotate", "-f", fleet.toString(), "--tenant", "java",
                "--token-out", tmp.resolve("missing/token").toString());
        assertThat(rotate.exitCode()).isEqualTo(2);
        assertThat(rotate.err()).contains("--token-out", "does not exist");
        assertThat(gitlab.count("POST /api/v4/runners/")).isZero(); // the token was not reset

        Path existing = Files.writeString(tmp.resolve("token"), "old\n");
        Cli replaced = Cli.runWithEnv(ENV, "runner", "rotate", "-f", fleet.toString(), "--tenant", "java",
                "--token-out", existing.toString());
        assertThat(replaced.exitCode()).as(replaced.err()).isZero();
        assertThat(Files.readString(existing).trim()).isEqualTo(gitlab.runners().values().iterator().next().token);
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void aRunnerOfAnotherTenantWhoseNameStartsTheSameIsNeverTaken() throws IOException {
        Path fleet = fleet();
        long other = new HttpGitLabRunners(new HttpGitLabRunners.Connection(gitlab.url(), null, null,
                Duration.ofSeconds(5)), PAT).create(new GitLabRunners.RunnerSettings("group_type", 12L, null,
                "buildfleet java-b", List.of("java"), false, "ref_protected", true, false, null)).id();
        Cli created = Cli.runWithEnv(ENV, "runner", "create", "-f", fleet.toString(), "--tenant", "java");
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).contains("created").doesNotContain("exists already");
        assertThat(gitlab.runners()).hasSize(2);
        assertThat(gitlab.runners().get(other).description).isEqualTo("buildfleet java-b");
    }

    @Test
    void missingTokenWrongScopeAndGivenTokenTenantsAreClearErrors() throws IOException {
        Path fleet = fleet();
        Cli noToken = Cli.runWithEnv(Map.of(), "runner", "create", "-f", fleet.toString(), "--tenant", "java");
        assertThat(noToken.exitCode()).isEqualTo(2);
        assertThat(noToken.err()).contains("GITLAB_TOKEN is not set");

        gitlab.accessToken("glpat-read-only", "read_api");
        Cli denied = Cli.runWithEnv(Map.of(RunnerCommand.TOKEN_ENV, "glpat-read-only"), "runner", "create", "-f",
                fleet.toString(), "--tenant", "java");
        assertThat(denied.exitCode()).isEqualTo(Main.GITLAB_FAULT);
        assertThat(denied.err()).contains("GitLabAccessDenied", "create_runner").doesNotContain("glpat-read-only");

        Cli own = Cli.runWithEnv(ENV, "runner", "create", "-f", fleet.toString(), "--tenant", "own");
        assertThat(own.exitCode()).isEqualTo(Main.INVALID_INPUT);
        assertThat(own.err()).contains("brings its own token");
        assertThat(gitlab.count("POST /api/v4/user/runners")).isEqualTo(1); // the denied attempt only

        gitlab.down(true);
        Cli down = Cli.runWithEnv(ENV, "runner", "delete", "-f", fleet.toString(), "--tenant", "java", "--confirm");
        assertThat(down.exitCode()).isEqualTo(Main.GITLAB_FAULT);
        assertThat(down.err()).contains("GitLabUnreachable");
    }

    @Test
    void aServerErrorIsReportedAsNotRetriedBecauseTheCliDoesNotRetry() throws IOException {
        Path fleet = fleet();
        gitlab.failWith(500);
        Cli failed = Cli.runWithEnv(ENV, "runner", "create", "-f", fleet.toString(), "--tenant", "java");
        assertThat(failed.exitCode()).isEqualTo(Main.GITLAB_FAULT);
        assertThat(failed.err()).contains("GitLabUnreachable", "HTTP 500", "not retried: run the command again")
                .doesNotContain("retrying");
        assertThat(gitlab.count("GET ")).isEqualTo(1); // one attempt, no retry
    }

    @Test
    void scopesAreTheOnesGitLabChecksAndARefusedTokenIsNamedForWhatItLacks() throws IOException {
        Path fleet = fleet();
        // create_runner and manage_runner alone cannot list runners, so create cannot look for an existing one.
        gitlab.accessToken("glpat-no-read", "create_runner", "manage_runner");
        Cli noRead = Cli.runWithEnv(Map.of(RunnerCommand.TOKEN_ENV, "glpat-no-read"), "runner", "create", "-f",
                fleet.toString(), "--tenant", "java");
        assertThat(noRead.exitCode()).isEqualTo(Main.GITLAB_FAULT);
        assertThat(noRead.err()).contains("GitLabAccessDenied", "could not list runners", "read_api or api");
        assertThat(gitlab.count("POST /api/v4/user/runners")).isZero();

        Cli unknown = Cli.runWithEnv(Map.of(RunnerCommand.TOKEN_ENV, "glpat-revoked"), "runner", "create", "-f",
                fleet.toString(), "--tenant", "java");
        assertThat(unknown.exitCode()).isEqualTo(Main.GITLAB_FAULT);
        assertThat(unknown.err()).contains("unknown, expired or revoked").doesNotContain("manage_runner")
                .doesNotContain("glpat-revoked");

        Cli help = Cli.run("runner", "--help");
        assertThat(help.out().replaceAll("\\s+", " ")).contains("create_runner, manage_runner and read_api (or api "
                + "alone)");
    }
}
