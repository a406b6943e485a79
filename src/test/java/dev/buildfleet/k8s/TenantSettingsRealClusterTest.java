package dev.buildfleet.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.buildfleet.Fixtures;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.model.BuildCapacity;
import dev.buildfleet.model.BuildLimitRange;
import dev.buildfleet.model.BuildResourceQuota;
import dev.buildfleet.model.BuildServiceAccount;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.RunnerConfigToml;
import dev.buildfleet.model.TenantNamespace;
import dev.buildfleet.model.TenantResolver;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tenant settings on the real API server. Job sizes a job may raise (jobResources maxRequest/maxLimit): the rendered
 * LimitRange and ResourceQuota admit the runner's full concurrency with every job at its maxima, and refuse a job
 * above them, as the API server's LimitRanger and ResourceQuota admission do for gitlab-runner's pods. The escape
 * hatches: the CRD keeps runnerConfig and runnerPodPatch as written (no pruning of their free-form keys).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantSettingsRealClusterTest {
    RealCluster cluster;
    KubernetesClient admin;
    ResolvedTenant tenant;
    JsonNode kubernetes;

    @BeforeAll
    void apply() throws Exception {
        cluster = RealCluster.get();
        admin = cluster.adminClient();
        var fleet = FleetLoader.parse(Fixtures.exampleWith(root -> {
            ((ObjectNode) root.withArray("tenants").get(0).get("metadata")).put("name", "sizes");
            var resources = Fixtures.tenantSpec(root, 0).put("concurrency", 6).putObject("jobResources");
            resources.putObject("cpu").put("request", "500m").put("limit", "1").put("maxRequest", "2")
                    .put("maxLimit", "3");
            resources.putObject("memory").put("request", "1Gi").put("limit", "2Gi").put("maxRequest", "4Gi")
                    .put("maxLimit", "6Gi");
        })).fleet();
        tenant = TenantResolver.resolve(fleet.config(), fleet.tenants().get(0));
        for (var object : java.util.List.of(TenantNamespace.build(tenant), BuildServiceAccount.build(tenant),
                BuildResourceQuota.build(tenant), BuildLimitRange.build(tenant))) {
            admin.resource(object).create();
        }
        // ResourceQuota admission refuses every pod until the controller manager has written the quota's status.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
            var quota = admin.resourceQuotas().inNamespace(tenant.namespace()).list().getItems();
            return !quota.isEmpty() && quota.get(0).getStatus() != null && quota.get(0).getStatus().getHard() != null
                    && !quota.get(0).getStatus().getHard().isEmpty();
        });
        kubernetes = new TomlMapper().readTree(RunnerConfigToml.build(tenant)).path("runners").get(0)
                .path("kubernetes");
    }

    @AfterAll
    void remove() {
        if (admin != null && tenant != null) {
            admin.namespaces().withName(tenant.namespace()).delete();
        }
    }

    /** The pod gitlab-runner makes for a job whose variables set its build container to the config's maxima. */
    Pod jobAt(String name, String cpuLimit) {
        Pod pod = RealClusterOperatorTest.jobPod(kubernetes, name);
        var build = pod.getSpec().getContainers().get(0).getResources();
        build.setRequests(Map.of("cpu", new Quantity(kubernetes.path("cpu_request_overwrite_max_allowed").asText()),
                "memory", new Quantity(kubernetes.path("memory_request_overwrite_max_allowed").asText()),
                "ephemeral-storage", new Quantity(kubernetes.path("ephemeral_storage_request").asText())));
        build.setLimits(Map.of("cpu", new Quantity(cpuLimit),
                "memory", new Quantity(kubernetes.path("memory_limit_overwrite_max_allowed").asText()),
                "ephemeral-storage", new Quantity(kubernetes.path("ephemeral_storage_limit").asText())));
        return pod;
    }

    @Test
    void theCrdKeepsTheEscapeHatchesAsWritten() {
        cluster.kubectl("apply", "-f", "deploy/base/crd.yaml").ok();
        String tenantYaml = """
                apiVersion: buildfleet.dev/v1alpha1
                kind: BuildTenant
                metadata: {name: hatch}
                spec:
                  gitlab: {runner: {tokenSecretRef: {name: runner-token, key: token}}}
                  runnerConfig:
                    output_limit: 16384
                    environment: [GIT_DEPTH=5]
                    feature_flags: {FF_PRINT_POD_EVENTS: true}
                    kubernetes: {poll_timeout: 600, pod_annotations: {cost-center.example.com/team: hatch}}
                  runnerPodPatch:
                    metadata: {labels: {cost-center: hatch}}
                    spec:
                      containers:
                        - name: runner
                          resources: {requests: {cpu: 500m}}
                """;
        JsonNode sent = dev.buildfleet.render.Yaml.read(tenantYaml);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions()
                .untilAsserted(() -> {
                    var stored = admin.resource(io.fabric8.kubernetes.client.utils.Serialization.unmarshal(tenantYaml,
                            io.fabric8.kubernetes.api.model.GenericKubernetesResource.class)).dryRun().create();
                    JsonNode spec = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(
                            stored.getAdditionalProperties().get("spec"));
                    assertThat(spec.path("runnerConfig")).isEqualTo(sent.at("/spec/runnerConfig"));
                    assertThat(spec.path("runnerPodPatch")).isEqualTo(sent.at("/spec/runnerPodPatch"));
                });
    }

    @Test
    void everyJobSlotAtItsMaximaIsAdmittedAndAJobAboveThemIsRefused() {
        String maxCpu = kubernetes.path("cpu_limit_overwrite_max_allowed").asText();
        assertThat(maxCpu).isEqualTo("3");
        assertThatThrownBy(() -> admin.resource(jobAt("above-the-maximum", "4")).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("maximum cpu usage per Container is 3");

        int slots = BuildCapacity.of(tenant).jobs() + BuildCapacity.of(tenant).spareJobs();
        for (int i = 0; i < slots; i++) {
            admin.resource(jobAt("job-" + i, maxCpu)).create();
        }
        assertThat(admin.pods().inNamespace(tenant.namespace()).list().getItems()).hasSize(slots);
        // The quota keeps room for the infrastructure pods, not for another job at its maxima.
        assertThatThrownBy(() -> admin.resource(jobAt("one-more", maxCpu)).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("exceeded quota");
    }
}
