package dev.buildfleet.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real Kaniko executor (test-infra/kaniko/build.sh builds it from its Go module) running a job of
 * templates/kaniko.gitlab-ci.yml as the runner would run it in the job pod, in a throw-away root laid out like the
 * fork's debug image: /kaniko/executor, busybox in /busybox, the cache registry's config.json mounted read-only at
 * /kaniko/.docker, the project checked out under /builds (a volume, as in the job pod), the script under /scripts.
 *
 * <p>Kaniko owns the root filesystem it runs in (it unpacks base images into / and deletes between stages), so each
 * job gets a new root directory of its own, entered with chroot in a private mount namespace (unshare -m) holding
 * that job's /proc and volume mounts; nothing on the machine outside that directory is touched, and every job starts
 * with no local state, so whatever it reuses came from the registry. /dev is a small tmpfs and /builds, /scripts
 * and /kaniko/.docker are mounts, as in the pod: Kaniko leaves mount points alone when it clears the filesystem
 * between stages. Needs root, as the CI machine is.
 */
public final class Kaniko {
    static final Path TEMPLATE = Path.of("templates/kaniko.gitlab-ci.yml");
    public static final String PROJECT_DIR = "/builds/group/app";
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");
    private static final Pattern LOG_LINE = Pattern.compile("^(?:INFO|WARN|ERRO|DEBU|FATA)\\[\\d+] (.*?)\\s*$");
    /** Enters the throw-away root: $1 the root, the rest the job's environment. */
    private static final String ENTER = """
            set -eu
            R=$1; shift
            mount -t proc proc "$R/proc"
            mount -t tmpfs -o mode=755,size=1m dev "$R/dev"
            mknod -m 666 "$R/dev/null" c 1 3
            mknod -m 666 "$R/dev/zero" c 1 5
            mknod -m 666 "$R/dev/random" c 1 8
            mknod -m 666 "$R/dev/urandom" c 1 9
            for volume in builds scripts; do mount --bind "$R/$volume" "$R/$volume"; done
            mount --bind "$R/kaniko/.docker" "$R/kaniko/.docker"
            mount -o remount,bind,ro "$R/kaniko/.docker"
            exec /usr/sbin/chroot "$R" /busybox/env -i "$@" /busybox/sh /scripts/job.sh
            """;

    private final Path executor;
    private final Path dir;
    private int jobs;

    /** One job: what Kaniko printed (colours removed), the pushed image's digest, how long it took. */
    public record Build(int exitCode, String output, String digest, Duration took) {
        /** Kaniko's own log messages, without level and time. */
        public List<String> messages() {
            List<String> messages = new ArrayList<>();
            for (String line : output.lines().toList()) {
                Matcher m = LOG_LINE.matcher(line);
                if (m.matches()) {
                    messages.add(m.group(1));
                }
            }
            return messages;
        }

        /** The commands Kaniko took from the cache ("Using caching version of cmd: ..."). */
        public List<String> cacheHits() {
            return after("Using caching version of cmd: ");
        }

        /** The cache tags Kaniko pushed ("Pushing layer REPO:KEY to cache now"). */
        public List<String> cachePushes() {
            return messages().stream().filter(m -> m.startsWith("Pushing layer ") && m.endsWith(" to cache now"))
                    .map(m -> m.substring("Pushing layer ".length(), m.length() - " to cache now".length())).toList();
        }

        /** The lines the Dockerfile's RUN steps printed with the marker RAN-. */
        public List<String> ran() {
            return output.lines().filter(l -> l.startsWith("RAN-")).toList();
        }

        private List<String> after(String prefix) {
            return messages().stream().filter(m -> m.startsWith(prefix)).map(m -> m.substring(prefix.length()))
                    .toList();
        }
    }

    public Kaniko(Path dir) throws IOException {
        requireTools();
        this.executor = executor();
        this.dir = Files.createDirectories(dir);
    }

    public static void requireTools() {
        for (String tool : List.of("/usr/bin/unshare", "/usr/sbin/chroot", "/bin/busybox")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new IllegalStateException("the Kaniko tests need " + tool
                        + " (util-linux, coreutils, busybox-static); .ci/run installs them");
            }
        }
    }

    /** The executor binary, built (or found in the cache) by test-infra/kaniko/build.sh. */
    static Path executor() {
        try {
            Path log = Files.createTempFile("kaniko-build", ".log");
            Process p = new ProcessBuilder("bash", "test-infra/kaniko/build.sh").redirectError(log.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("test-infra/kaniko/build.sh failed: it builds Kaniko from the Go "
                        + "module proxy and needs go\n" + Files.readString(log));
            }
            Path executor = Path.of(out.lines().reduce((a, b) -> b).orElse("")).resolve("executor");
            if (!Files.isExecutable(executor)) {
                throw new IllegalStateException("test-infra/kaniko/build.sh printed " + out + ", no executor there");
            }
            return executor;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run test-infra/kaniko/build.sh", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The template's job script and its variables, exactly as committed. */
    static String templateScript() throws IOException {
        JsonNode script = job().path("script");
        if (script.size() != 1) {
            throw new IllegalStateException(TEMPLATE + ": expected one script entry, found " + script.size());
        }
        return script.get(0).asText();
    }

    static Map<String, String> templateVariables() throws IOException {
        Map<String, String> vars = new LinkedHashMap<>();
        job().path("variables").properties().forEach(e -> vars.put(e.getKey(), e.getValue().asText()));
        return vars;
    }

    private static JsonNode job() throws IOException {
        return new YAMLMapper().readTree(TEMPLATE.toFile()).path(".buildfleet-kaniko");
    }

    /**
     * Runs the template's job on {@code context} (copied to the job's project directory). {@code runner} holds
     * what the runner and GitLab give every job (predefined CI_* variables, config.toml's environment), {@code job}
     * the including job's own variables, which override the template's; the template's values are expanded
     * against both, as GitLab does.
     */
    Build runTemplateJob(Path context, String mountedDockerConfig, Map<String, String> runner,
                         Map<String, String> job) throws IOException, InterruptedException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", "/root");
        env.put("USER", "root");
        env.put("PATH", "/usr/local/bin:/kaniko:/busybox");
        env.put("SSL_CERT_DIR", "/kaniko/ssl/certs");
        env.put("CI_PROJECT_DIR", PROJECT_DIR);
        env.putAll(runner);
        Map<String, String> defined = new LinkedHashMap<>(templateVariables());
        defined.putAll(job);
        defined.forEach((k, v) -> env.put(k, expand(v, env)));
        return run(context, mountedDockerConfig, templateScript(), env);
    }

    /**
     * Runs the executor itself with {@code args} and {@code env}, outside the template; the context is copied to
     * the project directory, {@code mountedDockerConfig} is the config.json at /kaniko/.docker.
     */
    public Build runExecutor(Path context, String mountedDockerConfig, Map<String, String> env, List<String> args)
            throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder("exec /kaniko/executor");
        for (String arg : args) {
            script.append(" '").append(arg.replace("'", "'\\''")).append('\'');
        }
        Map<String, String> all = new LinkedHashMap<>(Map.of("HOME", "/root", "USER", "root",
                "PATH", "/usr/local/bin:/kaniko:/busybox", "CI_PROJECT_DIR", PROJECT_DIR,
                "DOCKER_CONFIG", "/kaniko/.docker"));
        all.putAll(env);
        return run(context, mountedDockerConfig, script.append('\n').toString(), all);
    }

    private Build run(Path context, String mountedDockerConfig, String script, Map<String, String> env)
            throws IOException, InterruptedException {
        int n = ++jobs;
        Path root = Files.createDirectories(dir.resolve("root-" + n));
        try {
            layOut(root, context, mountedDockerConfig, script);
            List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "-m", "--propagation", "private",
                    "--", "/bin/sh", "-c", ENTER, "enter", root.toString()));
            env.forEach((k, v) -> command.add(k + "=" + v));
            Path log = dir.resolve("job-" + n + ".log");
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            boolean done = p.waitFor(10, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            String output = ANSI.matcher(Files.readString(log, StandardCharsets.UTF_8)).replaceAll("");
            Path digestFile = root.resolve("kaniko/digest");
            String digest = Files.exists(digestFile) ? Files.readString(digestFile).trim() : "";
            return new Build(done ? p.exitValue() : -1, done ? output : output + "\n(timed out)", digest, took);
        } finally {
            delete(root);
        }
    }

    private void layOut(Path root, Path context, String mountedDockerConfig, String script) throws IOException {
        for (String d : List.of("proc", "dev", "tmp", "busybox", "kaniko/.docker", "kaniko/ssl/certs", "scripts",
                "builds")) {
            Files.createDirectories(root.resolve(d));
        }
        Path bin = root.resolve("kaniko/executor");
        try {
            Files.createLink(bin, executor);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(executor, bin);
        }
        Files.copy(Path.of("/bin/busybox"), root.resolve("busybox/busybox"));
        for (String applet : busyboxApplets()) {
            Files.createSymbolicLink(root.resolve("busybox").resolve(applet), Path.of("/busybox/busybox"));
        }
        Files.writeString(root.resolve("kaniko/.docker/config.json"), mountedDockerConfig);
        Files.writeString(root.resolve("scripts/job.sh"), script);
        Path project = Files.createDirectories(root.resolve(PROJECT_DIR.substring(1)));
        try (var files = Files.walk(context)) {
            for (Path from : files.toList()) {
                Path to = project.resolve(context.relativize(from).toString());
                if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    private static List<String> applets;

    private static synchronized List<String> busyboxApplets() throws IOException {
        if (applets == null) {
            Process p = new ProcessBuilder("/bin/busybox", "--list").start();
            applets = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(a -> a.matches("[A-Za-z0-9_.\\[-]+") && !a.equals("busybox")).toList();
        }
        return applets;
    }

    /**
     * Removes a job's root. Its mounts lived in the job's own mount namespace, gone with the job; a mount still
     * found under it stops the removal, so nothing mounted from the machine (e.g. /dev) can be deleted through it.
     */
    static void delete(Path root) throws IOException {
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        String prefix = root.toRealPath().toString() + "/";
        for (String line : mounts.lines().toList()) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && (fields[4] + "/").startsWith(prefix)) {
                throw new IllegalStateException("not removing " + root + ": " + fields[4] + " is still mounted");
            }
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** $NAME and ${NAME} replaced by their values (unknown names by nothing), as GitLab expands variables. */
    static String expand(String value, Map<String, String> vars) {
        Matcher m = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)}|([A-Za-z_][A-Za-z0-9_]*))").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(vars.getOrDefault(name, "")));
        }
        return m.appendTail(out).toString();
    }
}
