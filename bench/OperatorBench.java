import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.operator.BuildfleetOperator;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Convergence of N tenants against fabric8's CRUD mock API server (storage through the in-memory double): time until every tenant has status, write calls
 * per tenant on create and on a resync with nothing to change, and operator heap after convergence.
 * Run: bench/run-operator [sizes...]   (default 100 500)
 */
public class OperatorBench {
    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[]{100, 500}
                : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Fleet example = FleetLoader.load(Path.of("examples/fleet.yaml"));
        System.out.printf("%8s %12s %14s %16s %12s%n", "tenants", "converge", "writes/tenant", "resync writes",
                "heap MiB");
        for (int n : sizes) {
            run(example, n);
        }
    }

    static void run(Fleet example, int n) throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
                new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(),
                new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
        server.init();
        try (KubernetesClient client = server.createClient()) {
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
            Operator operator = BuildfleetOperator.create(client, example.config(), new SimpleMeterRegistry(),
                    BuildfleetOperator.Options.SINGLE, new dev.buildfleet.storage.InMemoryTenantStorage());
            operator.start();
            drain(server);
            BuildTenant template = example.tenants().get(0);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                BuildTenant t = Serialization.clone(template);
                t.getMetadata().setName("team-" + i);
                client.resource(t).create();
            }
            while (client.resources(BuildTenant.class).list().getItems().stream()
                    .filter(t -> t.getStatus() != null).count() < n) {
                Thread.sleep(50);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(1000);
            long createWrites = drain(server) - n;   // minus the bench's own tenant creates

            for (int i = 0; i < n; i++) {
                var node = client.nodes().withName("node-" + i).get();
                node.getMetadata().getAnnotations().put("bench", "touch");
                client.resource(node).update();
            }
            Thread.sleep(Math.max(3000, n * 10L));
            long resyncWrites = drain(server) - n;   // minus the bench's own node updates

            System.gc();
            Runtime rt = Runtime.getRuntime();
            System.out.printf("%8d %11.1fs %14.1f %16d %12d%n", n, seconds, (double) createWrites / n, resyncWrites,
                    (rt.totalMemory() - rt.freeMemory()) >> 20);
            operator.stop();
        } finally {
            server.destroy();
        }
    }

    /** Counts write requests (anything but GET) since the last call. */
    static long drain(KubernetesMockServer server) throws InterruptedException {
        long writes = 0;
        RecordedRequest r;
        while ((r = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
            if (!"GET".equals(r.getMethod())) {
                writes++;
            }
        }
        return writes;
    }
}
