import dev.buildfleet.config.Fleet;
import dev.buildfleet.render.FleetRenderer;
import dev.buildfleet.render.GitOpsUnits;
import dev.buildfleet.render.OutputDirectory;
import dev.buildfleet.validation.FleetValidator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;

/**
 * Renders generated fleets of increasing size and prints wall times and per-tenant cost.
 * Run: bench/run   (builds the jar, then: java -cp target/buildfleet.jar bench/RenderBench.java [sizes...])
 */
public class RenderBench {
    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[]{100, 1000} : java.util.Arrays.stream(args)
                .mapToInt(Integer::parseInt).toArray();
        Path work = Files.createTempDirectory("bf-bench");
        // Warm-up: JIT and class loading are not what a platform team waits for twice.
        run(work, 200, false);
        System.out.printf("%8s %10s %10s %10s %10s %12s %10s%n", "tenants", "load+val", "render", "write",
                "total", "per-tenant", "files");
        double firstPerTenant = 0;
        for (int n : sizes) {
            double[] t = run(work, n, true);
            double perTenant = t[3] / n;
            if (firstPerTenant == 0) {
                firstPerTenant = perTenant;
            }
            System.out.printf("%8d %9.0fms %9.0fms %9.0fms %9.0fms %10.2fms %10.0f%n", n, t[0], t[1], t[2], t[3],
                    perTenant, t[4]);
        }
        System.out.printf("per-tenant cost at %d tenants / at %d tenants: %.2f (1.0 = linear)%n",
                sizes[sizes.length - 1], sizes[0], lastPerTenant / firstPerTenant);
        cli(work, sizes);
        gitOpsUnits(work, sizes[sizes.length - 1]);
        Runtime rt = Runtime.getRuntime();
        System.out.printf("heap used after runs: %d MiB of max %d MiB%n",
                (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
    }

    static double lastPerTenant;

    /** What a user waits for: `bin/buildfleet render` in a new JVM, wall time and peak memory (GNU time). */
    static void cli(Path work, int[] sizes) throws Exception {
        double first = 0;
        for (int n : sizes) {
            Path out = work.resolve("cli-" + n);
            Path times = work.resolve("cli-" + n + ".time");
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder("/usr/bin/time", "-f", "%M", "-o", times.toString(), "bin/buildfleet",
                    "render", "-f", work.resolve("fleet-" + n + ".yaml").toString(), "-o", out.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("bin/buildfleet render of " + n + " tenants failed");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            first = first == 0 ? seconds : first;
            System.out.printf("bin/buildfleet render of %d tenants: %.2f s wall (target < 3 s at 1000), "
                    + "max RSS %d MiB, %.2f x the first size's time (target <= 3)%n", n, seconds,
                    Long.parseLong(Files.readAllLines(times).getLast().trim()) >> 10, seconds / first);
        }
    }

    /**
     * What a GitOps controller builds per unit at the largest size: `kubectl kustomize` of one tenant's folder, of
     * the ClusterRoles' and of the Flux folder (one Kustomization per tenant, the largest unit).
     */
    static void gitOpsUnits(Path work, int tenants) throws Exception {
        Fleet fleet = FleetValidator.loadValid(work.resolve("fleet-" + tenants + ".yaml"));
        List<String> names = fleet.tenants().stream().map(t -> t.getMetadata().getName()).sorted().toList();
        SortedMap<String, String> files = GitOpsUnits.add(FleetRenderer.render(fleet), names, GitOpsUnits.Tool.FLUX,
                new GitOpsUnits.Source("fleet", "HEAD", "clusters/prod"));
        Path out = work.resolve("gitops-" + tenants);
        OutputDirectory.write(out, files);
        for (String unit : List.of(names.getFirst(), GitOpsUnits.CLUSTER_ROLES_DIR, "flux")) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder("kubectl", "kustomize", out.resolve(unit).toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("kubectl kustomize " + unit + " failed");
            }
            System.out.printf("GitOps unit at %d tenants: kubectl kustomize %s/ %.2f s%n", tenants, unit,
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    static double[] run(Path work, int tenants, boolean record) throws Exception {
        Path file = work.resolve("fleet-" + tenants + ".yaml");
        Files.writeString(file, fleet(tenants));
        Path out = work.resolve("out-" + tenants + "-" + System.nanoTime());
        long t0 = System.nanoTime();
        Fleet fleet = FleetValidator.loadValid(file);
        long t1 = System.nanoTime();
        SortedMap<String, String> files = FleetRenderer.renderValid(fleet);
        long t2 = System.nanoTime();
        OutputDirectory.write(out, files);
        long t3 = System.nanoTime();
        if (record) {
            lastPerTenant = (t3 - t0) / 1e6 / tenants;
        }
        return new double[]{(t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t3 - t0) / 1e6, files.size()};
    }

    static String fleet(int tenants) {
        StringBuilder y = new StringBuilder("""
                apiVersion: buildfleet.dev/v1alpha1
                kind: Fleet
                config:
                  gitlab: {url: https://gitlab.example.com, cidrs: [10.10.0.10/32]}
                  kubernetesApi: {cidrs: [10.96.0.1/32]}
                  ceph: {endpoint: https://rgw.example.com, cidrs: [10.10.1.0/24]}
                tenants:
                """);
        for (int i = 0; i < tenants; i++) {
            y.append("""
                      - apiVersion: buildfleet.dev/v1alpha1
                        kind: BuildTenant
                        metadata: {name: team-%d}
                        spec:
                          gitlab: {runner: {create: {runnerType: group_type, groupId: %d, tags: [kaniko]}}}
                          concurrency: %d
                          egress: [{name: harbor, cidr: 10.20.0.0/16, ports: [443]}]
                    """.formatted(i, i + 1, 1 + i % 200));
        }
        return y.toString();
    }
}
