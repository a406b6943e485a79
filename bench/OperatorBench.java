import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.operator.BuildfleetOperator;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
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
 * Convergence of N tenants against fabric8's CRUD mock API server, or with --real against a real control plane
 * (test-infra/k8s, a fresh one per size); Ceph through the in-memory storage double in both. Prints, per
 * size: time until every tenant has status; the mock's own busy time (the CRUD mock scans every stored object
 * on each request, so its cost per request grows with the fleet: that share is the mock's, not the operator's);
 * requests and writes per tenant on create, writes split into owned-object creates, other object writes, status
 * patches and Events (on the real control plane counted until every tenant's Deployments have a pod available, so
 * they include the Ready transitions); a resync of every tenant with nothing to change (each tenant's node is
 * touched): its writes and time; heap after convergence (the mock's stored objects live in the same JVM); and the ERROR/WARN log lines. Then
 * the per-tenant time of the largest size over the smallest.
 * Run: bench/run-operator [--real] [sizes...]   (default 100 500)
 */
public class OperatorBench {
    /** Log lines at WARN or ERROR, seen on stderr (slf4j-simple writes there). */
    static final AtomicLong PROBLEM_LINES = new AtomicLong();
    static final List<String> PROBLEM_SAMPLES = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        System.setErr(new PrintStream(new LineCounter(System.err), true, StandardCharsets.UTF_8));
        boolean real = args.length > 0 && args[0].equals("--real");
        String[] sizeArgs = real ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        int[] sizes = sizeArgs.length == 0 ? new int[]{100, 500}
                : java.util.Arrays.stream(sizeArgs).mapToInt(Integer::parseInt).toArray();
        Fleet example = FleetLoader.load(Path.of("examples/fleet.yaml"));
        System.out.printf("%7s %9s %9s %8s %9s | %7s %7s %7s %7s %7s | %7s %8s | %5s %9s%n", "tenants",
                "converge", "per-ten.", "api-busy", "req/ten.", "writes", "creates", "updates", "status", "events",
                "resync-w", "resync-t", "heap", "warn+err");
        System.out.println(real ? "(real control plane, a fresh one per size; writes per tenant on create from its "
                + "audit log, the operator's user only, leases apart; reads are not logged)"
                : "(fabric8's CRUD mock; writes and requests per tenant on create, the operator's client only)");
        System.out.println("(resync: every tenant's node touched, every tenant reconciled, nothing to change)");
        List<double[]> perTenant = new ArrayList<>();
        for (int n : sizes) {
            long problemsBefore = PROBLEM_LINES.get();
            double seconds = run(example, n, problemsBefore, real);
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

    static double run(Fleet example, int n, long problemsBefore, boolean real) throws Exception {
        ApiServer api = real ? RealApiServer.start() : new MockApiServer();
        KubernetesClient client = api.admin;
        Operator operator = null;
        SharedIndexInformer<BuildTenant> watch = null;
        try {
            api.install();
            for (int i = 0; i < n; i++) {
                Node node = new NodeBuilder().withNewMetadata().withName("node-" + i)
                        .withLabels(Map.of("buildfleet.dev/tenant", "team-" + i, "kubernetes.io/hostname", "node-" + i,
                                "kubernetes.io/os", "linux", "type", "kwok"))
                        // kwok plays the kubelet of nodes with this annotation on the real control plane
                        .withAnnotations(Map.of("kwok.x-k8s.io/node", "fake", "node.alpha.kubernetes.io/ttl", "0"))
                        .endMetadata()
                        .withNewSpec().addNewTaint().withKey("buildfleet.dev/tenant").withValue("team-" + i)
                        .withEffect("NoSchedule").endTaint().endSpec()
                        .withNewStatus().withAllocatable(Map.of("cpu", new Quantity("32"), "memory",
                                new Quantity("128Gi"), "ephemeral-storage", new Quantity("1Ti"), "pods",
                                new Quantity("110")))
                        .withCapacity(Map.of("cpu", new Quantity("32"), "memory", new Quantity("128Gi"),
                                "ephemeral-storage", new Quantity("1Ti"), "pods", new Quantity("110")))
                        .endStatus().build();
                if (!real) {
                    // Not on the real control plane: kwok's node-initialize stage skips a node already Ready, its
                    // first heartbeat then comes 20-45 s later, the node controller marks the node and its pods
                    // NotReady meanwhile, and kwok never makes those pods Ready again
                    node.getStatus().getConditions().add(new NodeConditionBuilder().withType("Ready")
                            .withStatus("True").build());
                }
                client.resource(node).create();
            }
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            operator = BuildfleetOperator.create(api.operator, example.config(), metrics,
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
            Object start = api.mark();
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
            double apiBusy = api.busySeconds(start);
            // On the real control plane the pods start after the first status: let them, so that the resync
            // measures a fleet with nothing left to change, and the writes on create include the Ready transitions.
            double settled = api instanceof RealApiServer ? waitAvailable(client, 2 * n) : Double.NaN;
            waitQuiet(api);
            Counts created = api.operatorRequests(start);

            System.gc();
            Runtime rt = Runtime.getRuntime();
            long heap = (rt.totalMemory() - rt.freeMemory()) >> 20;

            double reconciles = reconciles(metrics);
            Object before = api.mark();
            long r0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                // A merge patch without resourceVersion: on the real control plane kwok renews the node meanwhile
                client.nodes().withName("node-" + i).patch(
                        PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"bench\":\"touch\"}}}");
            }
            while (reconciles(metrics) < reconciles + n) {
                Thread.sleep(20);
            }
            double resyncSeconds = (System.nanoTime() - r0) / 1e9;
            waitQuiet(api);
            Counts resync = api.operatorRequests(before);

            long problems = PROBLEM_LINES.get() - problemsBefore;
            System.out.printf("%7d %8.1fs %8.1fms %8s %9s | %7.1f %7.1f %7.1f %7.1f %7.1f | %7d %7.1fs | %4dM %9d%n",
                    n, seconds, seconds * 1000 / n, Double.isNaN(apiBusy) ? "-" : "%.1fs".formatted(apiBusy),
                    created.requests() < 0 ? "-" : "%.1f".formatted(created.requests() / (double) n),
                    created.writes() / (double) n, created.creates() / (double) n, created.otherWrites() / (double) n,
                    created.status() / (double) n, created.events() / (double) n, resync.writes(), resyncSeconds,
                    heap, problems);
            if (!Double.isNaN(settled)) {
                System.out.printf("        (all %d Deployments of the tenants available %.1f s after the last tenant's "
                        + "first status)%n", 2 * n, settled);
            }
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
            // In order: the operator (finishing its reconciles) before the clients it uses, then the server.
            if (watch != null) {
                watch.close();
            }
            if (operator != null) {
                operator.stop();
            }
            api.close();
        }
    }

    /** Where the bench's tenants live: the operator's requests are counted apart from the bench's own. */
    abstract static class ApiServer implements AutoCloseable {
        KubernetesClient admin;
        /** The operator's client: the mock tells its requests apart by user agent, the real one by user. */
        KubernetesClient operator;

        /** The CRD and, on the real control plane, the operator's install (its ServiceAccount and RBAC). */
        abstract void install() throws Exception;

        abstract Object mark();

        /** The operator's requests since the mark (on the real API server: writes only, from its audit log). */
        abstract Counts operatorRequests(Object since);

        /** The API server's own time answering, all clients; NaN where it cannot be told. */
        abstract double busySeconds(Object since);

        /** The clients; a server of its own stops after them. */
        @Override
        public void close() {
            if (operator != null) {
                operator.close();
            }
            admin.close();
        }
    }

    static final String OPERATOR_AGENT = "buildfleet-operator-bench";

    static final class MockApiServer extends ApiServer {
        final CountingDispatcher dispatcher = new CountingDispatcher();
        final KubernetesMockServer server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
                new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(), dispatcher, false);

        MockApiServer() {
            server.init();
            admin = server.createClient();
            operator = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                    new io.fabric8.kubernetes.client.ConfigBuilder(admin.getConfiguration())
                            .withUserAgent(OPERATOR_AGENT).build()).build();
        }

        @Override
        void install() throws Exception {
            try (InputStream in = OperatorBench.class.getResourceAsStream(
                    "/META-INF/fabric8/buildtenants.buildfleet.dev-v1.yml")) {
                admin.resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
            }
        }

        @Override
        Object mark() {
            return dispatcher.snapshot();
        }

        @Override
        Counts operatorRequests(Object since) {
            return dispatcher.snapshot().minus((Counts) since);
        }

        @Override
        double busySeconds(Object since) {
            return (dispatcher.busy.sum() - ((Counts) since).busyNanos) / 1e9;
        }

        @Override
        public void close() {
            super.close();
            server.destroy();
        }
    }

    /**
     * A fresh real control plane (test-infra/k8s: kube-apiserver, etcd, controller-manager, scheduler, kwok) per
     * size, with deploy/base installed and the operator running as its own ServiceAccount. The controllers, the
     * scheduler and kwok do their real work for the tenants' Deployments and namespaces on the same two cores.
     */
    static final class RealApiServer extends ApiServer {
        static final String SYSTEM = dev.buildfleet.k8s.RealCluster.OPERATOR_NAMESPACE;
        final dev.buildfleet.k8s.RealCluster cluster;

        private RealApiServer(dev.buildfleet.k8s.RealCluster cluster) {
            this.cluster = cluster;
            this.admin = cluster.adminClient();
        }

        static RealApiServer start() {
            return new RealApiServer(dev.buildfleet.k8s.RealCluster.fresh());
        }

        @Override
        void install() {
            cluster.kubectl("apply", "-k", "deploy/base").ok();
            // Its image cannot run here: the operator under test runs in the bench's JVM, as its ServiceAccount.
            cluster.kubectl("-n", SYSTEM, "scale", "deployment/buildfleet-operator", "--replicas=0").ok();
            cluster.kubectl("wait", "--for=condition=Established", "crd/buildtenants.buildfleet.dev").ok();
            operator = dev.buildfleet.k8s.RealCluster.client(cluster.kubeconfigFor(SYSTEM,
                    dev.buildfleet.model.Names.OPERATOR_SERVICE_ACCOUNT));
        }

        @Override
        Object mark() {
            return cluster.auditMark();
        }

        /** Leases left out: the operator runs single here, and a leader's renewals are not reconcile work. */
        @Override
        Counts operatorRequests(Object since) {
            Counts counts = new Counts();
            counts.unknownReads = true;
            cluster.forEachWriteSince((Long) since, dev.buildfleet.k8s.RealCluster.OPERATOR_USER, event -> {
                String resource = event.at("/objectRef/resource").asText();
                if (resource.equals("leases")) {
                    return;
                }
                String sub = event.at("/objectRef/subresource").asText();
                String method = switch (event.path("verb").asText()) {
                    case "create" -> "POST";
                    case "update" -> "PUT";
                    case "patch" -> "PATCH";
                    default -> "DELETE";
                };
                counts.add(method, resource + (sub.equals("status") ? "/status" : ""), 1);
            });
            return counts;
        }

        @Override
        double busySeconds(Object since) {
            return Double.NaN;
        }

    }

    static double reconciles(SimpleMeterRegistry metrics) {
        var counter = metrics.find("buildfleet_reconciles").counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * Waits until the operator has written nothing for a second (two on the real API server, whose log lags). Each
     * look reads only what was logged since the previous one, so it costs the same however long the run.
     */
    /** Waits until that many of the tenants' Deployments have an available pod; returns the seconds it took. */
    static double waitAvailable(KubernetesClient client, int deployments) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + 15L * 60 * 1_000_000_000;
        while (true) {
            long available = client.apps().deployments().inAnyNamespace()
                    .withLabel(dev.buildfleet.model.Names.MANAGED_BY_LABEL, dev.buildfleet.model.Names.MANAGED_BY)
                    .list().getItems().stream().filter(d -> d.getStatus() != null
                            && d.getStatus().getAvailableReplicas() != null && d.getStatus().getAvailableReplicas() >= 1)
                    .count();
            if (available >= deployments) {
                return (System.nanoTime() - t0) / 1e9;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + available + " of " + deployments
                        + " Deployments available after 15 min");
            }
            Thread.sleep(1000);
        }
    }

    static void waitQuiet(ApiServer api) throws InterruptedException {
        int quiet = 0;
        Object window = api.mark();
        while (quiet < 5) {
            Thread.sleep(api instanceof RealApiServer ? 400 : 200);
            Object next = api.mark();
            quiet = api.operatorRequests(window).writes() == 0 ? quiet + 1 : 0;
            window = next;
        }
    }

    /** Requests by method and resource (status subresource apart), and the time spent answering them. */
    static final class Counts {
        final Map<String, Long> byKey = new TreeMap<>();
        long busyNanos;
        /** An audit log of writes only: no read is counted. */
        boolean unknownReads;

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

        /** -1 where reads are not counted. */
        long requests() {
            return unknownReads ? -1 : sum((m, r) -> !r.endsWith("?watch"));
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
        final LongAdder busy = new LongAdder();
        /** Prints the writes whose path contains this (BENCH_TRACE=team-0), to see what a tenant writes. */
        private static final String TRACE = System.getenv("BENCH_TRACE");

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            long t0 = System.nanoTime();
            MockResponse response = super.dispatch(request);
            busy.add(System.nanoTime() - t0);
            String agent = request.getHeader("User-Agent");
            if (agent != null && agent.startsWith(OPERATOR_AGENT)) {
                counts.computeIfAbsent(request.getMethod() + " " + resource(request.getPath()),
                        k -> new LongAdder()).increment();
                if (TRACE != null && !"GET".equals(request.getMethod()) && request.getPath().contains(TRACE)) {
                    String body = request.getUtf8Body();
                    System.out.println("  trace: " + request.getMethod() + " " + request.getPath() + " "
                            + (body == null ? "" : body.length() > 600 ? body.substring(0, 600) : body));
                }
            }
            return response;
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
