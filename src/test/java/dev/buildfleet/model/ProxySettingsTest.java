package dev.buildfleet.model;

import dev.buildfleet.Fixtures;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetConfig;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What `render` writes for config.proxy: the variables in every pod and job, and a NetworkPolicy to the proxy only. */
class ProxySettingsTest {
    static ResolvedTenant java(FleetConfig.Proxy proxy) {
        Fleet fleet = Fixtures.example();
        FleetConfig c = fleet.config();
        FleetConfig withProxy = new FleetConfig(c.gitlab(), c.kubernetesApi(), c.ceph(), c.images(), c.dns(),
                c.monitoring(), c.defaults(), c.operator(), new FleetConfig.Cluster(List.of("10.244.0.0/16"),
                List.of("10.96.0.0/12")), c.egressPolicy(), c.verify(), c.hostAliases(), c.dnsConfig(), c.caBundle(),
                proxy);
        return TenantResolver.resolve(withProxy, fleet.tenants().getFirst());
    }

    static final FleetConfig.Proxy PROXY = new FleetConfig.Proxy("http://proxy.corp.example:3128", null,
            List.of(".corp.example", "10.10.0.0/16"), List.of("10.10.2.5/32"), null);

    @Test
    void jobsRunnerAndRegistryGetTheProxyWithClusterNamesAndTheCacheRegistryDirect() {
        ResolvedTenant t = java(PROXY);
        String noProxy = "NO_PROXY=localhost,127.0.0.1,.svc,.cluster.local,cache-registry,cache-registry.bf-java,"
                + "10.96.0.1/32,192.168.10.0/28,kubernetes.default,10.96.0.0/12,10.244.0.0/16,.corp.example,"
                + "10.10.0.0/16";

        assertThat(RunnerConfigToml.build(t)).contains("'HTTP_PROXY=http://proxy.corp.example:3128'",
                "'HTTPS_PROXY=http://proxy.corp.example:3128'", "'https_proxy=http://proxy.corp.example:3128'",
                "'" + noProxy + "'", "'no_proxy=" + noProxy.substring("NO_PROXY=".length()) + "'");
        for (HasMetadata o : TenantObjects.build(t)) {
            if (o instanceof Deployment d) {
                assertThat(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv())
                        .as(d.getMetadata().getName())
                        .contains(new EnvVar("HTTPS_PROXY", "http://proxy.corp.example:3128", null),
                                new EnvVar("NO_PROXY", noProxy.substring("NO_PROXY=".length()), null));
            }
        }
    }

    @Test
    void theNetworkPolicyOpensTheProxyOnlyAtItsAddressAndPort() {
        NetworkPolicy policy = TenantObjects.build(java(PROXY)).stream()
                .filter(o -> o.getMetadata().getName().equals(ProxyEgressNetworkPolicy.NAME))
                .map(o -> (NetworkPolicy) o).findFirst().orElseThrow();

        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry(Names.TENANT_LABEL, "java");
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Egress");
        assertThat(policy.getSpec().getEgress()).singleElement().satisfies(rule -> {
            assertThat(rule.getTo()).singleElement().satisfies(peer ->
                    assertThat(peer.getIpBlock().getCidr()).isEqualTo("10.10.2.5/32"));
            assertThat(rule.getPorts()).singleElement().satisfies(port -> {
                assertThat(port.getPort().getIntVal()).isEqualTo(3128);
                assertThat(port.getProtocol()).isEqualTo("TCP");
            });
        });
    }

    @Test
    void withoutAProxyNothingChanges() {
        ResolvedTenant t = java(null);
        assertThat(RunnerConfigToml.build(t)).doesNotContain("PROXY");
        assertThat(TenantObjects.build(t)).noneMatch(o -> o.getMetadata().getName()
                .equals(ProxyEgressNetworkPolicy.NAME));
    }
}
