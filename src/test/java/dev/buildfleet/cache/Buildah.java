package dev.buildfleet.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * buildah as a stand-in for Kaniko: builds a Dockerfile with {@code --isolation chroot --storage-driver vfs}
 * (no daemon, no overlay mounts) and caches each step's layer in a registry with {@code --layers --cache-to R
 * --cache-from R}, one tag per step key, like Kaniko's {@code --cache-repo}. Every build gets new, empty local
 * storage (its own --root/--runroot), so whatever it reuses came from the registry. Registries are marked insecure
 * (plain HTTP) in a registries.conf of its own, and it logs in with a docker config.json of its own
 * ({@code --authfile}): nothing of the machine's container configuration is read or changed.
 */
final class Buildah {
    private static final Pattern STEP = Pattern.compile("^(?:\\[\\d+/\\d+] )?STEP \\d+/\\d+: (.*)$");

    private final Path dir;
    private final Path registriesConf;
    private final Path storageConf;
    private final Path policy;
    private int builds;

    /** One build's output, split into its Dockerfile steps. */
    record Build(int exitCode, String output, List<Step> steps, String imageId, Duration took) {
        /** The steps that make a layer (everything but FROM). */
        List<Step> layerSteps() {
            return steps.stream().filter(s -> !s.instruction().startsWith("FROM ")).toList();
        }
    }

    /** One step: its instruction line and what buildah printed until the next step. */
    record Step(String instruction, String output) {
        boolean usedCache() {
            return output.lines().anyMatch(l -> l.startsWith("--> Using cache "));
        }

        boolean pushedCache() {
            return output.lines().anyMatch(l -> l.startsWith("--> Pushing cache "));
        }
    }

    /** @param insecureRegistries host:port of every registry the builds use over plain HTTP */
    Buildah(Path dir, List<String> insecureRegistries) throws IOException {
        requireTools();
        this.dir = Files.createDirectories(dir);
        StringBuilder conf = new StringBuilder("unqualified-search-registries = []\n");
        for (String registry : insecureRegistries) {
            conf.append("\n[[registry]]\nlocation = \"").append(registry).append("\"\ninsecure = true\n");
        }
        this.registriesConf = Files.writeString(dir.resolve("registries.conf"), conf);
        this.storageConf = Files.writeString(dir.resolve("storage.conf"), "[storage]\ndriver = \"vfs\"\n");
        this.policy = Files.writeString(dir.resolve("policy.json"),
                "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n");
        Files.createDirectories(dir.resolve("tmp"));
    }

    static void requireTools() {
        List<String> missing = new ArrayList<>();
        if (!DistributionProcess.onPath("buildah")) {
            missing.add("buildah (apt-get install -y --no-install-recommends buildah uidmap)");
        }
        if (!Files.isExecutable(Path.of("/bin/busybox"))) {
            missing.add("/bin/busybox (apt-get install -y busybox-static)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the cache build test needs " + String.join(" and ", missing)
                    + "; .ci/run installs them");
        }
    }

    /**
     * Removes every build's storage. The root filesystems hold absolute symlinks (/bin/sh -> /bin/busybox), which
     * JUnit's @TempDir clean-up would warn about one by one; links are removed, never followed.
     */
    void deleteStorage() throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A docker config.json for buildah alone, mode 0600. */
    Path authFile(String json) throws IOException {
        Path file = dir.resolve("auth-" + (++builds) + ".json");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, json);
    }

    /** Runs test-infra/cache/build-base-image.sh: a FROM scratch busybox image pushed to {@code image}. */
    String buildBaseImage(String image) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "test-infra/cache/build-base-image.sh", image);
        environment(pb);
        pb.environment().put("BUILDAH_ROOT", dir.resolve("base-root").toString());
        pb.environment().put("BUILDAH_RUNROOT", dir.resolve("base-runroot").toString());
        Result r = run(pb, Duration.ofMinutes(2));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("test-infra/cache/build-base-image.sh " + image + " failed (exit "
                    + r.exitCode() + "):\n" + r.output());
        }
        return r.output();
    }

    /**
     * Builds {@code context}/Dockerfile with new, empty local storage, reading and writing the layer cache in
     * {@code cacheRepo}; fails with buildah's output when the build fails.
     */
    Build build(Path context, String cacheRepo, Path authFile) throws IOException, InterruptedException {
        int n = ++builds;
        List<String> command = List.of("buildah", "--root", dir.resolve("root-" + n).toString(),
                "--runroot", dir.resolve("runroot-" + n).toString(), "--storage-driver", "vfs",
                "bud", "--isolation", "chroot", "--signature-policy", policy.toString(), "--authfile",
                authFile.toString(), "--layers", "--cache-to", cacheRepo, "--cache-from", cacheRepo,
                "-f", context.resolve("Dockerfile").toString(), "-t", "localhost/e2e-build-" + n, context.toString());
        ProcessBuilder pb = new ProcessBuilder(command);
        environment(pb);
        long t0 = System.nanoTime();
        Result r = run(pb, Duration.ofMinutes(5));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + r.exitCode() + "):\n"
                    + r.output());
        }
        List<String> lines = r.output().lines().toList();
        return new Build(r.exitCode(), r.output(), steps(lines), lines.isEmpty() ? "" : lines.getLast().trim(), took);
    }

    private static List<Step> steps(List<String> lines) {
        List<Step> steps = new ArrayList<>();
        String instruction = null;
        StringBuilder output = new StringBuilder();
        for (String line : lines) {
            Matcher m = STEP.matcher(line);
            if (m.matches()) {
                if (instruction != null) {
                    steps.add(new Step(instruction, output.toString()));
                }
                instruction = m.group(1);
                output.setLength(0);
            } else if (instruction != null) {
                output.append(line).append('\n');
            }
        }
        if (instruction != null) {
            steps.add(new Step(instruction, output.toString()));
        }
        return steps;
    }

    /** buildah's environment: this helper's config files only; nothing inherited that changes buildah's config. */
    private void environment(ProcessBuilder pb) {
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("REGISTRY_") || k.startsWith("BUILDAH_")
                || k.startsWith("CONTAINERS_") || k.startsWith("STORAGE_") || k.equals("DOCKER_CONFIG"));
        env.put("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
        env.put("CONTAINERS_STORAGE_CONF", storageConf.toString());
        env.put("TMPDIR", dir.resolve("tmp").toString());
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(ProcessBuilder pb, Duration timeout) throws IOException, InterruptedException {
        Path log = dir.resolve("output-" + (++builds) + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                Path.of("/dev/null").toFile()));
        Process p = pb.start();
        boolean done = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        return done ? new Result(p.exitValue(), output) : new Result(-1, output + "\n(timed out after " + timeout + ")");
    }
}
