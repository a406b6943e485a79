package dev.buildfleet.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.buildfleet.Fixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CacheRegistryTest {
    final ResolvedTenant tenant = Fixtures.resolved("java");
    final String configYml = CacheRegistryConfig.build(tenant);
    final PodSpec pod = CacheRegistryDeployment.build(tenant, configYml).getSpec().getTemplate().getSpec();

    @Test
    void configStoresIntoTheTenantsBucketUnderTheRegistryPrefix() throws IOException {
        JsonNode c = new YAMLMapper().readTree(configYml);
        assertThat(c.path("version").asText()).isEqualTo("0.1");
        JsonNode s3 = c.path("storage").path("s3");
        assertThat(s3.path("bucket").asText()).isEqualTo(tenant.cache().bucket()).isEqualTo("bf-java-cache");
        assertThat(s3.path("regionendpoint").asText()).isEqualTo("https://rgw.example.com");
        assertThat(s3.path("region").asText()).isEqualTo("default");
        assertThat(s3.path("rootdirectory").asText()).isEqualTo("/registry");
        assertThat(s3.path("secure").isBoolean()).isTrue();
        assertThat(s3.path("secure").asBoolean()).isTrue();
        assertThat(s3.path("v4auth").asBoolean()).isTrue();
        assertThat(s3.path("chunksize").asInt()).isEqualTo(10485760);
        // One server-side copy per committed blob up to 5 GiB; Distribution refuses to start above 5 GiB.
        assertThat(s3.path("multipartcopythresholdsize").isIntegralNumber()).isTrue();
        assertThat(s3.path("multipartcopythresholdsize").asLong()).isEqualTo(5368709120L);
        assertThat(s3.path("forcepathstyle").asBoolean()).isTrue();
        assertThat(c.path("storage").path("redirect").path("disable").asBoolean()).isTrue();
        assertThat(c.path("storage").path("delete").path("enabled").asBoolean()).isTrue();
        assertThat(c.path("storage").path("cache").path("blobdescriptor").asText()).isEqualTo("inmemory");
        assertThat(c.path("http").path("addr").asText()).isEqualTo(":5000");
        assertThat(c.path("http").path("debug").path("addr").asText()).isEqualTo(":5001");
        assertThat(c.path("http").path("debug").path("prometheus").path("enabled").asBoolean()).isTrue();
        assertThat(c.path("http").path("debug").path("prometheus").path("path").asText()).isEqualTo("/metrics");
        assertThat(c.path("auth").path("htpasswd").path("path").asText()).isEqualTo("/auth/htpasswd");
        assertThat(c.path("auth").path("htpasswd").path("realm").asText()).isNotBlank();
        // No keys in the file: they come from the environment.
        assertThat(s3.has("accesskey")).isFalse();
        assertThat(s3.has("secretkey")).isFalse();
    }

    @Test
    void pinnedToTheTenantsNodesLikeTheRunner() {
        assertThat(pod.getNodeSelector()).isEqualTo(tenant.nodeSelector()).isNotEmpty();
        assertThat(pod.getTolerations()).isEqualTo(tenant.tolerations()).isNotEmpty();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getEnableServiceLinks()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        Container c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("registry:2.8.3");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory", "ephemeral-storage");
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("debug");
        assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("config", "htpasswd", "tmp");
        assertThat(pod.getVolumes().get(1).getSecret().getSecretName()).isEqualTo("cache-registry-htpasswd");
    }

    @Test
    void s3KeysOnlyFromTheSecretAndNoCaBundle() {
        Container c = pod.getContainers().get(0);
        assertThat(c.getEnv()).extracting(e -> e.getName())
                .containsExactlyInAnyOrder("REGISTRY_STORAGE_S3_ACCESSKEY", "REGISTRY_STORAGE_S3_SECRETKEY")
                .doesNotContain("AWS_CA_BUNDLE");
        c.getEnv().forEach(e -> {
            assertThat(e.getValue()).isNull();
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(tenant.cache().credentialsSecret());
        });
        String rendered = Serialization.asYaml(TenantObjects.build(tenant));
        assertThat(rendered).doesNotContain("AWS_CA_BUNDLE");
    }

    @Test
    void onlyThisTenantsJobsReachTheRegistryAndItReachesOnlyCeph() {
        NetworkPolicy np = CacheRegistryNetworkPolicy.build(tenant);
        assertThat(np.getSpec().getPodSelector().getMatchLabels())
                .containsEntry(Names.ROLE_LABEL, Names.ROLE_CACHE_REGISTRY).containsEntry(Names.TENANT_LABEL, "java");
        assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        var ingress = np.getSpec().getIngress();
        assertThat(ingress).hasSize(3);
        NetworkPolicyPeer jobs = ingress.get(0).getFrom().get(0);
        assertThat(jobs.getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "bf-java"));
        assertThat(jobs.getPodSelector().getMatchLabels())
                .isEqualTo(Map.of(Names.TENANT_LABEL, "java", Names.ROLE_LABEL, Names.ROLE_BUILD_JOB));
        assertThat(ingress.get(0).getPorts().get(0).getPort().getIntVal()).isEqualTo(5000);
        // the operator prunes expired tags through the registry API: its pods only, in its namespace only
        NetworkPolicyPeer operator = ingress.get(1).getFrom().get(0);
        assertThat(operator.getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "buildfleet-system"));
        assertThat(operator.getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("app.kubernetes.io/name", "buildfleet-operator"));
        assertThat(ingress.get(1).getPorts().get(0).getPort().getIntVal()).isEqualTo(5000);
        assertThat(ingress.get(2).getFrom().get(0).getNamespaceSelector().getMatchLabels())
                .containsValue(tenant.network().monitoringNamespace());
        assertThat(ingress.get(2).getPorts().get(0).getPort().getIntVal()).isEqualTo(5001);
        assertThat(np.getSpec().getEgress()).hasSize(1);
        assertThat(np.getSpec().getEgress().get(0).getTo()).extracting(p -> p.getIpBlock().getCidr())
                .containsExactlyElementsOf(tenant.network().cephCidrs());

        var jobEgress = BuildJobNetworkPolicy.build(tenant).getSpec().getEgress();
        assertThat(jobEgress).filteredOn(rule -> rule.getTo().get(0).getPodSelector() != null).singleElement()
                .satisfies(rule -> {
            assertThat(rule.getTo().get(0).getPodSelector().getMatchLabels())
                    .isEqualTo(Map.of(Names.TENANT_LABEL, "java", Names.ROLE_LABEL, Names.ROLE_CACHE_REGISTRY));
            assertThat(rule.getTo().get(0).getNamespaceSelector().getMatchLabels())
                    .isEqualTo(Map.of("kubernetes.io/metadata.name", "bf-java"));
            assertThat(rule.getPorts().get(0).getPort().getIntVal()).isEqualTo(5000);
        });
    }

    @Test
    void serviceSelectsTheRegistryPods() {
        var svc = CacheRegistryService.build(tenant);
        assertThat(svc.getMetadata().getName()).isEqualTo("cache-registry");
        assertThat(svc.getSpec().getSelector()).isEqualTo(
                CacheRegistryDeployment.build(tenant, configYml).getSpec().getSelector().getMatchLabels());
        assertThat(svc.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(5000, 5001);
    }
}
