import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.buildfleet.cache.CacheCredentials;
import dev.buildfleet.cache.Kaniko;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.model.CacheRegistryConfig;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.storage.RgwTenantStorage;
import dev.buildfleet.storage.S3Keys;
import dev.buildfleet.storage.StoragePlan;
import dev.buildfleet.validation.FleetValidator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Kaniko-style layer cache path, measured side by side in one run on this machine:
 * <ul>
 *   <li>registry X: Distribution (Debian's docker-registry 2.8) on local disk — the rendered config.yml with its
 *       {@code storage.s3} replaced by {@code storage.filesystem}, every other setting the same;</li>
 *   <li>registry Y: Distribution with the exact config.yml {@link CacheRegistryConfig#build} renders, on the bucket
 *       of a tenant provisioned by {@link RgwTenantStorage} on a throw-away Ceph RGW (test-infra/ceph). Only the
 *       listen addresses, the htpasswd path and the S3 keys come from REGISTRY_* variables, as in the pod.</li>
 * </ul>
 * The real Kaniko executor (built by test-infra/kaniko/build.sh, run in a throw-away root per build) builds a toy
 * multistage Dockerfile with the template's cache flags and {@code --cache-repo R/cache}: cold (empty cache
 * repository, nothing local) and warm (nothing local, full cache). Then one large blob is pushed and pulled through Y over the
 * /v2/ API the way Kaniko (go-containerregistry) pushes (POST, one PATCH with the whole blob, PUT ?digest=) and compared with a
 * plain S3 PUT/GET of the same bytes to the same RGW with the AWS SDK v2.
 *
 * <p>Run: bench/run-cache [--reps N] [--blob-mib N] [--s3 key=value]... [--bcrypt-cost N] [--rgw-tcp-nodelay]
 * [--redirect] [--no-builds] [--no-blobs]
 * <ul>
 *   <li>{@code --s3 key=value} overlays a storage.s3 parameter on Y's rendered config, an empty value removes one
 *       (tuning experiments; the settings used are printed);</li>
 *   <li>{@code --bcrypt-cost N} replaces the htpasswd line of {@link CacheCredentials} (bcrypt's minimum cost 4)
 *       with one of cost N on both registries (cost 10 took ~55 ms of CPU on every request here);</li>
 *   <li>{@code --rgw-tcp-nodelay} starts RGW's beast frontend with {@code tcp_nodelay=1} (Ceph's default is 0: small
 *       responses on a kept-alive connection then wait ~40 ms for the client's delayed ACK);</li>
 *   <li>{@code --redirect} sets {@code storage.redirect.disable: false} on Y: blob GETs answer with a pre-signed
 *       S3 URL that the client fetches from RGW itself (buildfleet renders redirects off; this shows the cost).</li>
 * </ul>
 * It prints figures and asserts only that the cache was really used (cold builds push, warm builds pull, every
 * cached step). BENCH_KEEP=1 keeps the temp dir with the registries' and RGW's logs.
 */
public class CacheBench {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final YAMLMapper YAML = new YAMLMapper();
    static final SecureRandom RANDOM = new SecureRandom();
    /** Instructions of the toy Dockerfile that Kaniko caches (RUN and COPY), i.e. cache tags per build. */
    static final int CACHED_STEPS = 7;

    static final List<Process> processes = new ArrayList<>();
    static Path work;
    static Path cephDir;

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        for (String tool : List.of("docker-registry", "radosgw", "busybox", "unshare", "chroot")) {
            if (which(tool) == null) {
                throw new IllegalStateException(tool + " not found on PATH (see README, Benchmarks)");
            }
        }
        work = Files.createTempDirectory("bf-cache-bench-");
        Runtime.getRuntime().addShutdownHook(new Thread(CacheBench::cleanUp));

        // 1. Ceph RGW and the tenant, provisioned and rendered by the project's own code.
        long t0 = System.nanoTime();
        Map<String, String> ceph = startCeph(o);
        URI endpoint = URI.create(ceph.get("S3_ENDPOINT"));
        Path fleetFile = Files.writeString(work.resolve("fleet.yaml"), fleet(endpoint));
        Fleet fleet = FleetValidator.loadValid(fleetFile);
        ResolvedTenant tenant = TenantResolver.resolve(fleet.config(), fleet.tenants().getFirst());
        StoragePlan plan = StoragePlan.of(tenant);
        S3Keys admin = new S3Keys(ceph.get("BUILDFLEET_RGW_ACCESS_KEY"), ceph.get("BUILDFLEET_RGW_SECRET_KEY"));
        RgwTenantStorage storage = RgwTenantStorage.connect(endpoint, tenant.cache().region(), admin);
        S3Keys keys = storage.ensure(plan).keys();
        String rendered = CacheRegistryConfig.build(tenant);

        // 2. The two registries under test (same config but the driver) and a plain one for the base image.
        CacheCredentials creds = CacheCredentials.generate(RANDOM);
        Path htpasswd = Files.writeString(work.resolve("htpasswd"), o.bcryptCost == null ? creds.htpasswd(RANDOM)
                : creds.username() + ":" + OpenBSDBCrypt.generate("2y", creds.password().toCharArray(), salt(),
                o.bcryptCost) + "\n");
        String yConfig = o.s3.isEmpty() && !o.redirect ? rendered : overlay(rendered, o.s3, o.redirect);
        Path yFile = Files.writeString(work.resolve("y-config.yml"), yConfig);
        Path xFile = Files.writeString(work.resolve("x-config.yml"), filesystemVariant(rendered,
                Files.createDirectories(work.resolve("x-data"))));
        Map<String, String> yEnv = new LinkedHashMap<>();
        yEnv.put(CacheRegistryConfig.ACCESS_KEY_ENV, keys.accessKeyId());
        yEnv.put(CacheRegistryConfig.SECRET_KEY_ENV, keys.secretAccessKey());
        Registry x = Registry.start("X", xFile, htpasswd, Map.of());
        Registry y = Registry.start("Y", yFile, htpasswd, yEnv);
        Path baseFile = Files.writeString(work.resolve("base-config.yml"), """
                version: 0.1
                log: {level: warn}
                storage: {filesystem: {rootdirectory: %s}}
                http: {addr: 127.0.0.1:0}
                """.formatted(Files.createDirectories(work.resolve("base-data"))));
        Registry base = Registry.start("base", baseFile, null, Map.of());
        String auth = "Basic " + Base64.getEncoder().encodeToString((creds.username() + ":" + creds.password())
                .getBytes(StandardCharsets.UTF_8));
        System.out.printf("setup: Ceph RGW %s (beast frontend, tcp_nodelay=%d%s), tenant bucket %s, 3 registries up "
                + "in %.1f s%n", endpoint, o.rgwNoDelay ? 1 : 0, o.rgwNoDelay ? " from --rgw-tcp-nodelay"
                : ": Ceph's default", plan.bucket(), (System.nanoTime() - t0) / 1e9);
        printSettings(yConfig, o, x, y, auth);

        Result builds = null;
        if (o.builds) {
            KanikoBuilds kaniko = KanikoBuilds.setUp(creds, x, y, base);
            builds = buildBench(o, kaniko, x, y);
        }
        Result blobs = null;
        if (o.blobs) {
            try (S3Client s3 = storage.s3(plan, keys)) {
                blobs = blobBench(o, x, y, auth, s3, plan.bucket());
            }
        }
        printTable(o, builds, blobs);
    }

    // ---------------------------------------------------------------------------------------------- builds

    /** One measured operation: wall time, the registry's requests and their summed durations, a phase of it. */
    record Run(double seconds, int requests, double registrySeconds, double commitSeconds) {
        Run(double seconds, int requests, double registrySeconds) {
            this(seconds, requests, registrySeconds, 0);
        }

        Run withCommit(double commit) {
            return new Run(seconds, requests, registrySeconds, commit);
        }
    }

    /** Figures per row name, each a list of runs (in the order measured). */
    record Result(Map<String, List<Run>> rows) {
        List<Run> get(String name) {
            return rows.getOrDefault(name, List.of());
        }
    }

    static Result buildBench(Options o, KanikoBuilds kaniko, Registry x, Registry y) throws Exception {
        Map<String, List<Run>> rows = new LinkedHashMap<>();
        // Warm-up, not counted: first pulls of the base, first writes into each registry and bucket.
        for (Registry r : List.of(x, y)) {
            kaniko.build(r, "warmup", 0, CACHED_STEPS, "warm-up");
        }
        for (int rep = 1; rep <= o.reps; rep++) {
            List<Registry> order = rep % 2 == 1 ? List.of(x, y) : List.of(y, x);   // alternate: noise hits both
            for (Registry r : order) {
                String repo = "cache-" + rep;
                rows.computeIfAbsent("cold " + r.name, k -> new ArrayList<>())
                        .add(kaniko.build(r, repo, 0, CACHED_STEPS, "cold"));
            }
            for (Registry r : order) {
                String repo = "cache-" + rep;
                rows.computeIfAbsent("warm " + r.name, k -> new ArrayList<>())
                        .add(kaniko.build(r, repo, CACHED_STEPS, 0, "warm"));
            }
            System.out.printf("  rep %d/%d: cold X %.1f s, Y %.1f s; warm X %.2f s, Y %.2f s%n", rep, o.reps,
                    last(rows, "cold X"), last(rows, "cold Y"), last(rows, "warm X"), last(rows, "warm Y"));
        }
        return new Result(rows);
    }

    static double last(Map<String, List<Run>> rows, String key) {
        List<Run> runs = rows.get(key);
        return runs.get(runs.size() - 1).seconds();
    }

    /**
     * The real Kaniko executor (dev.buildfleet.cache.Kaniko of the tests: a throw-away root per build laid out like
     * the job pod, so nothing local is reused) with the flags of templates/kaniko.gitlab-ci.yml, and the same docker
     * config.json the job pods get, for both registries under test.
     */
    record KanikoBuilds(Kaniko kaniko, Path toy, String dockerConfig, List<String> insecure) {
        static KanikoBuilds setUp(CacheCredentials creds, Registry x, Registry y, Registry base) throws Exception {
            ObjectNode auths = new ObjectMapper().createObjectNode();
            for (Registry r : List.of(x, y)) {
                auths.setAll((ObjectNode) new ObjectMapper().readTree(creds.dockerConfigJson(r.host())).path("auths"));
            }
            String dockerConfig = new ObjectMapper().createObjectNode().set("auths", auths).toString();
            List<String> insecure = Stream.of(x, y, base).map(r -> "--insecure-registry=" + r.host()).toList();
            Kaniko kaniko = new Kaniko(work.resolve("kaniko"));

            Path baseDir = Files.createDirectories(work.resolve("base-image"));
            Files.copy(Path.of(which("busybox")), baseDir.resolve("busybox"));
            Files.writeString(baseDir.resolve("Dockerfile"), """
                    FROM scratch
                    COPY busybox /bin/busybox
                    RUN ["/bin/busybox", "--install", "-s", "/bin"]
                    """);
            String baseRef = base.host() + "/base:1";
            List<String> baseArgs = new ArrayList<>(List.of("--force", "--context=dir://" + Kaniko.PROJECT_DIR,
                    "--destination=" + baseRef));
            baseArgs.addAll(insecure);
            Kaniko.Build built = kaniko.runExecutor(baseDir, "{\"auths\":{}}", Map.of(), baseArgs);
            if (built.exitCode() != 0) {
                throw new IllegalStateException("Kaniko could not build the base image:\n" + built.output());
            }
            Path toy = Files.createDirectories(work.resolve("toy"));
            Files.writeString(toy.resolve("Dockerfile"), """
                    FROM %1$s AS builder
                    RUN mkdir -p /out && echo "stage one" > /out/a.txt
                    RUN head -c 20971520 /dev/urandom > /out/random.bin
                    RUN sha256sum /out/random.bin > /out/random.sha256
                    RUN seq 1 1000 > /out/numbers.txt

                    FROM %1$s
                    RUN mkdir -p /app /data && echo runtime > /app/role
                    COPY --from=builder /out /app/
                    RUN ls -l /app > /app/listing.txt && wc -c /app/random.bin > /app/size.txt
                    """.formatted(baseRef));
            return new KanikoBuilds(kaniko, toy, dockerConfig, insecure);
        }

        /**
         * One build in a new root; checks the cache was (not) used as expected and returns the wall time with the
         * registry's request count and summed request durations from its log.
         */
        Run build(Registry r, String repo, int expectPulled, int expectPushed, String what) throws Exception {
            long logStart = Files.size(r.log);
            List<String> args = new ArrayList<>(List.of("--force", "--context=dir://" + Kaniko.PROJECT_DIR,
                    "--no-push", "--cache=true", "--cache-repo=" + r.host() + "/" + repo, "--cache-copy-layers=true",
                    "--cache-run-layers=true", "--snapshot-mode=redo", "--compressed-caching=false"));
            args.addAll(insecure);
            Kaniko.Build build = kaniko.runExecutor(toy, dockerConfig, Map.of(), args);
            if (build.exitCode() != 0) {
                throw new IllegalStateException(what + " build on " + r.name + " failed:\n" + build.output());
            }
            int pulled = build.cacheHits().size();
            int pushed = build.cachePushes().size();
            if (pulled != expectPulled || pushed != expectPushed) {
                throw new IllegalStateException(what + " build on " + r.name + " pulled " + pulled + " and pushed "
                        + pushed + " cache layers, expected " + expectPulled + " and " + expectPushed + ":\n"
                        + build.output());
            }
            Thread.sleep(300);   // let the registry finish its log lines
            return r.requestsSince(logStart, build.took().toNanos() / 1e9);
        }
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------- blobs

    static Result blobBench(Options o, Registry x, Registry y, String auth, S3Client s3, String bucket)
            throws Exception {
        Map<String, List<Run>> rows = new LinkedHashMap<>();
        byte[] blob = new byte[o.blobMib << 20];
        RANDOM.nextBytes(blob);
        for (int rep = 0; rep <= o.reps; rep++) {   // rep 0 warms up and is not counted
            List<Registry> order = rep % 2 == 1 ? List.of(x, y) : List.of(y, x);
            for (Registry r : order) {
                stamp(blob, rep, r.name);
                String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
                long logStart = Files.size(r.log);
                long t0 = System.nanoTime();
                double commit = r.pushBlob("blobbench", blob, digest, auth);
                double push = (System.nanoTime() - t0) / 1e9;
                Thread.sleep(200);
                Run pushRun = r.requestsSince(logStart, push).withCommit(commit);
                logStart = Files.size(r.log);
                t0 = System.nanoTime();
                long got = r.pullBlob("blobbench", digest, auth);
                double pull = (System.nanoTime() - t0) / 1e9;
                if (got != blob.length) {
                    throw new IllegalStateException(r.name + " returned " + got + " bytes for " + digest);
                }
                Thread.sleep(200);
                if (rep > 0) {
                    rows.computeIfAbsent("push " + r.name, k -> new ArrayList<>()).add(pushRun);
                    rows.computeIfAbsent("pull " + r.name, k -> new ArrayList<>()).add(r.requestsSince(logStart, pull));
                }
            }
            stamp(blob, rep, "S3");
            String key = "bench/blob-" + rep;
            long t0 = System.nanoTime();
            s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(blob));
            double put = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            long got;
            try (InputStream in = s3.getObject(g -> g.bucket(bucket).key(key))) {
                got = drain(in);
            }
            double get = (System.nanoTime() - t0) / 1e9;
            if (got != blob.length) {
                throw new IllegalStateException("S3 GET returned " + got + " bytes");
            }
            s3.deleteObject(d -> d.bucket(bucket).key(key));
            if (rep > 0) {
                rows.computeIfAbsent("push S3", k -> new ArrayList<>()).add(new Run(put, 1, 0));
                rows.computeIfAbsent("pull S3", k -> new ArrayList<>()).add(new Run(get, 1, 0));
                System.out.printf("  blob rep %d/%d (%d MiB): push X %.2f s, Y %.2f s, S3 %.2f s; "
                                + "pull X %.2f s, Y %.2f s, S3 %.2f s%n", rep, o.reps, o.blobMib,
                        last(rows, "push X"), last(rows, "push Y"), put,
                        last(rows, "pull X"), last(rows, "pull Y"), get);
            }
        }
        return new Result(rows);
    }

    /** Makes each pushed copy of the blob distinct (a new digest: nothing is deduplicated). */
    static void stamp(byte[] blob, int rep, String who) {
        byte[] tag = (who + "-" + rep + "-" + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(tag, 0, blob, 0, tag.length);
    }

    static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        long n = 0;
        for (int r; (r = in.read(buf)) > 0; ) {
            n += r;
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------- registries

    record Registry(String name, Process process, URI base, Path log) {
        static Registry start(String name, Path config, Path htpasswd, Map<String, String> extraEnv)
                throws Exception {
            int port = freePort();
            Path log = work.resolve("registry-" + name + ".log");
            ProcessBuilder pb = new ProcessBuilder("docker-registry", "serve", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            // Distribution reads every REGISTRY_* variable as config, and AWS_CA_BUNDLE makes its S3 driver panic.
            env.keySet().removeIf(k -> k.startsWith("REGISTRY_") || k.startsWith("AWS_"));
            env.put("REGISTRY_HTTP_ADDR", "127.0.0.1:" + port);
            if (htpasswd != null) {
                env.put("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:" + freePort());
                env.put("REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.toString());
            }
            env.putAll(extraEnv);
            Process p = pb.start();
            processes.add(p);
            Registry r = new Registry(name, p, URI.create("http://127.0.0.1:" + port), log);
            Instant deadline = Instant.now().plusSeconds(30);
            while (true) {
                try {
                    int status = HTTP.send(HttpRequest.newBuilder(r.base.resolve("/v2/")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status == 200 || status == 401) {
                        return r;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (!p.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("registry " + name + " did not start:\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }

        String host() {
            return base.getAuthority();
        }

        /**
         * POST, one PATCH with the whole blob, PUT ?digest= : how Kaniko (go-containerregistry) pushes.
         * Returns the seconds of the PUT, in which the registry commits the upload (moves it to its digest).
         */
        double pushBlob(String repo, byte[] blob, String digest, String auth) throws Exception {
            HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(base.resolve("/v2/" + repo
                    + "/blobs/uploads/")).header("Authorization", auth).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            expect(start, 202);
            URI location = base.resolve(start.headers().firstValue("Location").orElseThrow());
            HttpResponse<String> patch = HTTP.send(HttpRequest.newBuilder(location).header("Authorization", auth)
                    .header("Content-Type", "application/octet-stream")
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                    HttpResponse.BodyHandlers.ofString());
            expect(patch, 202);
            String next = patch.headers().firstValue("Location").orElseThrow();
            URI put = base.resolve(next + (next.contains("?") ? "&" : "?") + "digest=" + digest);
            long t0 = System.nanoTime();
            expect(HTTP.send(HttpRequest.newBuilder(put).header("Authorization", auth)
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()), 201);
            return (System.nanoTime() - t0) / 1e9;
        }

        long pullBlob(String repo, String digest, String auth) throws Exception {
            HttpResponse<InputStream> get = HTTP.send(HttpRequest.newBuilder(base.resolve("/v2/" + repo + "/blobs/"
                    + digest)).header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            if (get.statusCode() == 307) {   // --redirect: a pre-signed S3 URL, fetched without our credentials
                get.body().close();
                get = HTTP.send(HttpRequest.newBuilder(URI.create(get.headers().firstValue("Location").orElseThrow()))
                        .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            }
            try (InputStream in = get.body()) {
                if (get.statusCode() != 200) {
                    throw new IllegalStateException(name + ": GET blob -> " + get.statusCode() + " "
                            + new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                return drain(in);
            }
        }

        void expect(HttpResponse<String> response, int status) throws IOException {
            if (response.statusCode() != status) {
                throw new IllegalStateException(name + ": " + response.request().method() + " "
                        + response.request().uri().getPath() + " -> " + response.statusCode() + " "
                        + response.body() + "\n" + tail(log));
            }
        }

        /** Requests the registry logged since {@code offset} and the sum of their durations. */
        Run requestsSince(long offset, double wallSeconds) throws IOException {
            String text;
            try (var ch = java.nio.channels.FileChannel.open(log)) {
                ch.position(offset);
                text = new String(java.nio.channels.Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
            }
            int n = 0;
            double busy = 0;
            Matcher m = DURATION.matcher(text);
            while (m.find()) {
                n++;
                busy += goDuration(m.group(1));
            }
            return new Run(wallSeconds, n, busy);
        }
    }

    static final Pattern DURATION = Pattern.compile("\"http\\.response\\.duration\":\"([^\"]+)\"");
    static final Pattern DURATION_PART = Pattern.compile("([0-9.]+)(ns|us|µs|ms|s|m|h)");

    static double goDuration(String text) {
        double seconds = 0;
        Matcher m = DURATION_PART.matcher(text);
        while (m.find()) {
            double v = Double.parseDouble(m.group(1));
            seconds += switch (m.group(2)) {
                case "ns" -> v / 1e9;
                case "us", "µs" -> v / 1e6;
                case "ms" -> v / 1e3;
                case "s" -> v;
                case "m" -> v * 60;
                default -> v * 3600;
            };
        }
        return seconds;
    }

    // ---------------------------------------------------------------------------------------------- config

    /** The rendered config with storage.s3 replaced by storage.filesystem; everything else unchanged. */
    static String filesystemVariant(String rendered, Path dir) throws IOException {
        ObjectNode config = (ObjectNode) YAML.readTree(rendered);
        ObjectNode storage = (ObjectNode) config.path("storage");
        ObjectNode replaced = YAML.createObjectNode();
        replaced.putObject("filesystem").put("rootdirectory", dir.toString());
        storage.properties().forEach(e -> {
            if (!e.getKey().equals("s3")) {
                replaced.set(e.getKey(), e.getValue());
            }
        });
        config.set("storage", replaced);
        return YAML.writeValueAsString(config);
    }

    static String overlay(String rendered, Map<String, String> s3, boolean redirect) throws IOException {
        ObjectNode config = (ObjectNode) YAML.readTree(rendered);
        if (redirect) {
            ((ObjectNode) config.path("storage").path("redirect")).put("disable", false);
        }
        ObjectNode node = (ObjectNode) config.path("storage").path("s3");
        s3.forEach((k, v) -> {
            if (v.isEmpty()) {
                node.remove(k);
            } else if (v.matches("-?\\d+")) {
                node.put(k, Long.parseLong(v));
            } else if (v.equals("true") || v.equals("false")) {
                node.put(k, Boolean.parseBoolean(v));
            } else {
                node.put(k, v);
            }
        });
        return YAML.writeValueAsString(config);
    }

    static void printSettings(String yConfig, Options o, Registry x, Registry y, String auth) throws Exception {
        var storage = YAML.readTree(yConfig).path("storage");
        System.out.println();
        System.out.println("registry settings (Y: " + (o.s3.isEmpty() && !o.redirect
                ? "the rendered config.yml, unchanged" : "the rendered config.yml with " + (o.s3.isEmpty() ? ""
                : "--s3 " + o.s3 + " ") + (o.redirect ? "--redirect" : "")) + "; X: the same with storage.filesystem):");
        System.out.print(YAML.writeValueAsString(YAML.createObjectNode().set("storage", storage))
                .replaceFirst("^---\\n", "").indent(2));
        System.out.println("  from the environment, as in the pod: " + CacheRegistryConfig.ACCESS_KEY_ENV + ", "
                + CacheRegistryConfig.SECRET_KEY_ENV + ", REGISTRY_HTTP_ADDR, REGISTRY_HTTP_DEBUG_ADDR, "
                + "REGISTRY_AUTH_HTPASSWD_PATH");
        // The htpasswd check (bcrypt) runs on every request of both registries: say what it costs.
        double[] ms = new double[2];
        for (int i = 0; i < 2; i++) {
            Registry r = i == 0 ? x : y;
            List<Double> times = new ArrayList<>();
            for (int k = 0; k < 6; k++) {
                long t0 = System.nanoTime();
                HTTP.send(HttpRequest.newBuilder(r.base.resolve("/v2/")).header("Authorization", auth).build(),
                        HttpResponse.BodyHandlers.discarding());
                times.add((System.nanoTime() - t0) / 1e6);
            }
            ms[i] = median(times.subList(1, times.size()));
        }
        System.out.printf("  htpasswd: bcrypt cost %s; an authenticated GET /v2/ takes %.1f ms on X, %.1f ms on Y%n",
                o.bcryptCost == null ? "of CacheCredentials" : o.bcryptCost + " (--bcrypt-cost)", ms[0], ms[1]);
        System.out.println();
    }

    static String fleet(URI endpoint) {
        return """
                apiVersion: buildfleet.dev/v1alpha1
                kind: Fleet
                config:
                  gitlab: {url: https://gitlab.example.com, cidrs: [10.10.0.10/32]}
                  kubernetesApi: {cidrs: [10.96.0.1/32]}
                  ceph: {endpoint: '%s', region: default, cidrs: [127.0.0.1/32]}
                tenants:
                  - apiVersion: buildfleet.dev/v1alpha1
                    kind: BuildTenant
                    metadata: {name: bench}
                    spec: {gitlab: {runner: {tokenSecretRef: {name: runner-token}}}}
                """.formatted(endpoint);
    }

    // ---------------------------------------------------------------------------------------------- table

    static void printTable(Options o, Result builds, Result blobs) {
        System.out.println();
        System.out.printf("%d repetitions each, median (min-max); X = local disk, Y = Ceph RGW bucket; ratios are the "
                + "median of the per-repetition ratios (X, Y and S3 measured back to back)%n", o.reps);
        if (builds != null) {
            System.out.printf("%-28s %22s %22s %8s %8s  %s%n", "toy multistage build", "X", "Y", "Y/X", "target",
                    "registry requests, busy s (X | Y)");
            buildRow("cold (empty cache)", builds, "cold", 1.3);
            buildRow("warm (full cache)", builds, "warm", 1.5);
        }
        if (blobs != null) {
            System.out.printf("%n%-28s %22s %22s %22s %8s %8s%n", o.blobMib + " MiB blob, MiB/s", "X (disk)",
                    "Y (registry on RGW)", "raw S3 (SDK v2)", "Y/S3", "target");
            blobRow("push (POST+PATCH+PUT / PUT)", blobs, "push", o.blobMib);
            blobRow("pull (GET)", blobs, "pull", o.blobMib);
            System.out.printf("%-28s %22s %22s%n", "  of the push: commit (PUT)",
                    "%.2f s".formatted(median(blobs.get("push X").stream().map(Run::commitSeconds).toList())),
                    "%.2f s".formatted(median(blobs.get("push Y").stream().map(Run::commitSeconds).toList())));
        }
    }

    static void buildRow(String label, Result r, String kind, double target) {
        List<Run> x = r.get(kind + " X");
        List<Run> y = r.get(kind + " Y");
        double ratio = pairedRatio(y, x);
        System.out.printf("%-28s %22s %22s %7.2fx %7s%s  %d | %d req, %.2f | %.2f s%n", label, spread(x, "s"),
                spread(y, "s"), ratio, "<=" + target + "x", ratio <= target ? " " : "!",
                Math.round(median(x.stream().map(v -> (double) v.requests()).toList())),
                Math.round(median(y.stream().map(v -> (double) v.requests()).toList())),
                median(x.stream().map(Run::registrySeconds).toList()),
                median(y.stream().map(Run::registrySeconds).toList()));
    }

    static void blobRow(String label, Result r, String kind, int mib) {
        List<Double> x = r.get(kind + " X").stream().map(v -> mib / v.seconds()).toList();
        List<Double> y = r.get(kind + " Y").stream().map(v -> mib / v.seconds()).toList();
        List<Double> s = r.get(kind + " S3").stream().map(v -> mib / v.seconds()).toList();
        double ratio = pairedRatio(r.get(kind + " S3"), r.get(kind + " Y"));   // time S3 / time Y = speed Y / S3
        System.out.printf("%-28s %22s %22s %22s %7.2fx %7s%s%n", label, spreadOf(x), spreadOf(y), spreadOf(s),
                ratio, ">=0.8x", ratio >= 0.8 ? " " : "!");
    }

    /** Median over repetitions of a[i] / b[i] (seconds); pairs were measured back to back. */
    static double pairedRatio(List<Run> a, List<Run> b) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            ratios.add(a.get(i).seconds() / b.get(i).seconds());
        }
        return median(ratios);
    }

    static String spread(List<Run> runs, String unit) {
        List<Double> v = runs.stream().map(Run::seconds).toList();
        return "%.2f %s (%.2f-%.2f)".formatted(median(v), unit, v.stream().min(Comparator.naturalOrder()).orElseThrow(),
                v.stream().max(Comparator.naturalOrder()).orElseThrow());
    }

    static String spreadOf(List<Double> v) {
        return "%.0f (%.0f-%.0f)".formatted(median(v), v.stream().min(Comparator.naturalOrder()).orElseThrow(),
                v.stream().max(Comparator.naturalOrder()).orElseThrow());
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    // ---------------------------------------------------------------------------------------------- plumbing

    static Map<String, String> startCeph(Options o) throws Exception {
        cephDir = work.resolve("ceph");
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("test-infra/ceph/start-ceph-rgw.sh").toString())
                .redirectErrorStream(true);
        pb.environment().put("CEPH_DIR", cephDir.toString());
        int port = freePort();
        pb.environment().put("RGW_PORT", String.valueOf(port));
        if (o.rgwNoDelay) {
            // A later rgw_frontends line wins over the script's own. beast's tcp_nodelay defaults to 0 (Nagle on).
            pb.environment().put("RGW_EXTRA_CONF", "rgw frontends = " + rgwFrontends(port, true));
        }
        pb.environment().put("MON_PORT", String.valueOf(freePort()));
        // memstore keeps every object in RAM and RGW frees deleted data only at garbage collection.
        pb.environment().put("MEMSTORE_BYTES", String.valueOf((long) o.memstoreMib << 20));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("Ceph RGW did not start:\n" + out);
        }
        Map<String, String> values = new LinkedHashMap<>();
        out.lines().filter(l -> l.contains("=")).forEach(l ->
                values.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return values;
    }

    static String rgwFrontends(int port, boolean noDelay) {
        return "beast endpoint=127.0.0.1:" + port + (noDelay ? " tcp_nodelay=1" : "");
    }

    static void cleanUp() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (cephDir != null) {
                ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("test-infra/ceph/stop-ceph-rgw.sh")
                        .toString()).redirectErrorStream(true);
                pb.environment().put("CEPH_DIR", cephDir.toString());
                if (System.getenv("BENCH_KEEP") != null) {
                    pb.environment().put("KEEP_CEPH_DIR", "1");   // its logs, for a look at RGW's side
                }
                Process p = pb.start();
                p.getInputStream().readAllBytes();
                p.waitFor(60, TimeUnit.SECONDS);
            }
            if (work != null && System.getenv("BENCH_KEEP") == null) {
                deleteTree(work);
            } else if (work != null) {
                System.err.println("kept " + work + " (BENCH_KEEP; Ceph is stopped, its logs are in ceph/log)");
            }
        } catch (Exception e) {
            System.err.println("clean-up of " + work + " incomplete: " + e.getMessage());
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String tail(Path file) throws IOException {
        String text = Files.readString(file);
        return text.substring(Math.max(0, text.length() - 3000));
    }

    static byte[] salt() {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return salt;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String which(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    record Options(int reps, int blobMib, Map<String, String> s3, Integer bcryptCost, boolean builds, boolean blobs,
                   boolean rgwNoDelay, boolean redirect, int memstoreMib) {
        static Options parse(String[] args) {
            int reps = 5;
            int blobMib = 100;
            Integer cost = null;
            boolean builds = true;
            boolean blobs = true;
            boolean noDelay = false;
            boolean redirect = false;
            Map<String, String> s3 = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--reps" -> reps = Integer.parseInt(args[++i]);
                    case "--blob-mib" -> blobMib = Integer.parseInt(args[++i]);
                    case "--bcrypt-cost" -> cost = Integer.parseInt(args[++i]);
                    case "--no-builds" -> builds = false;
                    case "--no-blobs" -> blobs = false;
                    case "--rgw-tcp-nodelay" -> noDelay = true;
                    case "--redirect" -> redirect = true;
                    case "--s3" -> {
                        String kv = args[++i];
                        int eq = kv.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--s3 takes key=value (empty value removes the key)");
                        }
                        s3.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use: [--reps N] "
                            + "[--blob-mib N] [--s3 key=value]... [--bcrypt-cost N] [--rgw-tcp-nodelay] [--redirect] "
                            + "[--no-builds] [--no-blobs]");
                }
            }
            if (reps < 1 || blobMib < 1) {
                throw new IllegalArgumentException("--reps and --blob-mib must be positive");
            }
            // Each cold build stores ~45 MiB; each pushed blob stays until RGW's garbage collection.
            int memstore = 1024 + reps * 2 * 60 + (reps + 1) * blobMib * 6;
            return new Options(reps, blobMib, s3, cost, builds, blobs, noDelay, redirect, memstore);
        }
    }
}
