package dev.buildfleet.cli;

import dev.buildfleet.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exit codes of verify and plan when nothing can be checked: files, usage, a cluster that is not there. (What
 * they find on a cluster is proven on the real control plane: dev.buildfleet.verify.VerifyRealClusterTest.)
 */
class VerifyCliTest {
    @TempDir
    static Path dir;
    static Path unreachable;

    @BeforeAll
    static void kubeconfigOfAClosedPort() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        unreachable = dir.resolve("closed.kubeconfig");
        Files.writeString(unreachable, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                """.formatted(port));
    }

    @Test
    void verifyCannotReadTheFleetOrTheKubeconfig3() throws IOException {
        Cli missing = Cli.run("verify", "-f", dir.resolve("none.yaml").toString(), "--kubeconfig",
                unreachable.toString());
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).contains("no such file");

        Path invalid = Files.writeString(dir.resolve("invalid.yaml"), Fixtures.exampleWith(root ->
                Fixtures.tenantSpec(root, 0).put("concurrency", 0)));
        assertThat(Cli.run("verify", "-f", invalid.toString(), "--kubeconfig", unreachable.toString()).exitCode())
                .isEqualTo(3);

        Path badLevel = Files.writeString(dir.resolve("level.yaml"), Fixtures.exampleWith(root ->
                ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("config")).putObject("verify")
                        .put("podSecurity", "strict")));
        Cli level = Cli.run("verify", "-f", badLevel.toString(), "--kubeconfig", unreachable.toString());
        assertThat(level.exitCode()).isEqualTo(3);
        assertThat(level.err()).contains("config.verify.podSecurity", "baseline or restricted");

        Cli kubeconfig = Cli.run("verify", "-f", Fixtures.EXAMPLE.toString(), "--kubeconfig",
                dir.resolve("none.kubeconfig").toString());
        assertThat(kubeconfig.exitCode()).isEqualTo(3);
        assertThat(kubeconfig.err()).contains("cannot read the kubeconfig");
    }

    @Test
    void verifyUsageErrors2() {
        Cli tenant = Cli.run("verify", "-f", Fixtures.EXAMPLE.toString(), "--tenant", "cobol", "--kubeconfig",
                unreachable.toString());
        assertThat(tenant.exitCode()).isEqualTo(2);
        assertThat(tenant.err()).contains("'cobol' is not a tenant", "java, dotnet");
        assertThat(Cli.run("verify", "-f", Fixtures.EXAMPLE.toString(), "-o", "yaml").exitCode()).isEqualTo(2);
        assertThat(Cli.run("verify").exitCode()).isEqualTo(2);
        assertThat(Cli.runWithEnv(java.util.Map.of("BUILDFLEET_RGW_ACCESS_KEY", "a"), "verify", "-f",
                Fixtures.EXAMPLE.toString(), "--kubeconfig", unreachable.toString()).exitCode())
                .as("one RGW key without the other").isEqualTo(2);
    }

    @Test
    void verifyCannotReachTheCluster7() {
        Cli cli = Cli.run("verify", "-f", Fixtures.EXAMPLE.toString(), "--kubeconfig", unreachable.toString());
        assertThat(cli.exitCode()).isEqualTo(7);
        assertThat(cli.err()).contains("cannot read the Kubernetes API at https://127.0.0.1:",
                "check --kubeconfig");
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void planFailsWith1LikeTerraformWhateverWentWrong() throws IOException {
        assertThat(Cli.run("plan", "-f", dir.resolve("none.yaml").toString(), "--kubeconfig",
                unreachable.toString()).exitCode()).as("no fleet file").isEqualTo(1);
        assertThat(Cli.run("plan", "-f", Fixtures.EXAMPLE.toString(), "--tenant", "cobol", "--kubeconfig",
                unreachable.toString()).exitCode()).as("unknown tenant").isEqualTo(1);
        assertThat(Cli.run("plan", "-f", Fixtures.EXAMPLE.toString(), "--bogus").exitCode()).as("unknown option")
                .isEqualTo(1);
        Cli down = Cli.run("plan", "-f", Fixtures.EXAMPLE.toString(), "--kubeconfig", unreachable.toString());
        assertThat(down.exitCode()).as("cluster unreachable").isEqualTo(1);
        assertThat(down.err()).contains("cannot read the Kubernetes API");
    }

    @Test
    void helpListsTheExitCodes() {
        assertThat(Cli.run("verify", "--help").out()).contains("0   every check passed", "1   a check failed",
                "7   the Kubernetes API could not be reached");
        assertThat(Cli.run("plan", "--help").out()).contains("terraform plan -detailed-exitcode", "2   changes");
    }
}
