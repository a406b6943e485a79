import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.operator.BuildfleetOperator;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Convergence of N tenants against fabric8's CRUD mock API server (storage through the in-memory double). Prints, per
 * size: time until every tenant has status; the API server's own busy time (the CRUD mock scans every stored object
 * on each request, so its cost per request grows with the fleet: that share is the mock's, not the operator's);
 * requests and writes per tenant on create, writes split into owned-object creates, other object writes, status
 * patches and Events; a resync of every tenant with nothing to change (each tenant's node is touched): its writes and
 * time; heap after convergence (the mock's stored objects live in the same JVM); and the ERROR/WARN log lines. Then
 * the per-tenant time of the largest size over the smallest.
 * Run: bench/run-operator [sizes...]   (default 100 500)
 */
public class OperatorBench {
    /** Log lines at WARN or ERROR, seen on stderr (slf4j-simple writes there). */
    static final AtomicLong PROBLEM_LINES = new AtomicLong();
    static final List<String> PROBLEM_SAMPLES = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        System.setErr(new PrintStream(new LineCounter(System.err), true, StandardCharsets.UTF_8));
        int[] sizes = args.length == 0 ? new int[]{100, 500}
                : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Fleet example = FleetLoader.load(Path.of("examples/fleet.yaml"));
        System.out.printf("%7s %9s %9s %8s %9s | %7s %7s %7s %7s %7s | %7s %8s | %5s %9s%n", "tenants",
                "converge", "per-ten.", "mock-busy", "req/ten.", "writes", "creates", "updates", "status", "events",
                "resync-w", "resync-t", "heap", "warn+err");
        System.out.println("(writes and requests per tenant on create; resync: every tenant woken, nothing to change)");
        List<double[]> perTenant = new ArrayList<>();
        for (int n : sizes) {
            long problemsBefore = PROBLEM_LINES.get();
            double seconds = run(example, n, problemsBefore);
            perTenant.add(new double[]{n, seconds / n});
        }
        if (perTenant.size() > 1) {
            double[] small = perTenant.get(0);
            double[] large = perTenant.get(perTenant.size() - 1);
            System.out.printf("per-tenant converge time at %d / at %d: %.2f%n", (int) large[0], (int) small[0],
                    large[1] / small[1]);
        }
        System.out.println("ERROR/WARN log lines in the whole run, shutdowns included: " + PROBLEM_LINES.get());
        synchronized (PROBLEM_SAMPLES) {
            PROBLEM_SAMPLES.forEach(s -> System.out.println("  log: " + s));
        }
    }

    static double run(Fleet example, int n, long problemsBefore) throws Exception {
        CountingDispatcher dispatcher = new CountingDispatcher();
        KubernetesMockServer server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
                new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(), dispatcher, false);
        server.init();
        KubernetesClient client = server.createClient();
        Operator operator = null;
        SharedIndexInformer<BuildTenant> watch = null;
        try {
            try (InputStream in = OperatorBench.class.getResourceAsStream(
                    "/META-INF/fabric8/buildtenants.buildfleet.dev-v1.yml")) {
                client.resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
            }
            for (int i = 0; i < n; i++) {
                client.resource(new NodeBuilder().withNewMetadata().withName("node-" + i)
                        .withLabels(Map.of("buildfleet.dev/tenant", "team-" + i)).endMetadata()
                        .withNewSpec().addNewTaint().withKey("buildfleet.dev/tenant").withValue("team-" + i)
                        .withEffect("NoSchedule").endTaint().endSpec()
                        .withNewStatus().withAllocatable(Map.of("cpu", new Quantity("32"), "memory",
                                new Quantity("128Gi"), "ephemeral-storage", new Quantity("1Ti")))
                        .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build())
                        .create();
            }
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            operator = BuildfleetOperator.create(client, example.config(), metrics,
                    BuildfleetOperator.Options.SINGLE, new dev.buildfleet.storage.InMemoryTenantStorage());
            operator.start();
            // The bench watches the tenants (one watch) instead of listing them over and over.
            Set<String> withStatus = ConcurrentHashMap.newKeySet();
            watch = client.resources(BuildTenant.class).inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(BuildTenant t) {
                    onUpdate(null, t);
                }

                @Override
                public void onUpdate(BuildTenant old, BuildTenant t) {
                    if (t.getStatus() != null) {
                        withStatus.add(t.getMetadata().getName());
                    }
                }

                @Override
                public void onDelete(BuildTenant t, boolean unknown) {
                }
            });
            Thread.sleep(500);
            Counts start = dispatcher.snapshot();
            BuildTenant template = example.tenants().get(0);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                BuildTenant t = Serialization.clone(template);
                t.getMetadata().setName("team-" + i);
                client.resource(t).create();
            }
            while (withStatus.size() < n) {
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Counts converged = dispatcher.snapshot();
            waitQuiet(dispatcher);
            Counts created = dispatcher.snapshot().minus(start);
            created.add("POST", "buildtenants", -n);   // the bench's own
            double mockBusy = (converged.busyNanos - start.busyNanos) / 1e9;

            System.gc();
            Runtime rt = Runtime.getRuntime();
            long heap = (rt.totalMemory() - rt.freeMemory()) >> 20;

            double reconciles = reconciles(metrics);
            Counts before = dispatcher.snapshot();
            long r0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                var node = client.nodes().withName("node-" + i).get();
                node.getMetadata().getAnnotations().put("bench", "touch");
                client.resource(node).update();
            }
            while (reconciles(metrics) < reconciles + n) {
                Thread.sleep(20);
            }
            double resyncSeconds = (System.nanoTime() - r0) / 1e9;
            waitQuiet(dispatcher);
            Counts resync = dispatcher.snapshot().minus(before);
            resync.add("PUT", "nodes", -n);   // the bench's own

            long problems = PROBLEM_LINES.get() - problemsBefore;
            System.out.printf("%7d %8.1fs %8.1fms %8.1fs %9.1f | %7.1f %7.1f %7.1f %7.1f %7.1f | %7d %7.1fs | %4dM %9d%n",
                    n, seconds, seconds * 1000 / n, mockBusy, created.requests() / (double) n,
                    created.writes() / (double) n, created.creates() / (double) n, created.otherWrites() / (double) n,
                    created.status() / (double) n, created.events() / (double) n, resync.writes(), resyncSeconds,
                    heap, problems);
            if (System.getenv("BENCH_DETAIL") != null) {
                System.out.println("  create requests: " + created.byKey);
                System.out.println("  resync requests: " + resync.byKey);
                client.v1().events().inAnyNamespace().list().getItems().stream()
                        .filter(e -> "team-1".equals(e.getInvolvedObject().getName()))
                        .forEach(e -> System.out.println("  event: " + e.getMetadata().getNamespace() + " "
                                + e.getType() + " " + e.getReason() + " x" + e.getCount() + " "
                                + e.getMessage().substring(0, Math.min(120, e.getMessage().length()))));
            }
            return seconds;
        } finally {
            // In order: the operator (finishing its reconciles) before the client it uses, then the server.
            if (watch != null) {
                watch.close();
            }
            if (operator != null) {
                operator.stop();
            }
            client.close();
            server.destroy();
        }
    }

    static double reconciles(SimpleMeterRegistry metrics) {
        var counter = metrics.find("buildfleet_reconciles").counter();
        return counter == null ? 0 : counter.count();
    }

    /** Waits until the API server has seen no write for a second. */
    static void waitQuiet(CountingDispatcher dispatcher) throws InterruptedException {
        long last = -1;
        int quiet = 0;
        while (quiet < 5) {
            Thread.sleep(200);
            long now = dispatcher.snapshot().writes();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    /** Requests by method and resource (status subresource apart), and the time spent answering them. */
    static final class Counts {
        final Map<String, Long> byKey = new TreeMap<>();
        long busyNanos;

        void add(String method, String resource, long count) {
            byKey.merge(method + " " + resource, count, Long::sum);
        }

        Counts minus(Counts other) {
            Counts out = new Counts();
            out.byKey.putAll(byKey);
            other.byKey.forEach((k, v) -> out.byKey.merge(k, -v, Long::sum));
            out.busyNanos = busyNanos - other.busyNanos;
            return out;
        }

        long sum(java.util.function.BiPredicate<String, String> which) {
            return byKey.entrySet().stream().filter(e -> {
                String[] parts = e.getKey().split(" ", 2);
                return which.test(parts[0], parts[1]);
            }).mapToLong(Map.Entry::getValue).sum();
        }

        long requests() {
            return sum((m, r) -> !r.endsWith("?watch"));
        }

        long writes() {
            return sum((m, r) -> !"GET".equals(m));
        }

        long events() {
            return sum((m, r) -> !"GET".equals(m) && r.equals("events"));
        }

        long status() {
            return sum((m, r) -> !"GET".equals(m) && r.endsWith("/status"));
        }

        long creates() {
            return sum((m, r) -> "POST".equals(m) && !r.equals("events"));
        }

        long otherWrites() {
            return writes() - events() - status() - creates();
        }
    }

    static final class CountingDispatcher extends KubernetesCrudDispatcher {
        private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
        private final LongAdder busy = new LongAdder();
        /** Prints the writes whose path contains this (BENCH_TRACE=team-0), to see what a tenant writes. */
        private static final String TRACE = System.getenv("BENCH_TRACE");

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            long t0 = System.nanoTime();
            try {
                return super.dispatch(request);
            } finally {
                busy.add(System.nanoTime() - t0);
                counts.computeIfAbsent(request.getMethod() + " " + resource(request.getPath()),
                        k -> new LongAdder()).increment();
                if (TRACE != null && !"GET".equals(request.getMethod()) && request.getPath().contains(TRACE)) {
                    String body = request.getUtf8Body();
                    System.out.println("  trace: " + request.getMethod() + " " + request.getPath() + " "
                            + (body == null ? "" : body.length() > 600 ? body.substring(0, 600) : body));
                }
            }
        }

        /** "configmaps", "buildtenants/status", "events", "nodes?watch" ... */
        static String resource(String path) {
            String query = "";
            int q = path.indexOf('?');
            if (q >= 0) {
                query = path.substring(q).contains("watch=true") ? "?watch" : "";
                path = path.substring(0, q);
            }
            String[] parts = path.split("/");
            List<String> segments = new ArrayList<>();
            for (String p : parts) {
                if (!p.isEmpty()) {
                    segments.add(p);
                }
            }
            // /api/v1/... or /apis/group/version/...
            int i = segments.isEmpty() ? 0 : "api".equals(segments.get(0)) ? 2 : 3;
            if (i < segments.size() && "namespaces".equals(segments.get(i)) && segments.size() > i + 2) {
                i += 2;
            }
            if (i >= segments.size()) {
                return String.join("/", segments) + query;
            }
            String kind = segments.get(i);
            boolean status = segments.size() > i + 2 && "status".equals(segments.get(i + 2));
            return kind + (status ? "/status" : "") + query;
        }

        Counts snapshot() {
            Counts c = new Counts();
            counts.forEach((k, v) -> c.byKey.put(k, v.sum()));
            c.busyNanos = busy.sum();
            return c;
        }
    }

    /** Passes stderr through and counts the log lines at WARN or ERROR. */
    static final class LineCounter extends OutputStream {
        private final PrintStream out;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineCounter(PrintStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) {
            out.write(b);
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (text.contains(" WARN ") || text.contains(" ERROR ")) {
                    PROBLEM_LINES.incrementAndGet();
                    synchronized (PROBLEM_SAMPLES) {
                        if (PROBLEM_SAMPLES.size() < 10) {
                            PROBLEM_SAMPLES.add(text.length() > 300 ? text.substring(0, 300) : text);
                        }
                    }
                }
            } else {
                line.write(b);
            }
        }

        @Override
        public void flush() {
            out.flush();
        }
    }
}
