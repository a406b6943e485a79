package dev.buildfleet.proxy;

import dev.buildfleet.config.FleetConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** NO_PROXY as the operator reads it, the way Go's net/http reads it in the pods. */
class OutboundProxyTest {
    final OutboundProxy proxy = OutboundProxy.of(new FleetConfig.Proxy("http://proxy.corp.example:3128",
                    "http://tls-proxy.corp.example:3129", null, List.of("10.10.2.5/32"), null),
            List.of("localhost", ".svc", "corp.example", "10.10.0.0/16", "192.168.1.7"));

    @Test
    void namesMatchThemselvesAndTheirSubdomainsAndIpsMatchByCidr() {
        assertThat(proxy.forTarget(URI.create("https://rgw.corp.example"))).isEmpty();
        assertThat(proxy.forTarget(URI.create("https://corp.example"))).isEmpty();
        assertThat(proxy.forTarget(URI.create("http://cache-registry.bf-java.svc:5000"))).isEmpty();
        assertThat(proxy.forTarget(URI.create("https://10.10.200.1:7480"))).isEmpty();
        assertThat(proxy.forTarget(URI.create("https://192.168.1.7"))).isEmpty();
        assertThat(proxy.forTarget(URI.create("https://notcorp.example"))).isPresent();
        assertThat(proxy.forTarget(URI.create("https://10.11.0.1"))).isPresent();
    }

    @Test
    void httpsTargetsUseHttpsProxy() {
        assertThat(proxy.urlFor(URI.create("https://gitlab.com"))).contains(URI.create("http://tls-proxy.corp.example:3129"));
        assertThat(proxy.urlFor(URI.create("http://gitlab.com"))).contains(URI.create("http://proxy.corp.example:3128"));
    }
}
