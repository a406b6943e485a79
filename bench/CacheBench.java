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
 * The Kaniko-style layer cache path, measured side by side in one run on this machine, for each Distribution release
 * under test — Debian's docker-registry 2.8.2 (the product's registry today) and Distribution 3.1.2 (the candidate,
 * built from its Go module by test-infra/distribution/build.sh):
 * <ul>
 *   <li>registry X: the release on local disk — the rendered config.yml with its {@code storage.s3} replaced by
 *       {@code storage.filesystem}, every other setting the same;</li>
 *   <li>registry Y: the release with the exact config.yml {@link CacheRegistryConfig#build} renders, on the bucket
 *       of a tenant provisioned by {@link RgwTenantStorage} on a throw-away Ceph RGW (test-infra/ceph). Both
 *       releases read the same file, bucket and keys; only the listen addresses, the htpasswd path and the S3 keys
 *       come from REGISTRY_* variables, as in the pod. Each release uses its own repository names, so neither sees
 *       the other's cache entries (blobs are shared by digest, as in one registry).</li>
 * </ul>
 * The real Kaniko executor (built by test-infra/kaniko/build.sh, run in a throw-away root per build) builds a toy
 * multistage Dockerfile with the template's cache flags and {@code --cache-repo R/cache}: cold (empty cache
 * repository, nothing local) and warm (nothing local, full cache). Then one large blob is pushed and pulled through
 * each registry over the /v2/ API the way Kaniko (go-containerregistry) pushes (POST, one PATCH with the whole blob,
 * PUT ?digest=) and compared with a plain S3 PUT/GET of the same bytes to the same RGW with the AWS SDK v2. The S3
 * requests each Y registry makes are counted from RGW's access log (operation, count, RGW's own latency).
 *
 * <p>Run: bench/run-cache [--reps N] [--blob-mib N] [--s3 key=value]... [--bcrypt-cost N] [--rgw-tcp-nodelay]
 * [--redirect] [--no-builds] [--no-blobs] [--releases 2.8.2,3.1.2]
 * <ul>
 *   <li>{@code --s3 key=value} overlays a storage.s3 parameter on Y's rendered config, an empty value removes one
 *       (tuning experiments; the settings used are printed);</li>
 *   <li>{@code --bcrypt-cost N} replaces the htpasswd line of {@link CacheCredentials} (bcrypt's minimum cost 4)
 *       with one of cost N on every registry (cost 10 took ~55 ms of CPU on every request here);</li>
 *   <li>{@code --rgw-tcp-nodelay} starts RGW's beast frontend with {@code tcp_nodelay=1} (Ceph's default is 0: small
 *       responses on a kept-alive connection then wait ~40 ms for the client's delayed ACK);</li>
 *   <li>{@code --redirect} sets {@code storage.redirect.disable: false} on Y: blob GETs answer with a pre-signed
 *       S3 URL that the client fetches from RGW itself (buildfleet renders redirects off; this shows the cost);</li>
 *   <li>{@code --releases} measures only the releases named (default both).</li>
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
    static final String V2 = "2.8.2";
    static final String V3 = "3.1.2";
    /**
     * Distribution 3 only: it traces every request with OpenTelemetry, always, and with OTEL_TRACES_EXPORTER unset
     * exports the spans over OTLP to localhost:4318 (nothing listens there, in the pod either). A pod of 3.x would
     * set this; the bench does, and prints it.
     */
    static final Map<String, String> V3_ENV = Map.of("OTEL_TRACES_EXPORTER", "none");
    /** storage.s3 parameters Distribution 3.1.2's S3 driver reads (registry/storage/driver/s3-aws/s3.go). */
    static final List<String> V3_S3_KEYS = List.of("accesskey", "secretkey", "regionendpoint", "forcepathstyle",
            "region", "bucket", "encrypt", "secure", "skipverify", "v4auth", "keyid", "chunksize",
            "multipartcopychunksize", "multipartcopymaxconcurrency", "multipartcopythresholdsize", "rootdirectory",
            "storageclass", "useragent", "objectacl", "sessiontoken", "usedualstack", "accelerate", "usefipsendpoint",
            "redirectendpoint", "loglevel");

    static final List<Process> processes = new ArrayList<>();
    static Path work;
    static Path cephDir;

    /** A Distribution release under test: how to run it and the repository prefix that keeps its data apart. */
    record Release(String version, String binary, Map<String, String> env, String repoPrefix) {
    }

    /** One release on local disk (X) and on the tenant's bucket (Y). */
    record Pair(Release release, Registry x, Registry y) {
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        for (String tool : List.of("docker-registry", "radosgw", "busybox", "unshare", "chroot")) {
            if (which(tool) == null) {
                throw new IllegalStateException(tool + " not found on PATH (see README, Benchmarks)");
            }
        }
        List<Release> releases = new ArrayList<>();
        if (o.releases.contains(V2)) {
            releases.add(new Release(V2, "docker-registry", Map.of(), "d28-"));
        }
        if (o.releases.contains(V3)) {
            releases.add(new Release(V3, distribution3().toString(), V3_ENV, "d31-"));
        }
        work = Files.createTempDirectory("bf-cache-bench-");
        Runtime.getRuntime().addShutdownHook(new Thread(CacheBench::cleanUp));

        // 1. Ceph RGW and the tenant, provisioned and rendered by the project's own code.
        long t0 = System.nanoTime();
        Map<String, String> ceph = startCeph(o, releases.size());
        URI endpoint = URI.create(ceph.get("S3_ENDPOINT"));
        Path fleetFile = Files.writeString(work.resolve("fleet.yaml"), fleet(endpoint));
        Fleet fleet = FleetValidator.loadValid(fleetFile);
        ResolvedTenant tenant = TenantResolver.resolve(fleet.config(), fleet.tenants().getFirst());
        StoragePlan plan = StoragePlan.of(tenant);
        S3Keys admin = new S3Keys(ceph.get("BUILDFLEET_RGW_ACCESS_KEY"), ceph.get("BUILDFLEET_RGW_SECRET_KEY"));
        RgwTenantStorage storage = RgwTenantStorage.connect(endpoint, tenant.cache().region(), admin);
        S3Keys keys = storage.ensure(plan).keys();
        String rendered = CacheRegistryConfig.build(tenant);
        Rgw rgw = new Rgw(cephDir.resolve("log/client.rgw.log"));

        // 2. The registries under test (per release: same config but the driver) and a plain one for the base image.
        CacheCredentials creds = CacheCredentials.generate(RANDOM);
        Path htpasswd = Files.writeString(work.resolve("htpasswd"), o.bcryptCost == null ? creds.htpasswd(RANDOM)
                : creds.username() + ":" + OpenBSDBCrypt.generate("2y", creds.password().toCharArray(), salt(),
                o.bcryptCost) + "\n");
        String yConfig = o.s3.isEmpty() && !o.redirect ? rendered : overlay(rendered, o.s3, o.redirect);
        Path yFile = Files.writeString(work.resolve("y-config.yml"), yConfig);
        Map<String, String> yEnv = new LinkedHashMap<>();
        yEnv.put(CacheRegistryConfig.ACCESS_KEY_ENV, keys.accessKeyId());
        yEnv.put(CacheRegistryConfig.SECRET_KEY_ENV, keys.secretAccessKey());
        List<Pair> pairs = new ArrayList<>();
        for (Release release : releases) {
            Path xFile = Files.writeString(work.resolve("x-config-" + release.version + ".yml"), filesystemVariant(
                    rendered, Files.createDirectories(work.resolve("x-data-" + release.version))));
            pairs.add(new Pair(release, Registry.start("X", release, xFile, htpasswd, Map.of()),
                    Registry.start("Y", release, yFile, htpasswd, yEnv)));
        }
        Path baseFile = Files.writeString(work.resolve("base-config.yml"), """
                version: 0.1
                log: {level: warn}
                storage: {filesystem: {rootdirectory: %s}}
                http: {addr: 127.0.0.1:0}
                """.formatted(Files.createDirectories(work.resolve("base-data"))));
        Registry base = Registry.start("base", new Release(V2, "docker-registry", Map.of(), ""), baseFile, null,
                Map.of());
        String auth = "Basic " + Base64.getEncoder().encodeToString((creds.username() + ":" + creds.password())
                .getBytes(StandardCharsets.UTF_8));
        System.out.printf("setup: Ceph RGW %s (beast frontend, tcp_nodelay=%d%s), tenant bucket %s, %d registries up "
                + "in %.1f s%n", endpoint, o.rgwNoDelay ? 1 : 0, o.rgwNoDelay ? " from --rgw-tcp-nodelay"
                : ": Ceph's default", plan.bucket(), pairs.size() * 2 + 1, (System.nanoTime() - t0) / 1e9);
        printSettings(yConfig, o, pairs, auth);

        Result builds = null;
        if (o.builds) {
            KanikoBuilds kaniko = KanikoBuilds.setUp(creds, pairs, base);
            builds = buildBench(o, kaniko, pairs, rgw);
        }
        Result blobs = null;
        if (o.blobs) {
            try (S3Client s3 = storage.s3(plan, keys)) {
                blobs = blobBench(o, pairs, auth, s3, plan.bucket(), rgw);
            }
        }
        printTable(o, pairs, builds, blobs);
    }

    /** Distribution 3's registry binary, built (once, then cached) by test-infra/distribution/build.sh. */
    static Path distribution3() throws Exception {
        Process p = new ProcessBuilder("bash", ROOT.resolve("test-infra/distribution/build.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("test-infra/distribution/build.sh failed (it builds Distribution "
                    + V3 + " from its Go module and needs go)");
        }
        Path binary = Path.of(out.lines().reduce((a, b) -> b).orElse("")).resolve("registry");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("test-infra/distribution/build.sh printed " + out + ", no registry there");
        }
        return binary;
    }

    // ---------------------------------------------------------------------------------------------- builds

    /**
     * One measured operation: wall time, the registry's requests and their summed durations, a phase of it, and the
     * S3 requests RGW logged meanwhile (by operation).
     */
    record Run(double seconds, int requests, double registrySeconds, double commitSeconds, Map<String, S3Op> s3) {
        Run(double seconds, int requests, double registrySeconds) {
            this(seconds, requests, registrySeconds, 0, Map.of());
        }

        Run withCommit(double commit) {
            return new Run(seconds, requests, registrySeconds, commit, s3);
        }

        Run withS3(Map<String, S3Op> ops) {
            return new Run(seconds, requests, registrySeconds, commitSeconds, ops);
        }
    }

    /** S3 requests of one kind: how many, and the sum of the latencies RGW logged for them. */
    record S3Op(int count, double seconds) {
        S3Op plus(S3Op o) {
            return new S3Op(count + o.count, seconds + o.seconds);
        }
    }

    /** Figures per row name, each a list of runs (in the order measured). */
    record Result(Map<String, List<Run>> rows) {
        List<Run> get(String name) {
            return rows.getOrDefault(name, List.of());
        }
    }

    static String key(String kind, Registry r) {
        return kind + " " + r.name + " " + r.release.version;
    }

    /** Registries in measuring order for a repetition: alternate, so that drift and noise hit every one. */
    static List<Registry> order(List<Pair> pairs, int rep) {
        List<Registry> all = new ArrayList<>();
        for (Pair p : pairs) {
            all.add(p.x);
            all.add(p.y);
        }
        return rep % 2 == 1 ? all : all.reversed();
    }

    static Result buildBench(Options o, KanikoBuilds kaniko, List<Pair> pairs, Rgw rgw) throws Exception {
        Map<String, List<Run>> rows = new LinkedHashMap<>();
        // Warm-up, not counted: first pulls of the base, first writes into each registry and bucket.
        for (Registry r : order(pairs, 1)) {
            kaniko.build(r, "warmup", 0, CACHED_STEPS, "warm-up", rgw);
        }
        for (int rep = 1; rep <= o.reps; rep++) {
            List<Registry> order = order(pairs, rep);
            for (Registry r : order) {
                rows.computeIfAbsent(key("cold", r), k -> new ArrayList<>())
                        .add(kaniko.build(r, "cache-" + rep, 0, CACHED_STEPS, "cold", rgw));
            }
            for (Registry r : order) {
                rows.computeIfAbsent(key("warm", r), k -> new ArrayList<>())
                        .add(kaniko.build(r, "cache-" + rep, CACHED_STEPS, 0, "warm", rgw));
            }
            StringBuilder line = new StringBuilder("  rep %d/%d:".formatted(rep, o.reps));
            for (Pair p : pairs) {
                line.append(" %s cold X %.2f s, Y %.2f s; warm X %.2f s, Y %.2f s;".formatted(p.release.version,
                        last(rows, key("cold", p.x)), last(rows, key("cold", p.y)), last(rows, key("warm", p.x)),
                        last(rows, key("warm", p.y))));
            }
            System.out.println(line.substring(0, line.length() - 1));
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
     * config.json the job pods get, for all registries under test.
     */
    record KanikoBuilds(Kaniko kaniko, Path toy, String dockerConfig, List<String> insecure) {
        static KanikoBuilds setUp(CacheCredentials creds, List<Pair> pairs, Registry base) throws Exception {
            ObjectNode auths = new ObjectMapper().createObjectNode();
            List<Registry> all = new ArrayList<>(order(pairs, 1));
            for (Registry r : all) {
                auths.setAll((ObjectNode) new ObjectMapper().readTree(creds.dockerConfigJson(r.host())).path("auths"));
            }
            String dockerConfig = new ObjectMapper().createObjectNode().set("auths", auths).toString();
            all.add(base);
            List<String> insecure = all.stream().map(r -> "--insecure-registry=" + r.host()).toList();
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
         * registry's request count and summed request durations from its log, and the S3 requests RGW logged.
         * The repository is prefixed with the release's own prefix: the releases share the tenant's bucket.
         */
        Run build(Registry r, String repo, int expectPulled, int expectPushed, String what, Rgw rgw)
                throws Exception {
            long logStart = Files.size(r.log);
            long rgwStart = rgw.size();
            List<String> args = new ArrayList<>(List.of("--force", "--context=dir://" + Kaniko.PROJECT_DIR,
                    "--no-push", "--cache=true", "--cache-repo=" + r.host() + "/" + r.release.repoPrefix + repo,
                    "--cache-copy-layers=true", "--cache-run-layers=true", "--snapshot-mode=redo",
                    "--compressed-caching=false"));
            args.addAll(insecure);
            Kaniko.Build build = kaniko.runExecutor(toy, dockerConfig, Map.of(), args);
            if (build.exitCode() != 0) {
                throw new IllegalStateException(what + " build on " + r + " failed:\n" + build.output());
            }
            int pulled = build.cacheHits().size();
            int pushed = build.cachePushes().size();
            if (pulled != expectPulled || pushed != expectPushed) {
                throw new IllegalStateException(what + " build on " + r + " pulled " + pulled + " and pushed "
                        + pushed + " cache layers, expected " + expectPulled + " and " + expectPushed + ":\n"
                        + build.output());
            }
            Thread.sleep(300);   // let the registry and RGW finish their log lines
            return r.requestsSince(logStart, build.took().toNanos() / 1e9).withS3(rgw.opsSince(rgwStart));
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

    static Result blobBench(Options o, List<Pair> pairs, String auth, S3Client s3, String bucket, Rgw rgw)
            throws Exception {
        Map<String, List<Run>> rows = new LinkedHashMap<>();
        byte[] blob = new byte[o.blobMib << 20];
        RANDOM.nextBytes(blob);
        for (int rep = 0; rep <= o.reps; rep++) {   // rep 0 warms up and is not counted
            for (Registry r : order(pairs, rep)) {
                stamp(blob, rep, r.name + r.release.version);
                String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
                String repo = r.release.repoPrefix + "blobbench";
                long logStart = Files.size(r.log);
                long rgwStart = rgw.size();
                long t0 = System.nanoTime();
                double commit = r.pushBlob(repo, blob, digest, auth);
                double push = (System.nanoTime() - t0) / 1e9;
                Thread.sleep(200);
                Run pushRun = r.requestsSince(logStart, push).withCommit(commit).withS3(rgw.opsSince(rgwStart));
                logStart = Files.size(r.log);
                rgwStart = rgw.size();
                t0 = System.nanoTime();
                long got = r.pullBlob(repo, digest, auth);
                double pull = (System.nanoTime() - t0) / 1e9;
                if (got != blob.length) {
                    throw new IllegalStateException(r + " returned " + got + " bytes for " + digest);
                }
                Thread.sleep(200);
                Run pullRun = r.requestsSince(logStart, pull).withS3(rgw.opsSince(rgwStart));
                if (rep > 0) {
                    rows.computeIfAbsent(key("push", r), k -> new ArrayList<>()).add(pushRun);
                    rows.computeIfAbsent(key("pull", r), k -> new ArrayList<>()).add(pullRun);
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
                StringBuilder line = new StringBuilder("  blob rep %d/%d (%d MiB):".formatted(rep, o.reps, o.blobMib));
                for (Pair p : pairs) {
                    line.append(" %s push X %.2f s, Y %.2f s, pull X %.2f s, Y %.2f s;".formatted(p.release.version,
                            last(rows, key("push", p.x)), last(rows, key("push", p.y)), last(rows, key("pull", p.x)),
                            last(rows, key("pull", p.y))));
                }
                System.out.println(line.append(" S3 PUT %.2f s, GET %.2f s".formatted(put, get)));
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

    record Registry(String name, Release release, Process process, URI base, Path log) {
        static Registry start(String name, Release release, Path config, Path htpasswd, Map<String, String> extraEnv)
                throws Exception {
            int port = freePort();
            Path log = work.resolve("registry-" + name + "-" + release.version + ".log");
            ProcessBuilder pb = new ProcessBuilder(release.binary, "serve", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            // Distribution reads every REGISTRY_* variable as config, and AWS_CA_BUNDLE makes its S3 driver panic;
            // 3.x reads OTEL_* for its tracing.
            env.keySet().removeIf(k -> k.startsWith("REGISTRY_") || k.startsWith("AWS_") || k.startsWith("OTEL_"));
            env.put("REGISTRY_HTTP_ADDR", "127.0.0.1:" + port);
            if (htpasswd != null) {
                env.put("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:" + freePort());
                env.put("REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.toString());
            }
            env.putAll(release.env);
            env.putAll(extraEnv);
            Process p = pb.start();
            processes.add(p);
            Registry r = new Registry(name, release, p, URI.create("http://127.0.0.1:" + port), log);
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
                    throw new IllegalStateException("registry " + name + " " + release.version + " did not start:\n"
                            + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }

        String host() {
            return base.getAuthority();
        }

        @Override
        public String toString() {
            return name + " (Distribution " + release.version + ")";
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
                    throw new IllegalStateException(this + ": GET blob -> " + get.statusCode() + " "
                            + new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                return drain(in);
            }
        }

        void expect(HttpResponse<String> response, int status) throws IOException {
            if (response.statusCode() != status) {
                throw new IllegalStateException(this + ": " + response.request().method() + " "
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

    /**
     * RGW's access log (beast, debug_rgw 1: one line per S3 request, with RGW's own latency at 4 ms resolution).
     * Only one registry works at a time, so the lines between two offsets are its requests.
     */
    record Rgw(Path log) {
        static final Pattern LINE = Pattern.compile("\"(GET|HEAD|PUT|POST|DELETE) (\\S+) HTTP/[0-9.]+\" (\\d{3}) "
                + ".*latency=([0-9.]+)s");

        long size() throws IOException {
            return Files.exists(log) ? Files.size(log) : 0;
        }

        Map<String, S3Op> opsSince(long offset) throws IOException {
            String text;
            try (var ch = java.nio.channels.FileChannel.open(log)) {
                ch.position(offset);
                text = new String(java.nio.channels.Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
            }
            Map<String, S3Op> ops = new java.util.TreeMap<>();
            Matcher m = LINE.matcher(text);
            while (m.find()) {
                String op = operation(m.group(1), m.group(2));
                if (op == null) {
                    continue;
                }
                int status = Integer.parseInt(m.group(3));
                String label = status >= 400 ? op + " " + status : op;
                ops.merge(label, new S3Op(1, Double.parseDouble(m.group(4))), S3Op::plus);
            }
            return ops;
        }

        /** The S3 operation of a path-style request line; null for what is not the registry's (e.g. GET /). */
        static String operation(String method, String target) {
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            String query = q < 0 ? "" : target.substring(q + 1);
            boolean bucketOnly = path.indexOf('/', 1) < 0 || path.indexOf('/', 1) == path.length() - 1;
            if (path.equals("/")) {
                return null;
            }
            return switch (method) {
                case "HEAD" -> "HeadObject";
                case "GET" -> query.contains("uploadId=") ? "ListParts" : query.contains("uploads")
                        ? "ListMultipartUploads" : bucketOnly ? "ListObjects" : "GetObject";
                case "PUT" -> query.contains("partNumber=") ? "UploadPart"
                        : path.matches(".*/blobs/sha256/[0-9a-f]{2}/[0-9a-f]{64}/data") ? "Put/CopyObject blob data"
                        : "PutObject";
                case "POST" -> query.contains("uploadId=") ? "CompleteMultipartUpload" : query.contains("uploads")
                        ? "CreateMultipartUpload" : query.contains("delete") ? "DeleteObjects" : "POST " + query;
                case "DELETE" -> query.contains("uploadId=") ? "AbortMultipartUpload" : "DeleteObject";
                default -> method;
            };
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

    static void printSettings(String yConfig, Options o, List<Pair> pairs, String auth) throws Exception {
        var storage = YAML.readTree(yConfig).path("storage");
        System.out.println();
        System.out.println("registry settings (Y: " + (o.s3.isEmpty() && !o.redirect
                ? "the rendered config.yml, unchanged" : "the rendered config.yml with " + (o.s3.isEmpty() ? ""
                : "--s3 " + o.s3 + " ") + (o.redirect ? "--redirect" : "")) + ", the same file for every release; "
                + "X: the same with storage.filesystem):");
        System.out.print(YAML.writeValueAsString(YAML.createObjectNode().set("storage", storage))
                .replaceFirst("^---\\n", "").indent(2));
        System.out.println("  from the environment, as in the pod: " + CacheRegistryConfig.ACCESS_KEY_ENV + ", "
                + CacheRegistryConfig.SECRET_KEY_ENV + ", REGISTRY_HTTP_ADDR, REGISTRY_HTTP_DEBUG_ADDR, "
                + "REGISTRY_AUTH_HTPASSWD_PATH");
        if (pairs.stream().anyMatch(p -> p.release.version.equals(V3))) {
            List<String> unread = new ArrayList<>();
            storage.path("s3").fieldNames().forEachRemaining(k -> {
                if (!V3_S3_KEYS.contains(k)) {
                    unread.add(k);
                }
            });
            System.out.println("  Distribution " + V3 + " reads the same file; what differs from " + V2 + ":");
            System.out.println("    storage.s3 keys " + V3 + " does not read: " + (unread.isEmpty() ? "none" : unread));
            System.out.println("    forcepathstyle: " + storage.path("s3").path("forcepathstyle").asText("(unset)")
                    + " -- read by 3.x only (default false: with regionendpoint it would address the bucket as "
                    + "<bucket>.<host>); " + V2 + " does not know the key and uses path style whenever regionendpoint "
                    + "is set");
            System.out.println("    no checksum keys: " + V3 + "'s S3 driver is aws-sdk-go v1 like " + V2
                    + "'s (Content-MD5 and signed payloads on uploads, nothing Ceph 16 refuses)");
            System.out.println("    loglevel (the S3 SDK's own log, 3.x): " + storage.path("s3").path("loglevel")
                    .asText("unset = off"));
            System.out.println("    environment, " + V3 + " only: " + V3_ENV + " (3.x traces every request; unset, it "
                    + "exports the spans over OTLP to localhost:4318)");
        }
        // The htpasswd check (bcrypt) runs on every request of every registry: say what it costs.
        StringBuilder line = new StringBuilder();
        for (Registry r : order(pairs, 1)) {
            List<Double> times = new ArrayList<>();
            for (int k = 0; k < 6; k++) {
                long t0 = System.nanoTime();
                HTTP.send(HttpRequest.newBuilder(r.base.resolve("/v2/")).header("Authorization", auth).build(),
                        HttpResponse.BodyHandlers.discarding());
                times.add((System.nanoTime() - t0) / 1e6);
            }
            line.append(", %.1f ms on %s %s".formatted(median(times.subList(1, times.size())), r.name,
                    r.release.version));
        }
        System.out.printf("  htpasswd: bcrypt cost %s; an authenticated GET /v2/ takes%s%n",
                o.bcryptCost == null ? "of CacheCredentials" : o.bcryptCost + " (--bcrypt-cost)",
                line.substring(1));
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

    static void printTable(Options o, List<Pair> pairs, Result builds, Result blobs) {
        System.out.println();
        System.out.printf("%d repetitions each, median (min-max); X = the release on local disk, Y = the release on the "
                + "tenant's Ceph RGW bucket; ratios are the median of the per-repetition ratios (X, Y and S3 measured "
                + "back to back)%n", o.reps);
        Pair first = pairs.getFirst();
        if (builds != null) {
            System.out.printf("%-22s %-7s %22s %22s %8s %8s  %-11s %s%n", "toy multistage build", "release",
                    "X (disk)", "Y (RGW)", "Y/X", "target", "Y/Y " + first.release.version,
                    "registry requests X | Y, busy s X | Y");
            for (String kind : List.of("cold", "warm")) {
                for (Pair p : pairs) {
                    buildRow(p == first ? kind.equals("cold") ? "cold (empty cache)" : "warm (full cache)" : "",
                            builds, kind, p, first, kind.equals("cold") ? 1.3 : 1.5);
                }
            }
        }
        if (blobs != null) {
            System.out.printf("%n%-22s %-7s %22s %22s %22s %8s %8s %8s  %s%n", o.blobMib + " MiB blob, MiB/s",
                    "release", "X (disk)", "Y (registry on RGW)", "raw S3 (SDK v2)", "Y/S3", "target", "Y/X",
                    "commit (PUT) X | Y");
            for (String kind : List.of("push", "pull")) {
                for (Pair p : pairs) {
                    blobRow(p == first ? kind.equals("push") ? "push (POST+PATCH+PUT)" : "pull (GET)" : "", blobs,
                            kind, p, o.blobMib);
                }
            }
        }
        // Which S3 requests the registries on RGW make, per operation (a mean over the repetitions).
        List<String> columns = new ArrayList<>();
        Map<String, Map<String, S3Op>> perColumn = new LinkedHashMap<>();
        for (String kind : List.of("cold", "warm", "push", "pull")) {
            Result r = kind.equals("cold") || kind.equals("warm") ? builds : blobs;
            if (r == null) {
                continue;
            }
            for (Pair p : pairs) {
                String column = kind + " " + p.release.version;
                List<Run> runs = r.get(key(kind, p.y));
                Map<String, S3Op> sum = new java.util.TreeMap<>();
                runs.forEach(run -> run.s3().forEach((op, v) -> sum.merge(op, v, S3Op::plus)));
                sum.replaceAll((op, v) -> new S3Op(Math.round((float) v.count() / runs.size()),
                        v.seconds() / runs.size()));
                columns.add(column);
                perColumn.put(column, sum);
            }
        }
        if (!columns.isEmpty()) {
            System.out.printf("%nS3 requests per operation on Y (RGW's access log: count, summed RGW latency; mean per "
                    + "build or blob)%n");
            System.out.printf("%-34s", "operation");
            columns.forEach(c -> System.out.printf(" %16s", c));
            System.out.println();
            Map<String, Double> weight = new LinkedHashMap<>();
            perColumn.values().forEach(m -> m.forEach((op, v) -> weight.merge(op, v.seconds() + v.count() * 1e-6,
                    Double::sum)));
            List<String> ops = weight.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue()
                    .reversed()).map(Map.Entry::getKey).toList();
            for (String op : ops) {
                System.out.printf("%-34s", op);
                for (String c : columns) {
                    S3Op v = perColumn.get(c).get(op);
                    System.out.printf(" %16s", v == null ? "-" : "%d, %.2f s".formatted(v.count(), v.seconds()));
                }
                System.out.println();
            }
            System.out.printf("%-34s", "all");
            for (String c : columns) {
                S3Op all = perColumn.get(c).values().stream().reduce(new S3Op(0, 0), S3Op::plus);
                System.out.printf(" %16s", "%d, %.2f s".formatted(all.count(), all.seconds()));
            }
            System.out.println();
        }
    }

    static void buildRow(String label, Result r, String kind, Pair p, Pair first, double target) {
        List<Run> x = r.get(key(kind, p.x));
        List<Run> y = r.get(key(kind, p.y));
        double ratio = pairedRatio(y, x);
        String vsFirst = p == first ? "" : "%.2fx".formatted(pairedRatio(y, r.get(key(kind, first.y))));
        System.out.printf("%-22s %-7s %22s %22s %7.2fx %7s%s  %-11s %d | %d req, %.2f | %.2f s%n", label,
                p.release.version, spread(x, "s"), spread(y, "s"), ratio, "<=" + target + "x",
                ratio <= target ? " " : "!", vsFirst,
                Math.round(median(x.stream().map(v -> (double) v.requests()).toList())),
                Math.round(median(y.stream().map(v -> (double) v.requests()).toList())),
                median(x.stream().map(Run::registrySeconds).toList()),
                median(y.stream().map(Run::registrySeconds).toList()));
    }

    static void blobRow(String label, Result r, String kind, Pair p, int mib) {
        List<Double> x = r.get(key(kind, p.x)).stream().map(v -> mib / v.seconds()).toList();
        List<Double> y = r.get(key(kind, p.y)).stream().map(v -> mib / v.seconds()).toList();
        List<Double> s = r.get(kind + " S3").stream().map(v -> mib / v.seconds()).toList();
        double ratio = pairedRatio(r.get(kind + " S3"), r.get(key(kind, p.y)));   // time S3 / time Y = speed Y / S3
        double yx = pairedRatio(r.get(key(kind, p.x)), r.get(key(kind, p.y)));    // speed Y / X
        String commit = kind.equals("push") ? "%.2f | %.2f s".formatted(
                median(r.get(key(kind, p.x)).stream().map(Run::commitSeconds).toList()),
                median(r.get(key(kind, p.y)).stream().map(Run::commitSeconds).toList())) : "";
        System.out.printf("%-22s %-7s %22s %22s %22s %7.2fx %7s%s %7.2fx  %s%n", label, p.release.version, spreadOf(x),
                spreadOf(y), spreadOf(s), ratio, ">=0.8x", ratio >= 0.8 ? " " : "!", yx, commit);
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

    static Map<String, String> startCeph(Options o, int registriesOnRgw) throws Exception {
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
        pb.environment().put("MEMSTORE_BYTES", String.valueOf((long) o.memstoreMib(registriesOnRgw) << 20));
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
                   boolean rgwNoDelay, boolean redirect, List<String> releases) {
        /** RGW's memstore: it keeps every object in RAM and frees deleted data only at garbage collection. */
        int memstoreMib(int registriesOnRgw) {
            // Each cold build stores ~45 MiB; each pushed blob stays until RGW's garbage collection.
            return 1024 + registriesOnRgw * (reps * 2 * 60 + (reps + 1) * blobMib * 3) + (reps + 1) * blobMib * 3;
        }

        static Options parse(String[] args) {
            int reps = 5;
            int blobMib = 100;
            Integer cost = null;
            boolean builds = true;
            boolean blobs = true;
            boolean noDelay = false;
            boolean redirect = false;
            List<String> releases = List.of(V2, V3);
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
                    case "--releases" -> releases = List.of(args[++i].split(","));
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
                            + "[--no-builds] [--no-blobs] [--releases " + V2 + "," + V3 + "]");
                }
            }
            if (reps < 1 || blobMib < 1) {
                throw new IllegalArgumentException("--reps and --blob-mib must be positive");
            }
            for (String r : releases) {
                if (!r.equals(V2) && !r.equals(V3)) {
                    throw new IllegalArgumentException("--releases takes " + V2 + " and/or " + V3 + ", not " + r);
                }
            }
            return new Options(reps, blobMib, s3, cost, builds, blobs, noDelay, redirect, releases);
        }
    }
}
