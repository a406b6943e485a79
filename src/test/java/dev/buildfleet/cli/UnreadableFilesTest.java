package dev.buildfleet.cli;

import dev.buildfleet.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Every file the CLI is given is read the same way: only a regular file (after links), never more than its cap,
 * never waiting on a FIFO; what cannot be read exits 3 (as README's exit codes say) naming the file, and nothing
 * is written.
 */
class UnreadableFilesTest {
    private static final Duration QUICKLY = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"validate", "render"})
    void aDeviceIsRefusedWithoutReadingIt(String command) {
        Path out = tmp.resolve("out");
        Cli cli = assertTimeoutPreemptively(QUICKLY, () -> run(command, "/dev/zero", out));
        assertThat(cli.exitCode()).isEqualTo(3);
        assertThat(cli.err()).contains("/dev/zero: not a regular file (a character device)");
        assertThat(out).doesNotExist();
    }

    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path fifo = fifo("fleet.yaml");
        Path out = tmp.resolve("out");
        Cli cli = assertTimeoutPreemptively(QUICKLY, () -> run("render", fifo.toString(), out));
        assertThat(cli.exitCode()).isEqualTo(3);
        assertThat(cli.err()).contains(fifo + ": not a regular file (a FIFO)");
        assertThat(out).doesNotExist();
    }

    @Test
    void aLinkIsFollowedToWhatItNames() throws IOException {
        Path toFleet = Files.createSymbolicLink(tmp.resolve("fleet.yaml"), Fixtures.EXAMPLE.toAbsolutePath());
        assertThat(Cli.run("validate", "-f", toFleet.toString()).exitCode()).isZero();

        Path toDevice = Files.createSymbolicLink(tmp.resolve("zero.yaml"), Path.of("/dev/zero"));
        Cli cli = assertTimeoutPreemptively(QUICKLY, () -> Cli.run("validate", "-f", toDevice.toString()));
        assertThat(cli.exitCode()).isEqualTo(3);
        assertThat(cli.err()).contains(toDevice + ": not a regular file (a character device /dev/zero)");
    }

    @Test
    void aDirectoryAndAMissingFileAreNamed() {
        Cli directory = Cli.run("validate", "-f", tmp.toString());
        assertThat(directory.exitCode()).isEqualTo(3);
        assertThat(directory.err()).contains(tmp + ": not a regular file (a directory)");

        Cli missing = Cli.run("validate", "-f", tmp.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).contains("nope.yaml: no such file");
    }

    @Test
    void aFileLargerThanTheCapIsRefusedBeforeParsing() throws IOException {
        Path file = tmp.resolve("huge.yaml");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(50L * 1024 * 1024);
        }
        Cli cli = Cli.run("validate", "-f", file.toString());
        assertThat(cli.exitCode()).isEqualTo(3);
        assertThat(cli.err()).contains("huge.yaml: larger than 4 MiB");
    }

    @Test
    void theOperatorsConfigIsReadTheSameWay() throws Exception {
        Path fifo = fifo("fleet-config.yaml");
        Cli cli = assertTimeoutPreemptively(QUICKLY, () -> Cli.run("operator", "--config", fifo.toString()));
        assertThat(cli.exitCode()).isEqualTo(3);
        assertThat(cli.err()).contains(fifo + ": not a regular file (a FIFO)");

        Cli device = Cli.run("operator", "--config", "/dev/zero");
        assertThat(device.exitCode()).isEqualTo(3);
        assertThat(device.err()).contains("/dev/zero: not a regular file");
    }

    @Test
    void verifyAndPlanKeepTheirExitCodesForAnUnreadableFleetOrKubeconfig() throws Exception {
        Path fifo = fifo("kubeconfig");
        Cli verify = assertTimeoutPreemptively(QUICKLY, () -> Cli.run("verify", "-f", Fixtures.EXAMPLE.toString(),
                "--kubeconfig", fifo.toString()));
        assertThat(verify.exitCode()).isEqualTo(3);
        assertThat(verify.err()).contains("cannot read the kubeconfig " + fifo + ": not a regular file (a FIFO)");

        Cli verifyDevice = Cli.run("verify", "-f", "/dev/zero");
        assertThat(verifyDevice.exitCode()).isEqualTo(3);
        assertThat(verifyDevice.err()).contains("/dev/zero: not a regular file");

        Cli plan = Cli.run("plan", "-f", "/dev/zero");
        assertThat(plan.exitCode()).as("plan exits as terraform plan -detailed-exitcode: 1 for any error")
                .isEqualTo(1);
        assertThat(plan.err()).contains("/dev/zero: not a regular file");
    }

    @Test
    void aRunnerTokenFileIsReadTheSameWay() throws Exception {
        Path fifo = fifo("token");
        Cli cli = assertTimeoutPreemptively(QUICKLY, () -> Cli.runWithEnv(java.util.Map.of("GITLAB_TOKEN",
                "glpat-x"), "runner", "verify", "-f", Fixtures.EXAMPLE.toString(), "--tenant", "java",
                "--token-file", fifo.toString()));
        assertThat(cli.exitCode()).isEqualTo(3);
        assertThat(cli.err()).contains(fifo + ": not a regular file (a FIFO)");
    }

    private Cli run(String command, String file, Path out) {
        return command.equals("render") ? Cli.run("render", "-f", file, "-o", out.toString())
                : Cli.run(command, "-f", file);
    }

    private Path fifo(String name) throws Exception {
        Path fifo = tmp.resolve(name);
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        return fifo;
    }
}
