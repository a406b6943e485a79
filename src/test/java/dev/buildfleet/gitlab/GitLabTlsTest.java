package dev.buildfleet.gitlab;

import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.tls.TestCa;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The operator's hop to GitLab over real TLS: FakeGitLab serving HTTPS with a certificate of a test CA. */
class GitLabTlsTest {
    private static final TestCa GITLAB_CA = TestCa.create("corporate GitLab CA");
    private static final TestCa OTHER_CA = TestCa.create("some other CA");
    private static FakeGitLab gitlab;

    @BeforeAll
    static void start() throws Exception {
        gitlab = new FakeGitLab(GITLAB_CA.issueServer().serverContext()).accessToken("glpat-op", "api");
    }

    @AfterAll
    static void stop() {
        gitlab.close();
    }

    private static FleetConfig.GitLab config(String caBundleFile) {
        return new FleetConfig.GitLab(gitlab.url().toString(), List.of("127.0.0.1/32"), null, null, null,
                caBundleFile, null, 5, null);
    }

    private static GitLabRunners.RunnerSettings settings() {
        return new GitLabRunners.RunnerSettings("instance_type", null, null, "bf-tls", List.of("tls"), false,
                "not_protected", false, false, null);
    }

    @Test
    void createsARunnerOverHttpsTrustingTheFleetCaBundle() {
        HttpGitLabRunners client = new HttpGitLabRunners(GitLabConnections.of(config(null),
                GITLAB_CA.trust("config.caBundle")), "glpat-op");

        GitLabRunners.RunnerToken token = client.create(settings());

        assertThat(gitlab.url().getScheme()).isEqualTo("https");
        assertThat(token.token()).startsWith("glrt-");
    }

    @Test
    void aWrongCaNamesTheHopAndTheSettingAndNeverTheToken() {
        HttpGitLabRunners client = new HttpGitLabRunners(GitLabConnections.of(config(null),
                OTHER_CA.trust("config.caBundle")), "glpat-op");

        assertThatThrownBy(() -> client.create(settings()))
                .isInstanceOf(GitLabFault.class)
                .hasMessageContaining("GitLab API at " + gitlab.url() + "/api/v4/: certificate not trusted by "
                        + "config.caBundle (no trusted CA issued it)")
                .message().doesNotContain("glpat-op");
    }

    @Test
    void theOlderGitLabCaBundleFileStillWorksAndIsNamedWhenWrong(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("gitlab-ca.pem"), GITLAB_CA.pem());
        Path wrong = Files.writeString(dir.resolve("other-ca.pem"), OTHER_CA.pem());

        assertThat(new HttpGitLabRunners(GitLabConnections.of(config(good.toString())), "glpat-op")
                .create(settings()).token()).startsWith("glrt-");
        assertThatThrownBy(() -> new HttpGitLabRunners(GitLabConnections.of(config(wrong.toString())), "glpat-op")
                .create(settings()))
                .hasMessageContaining("certificate not trusted by config.gitlab.caBundle (" + wrong + ")");
    }

    @Test
    void goesThroughTheFleetProxyUnlessNoProxyNamesGitLab() throws Exception {
        try (dev.buildfleet.proxy.ConnectProxy proxy = new dev.buildfleet.proxy.ConnectProxy()) {
            // A name only the proxy knows: the call can only arrive through it.
            String proxied = "https://" + TestCa.PROXIED_HOST + ":" + gitlab.url().getPort();
            FleetConfig.GitLab viaProxy = new FleetConfig.GitLab(proxied, List.of("127.0.0.1/32"), null, null, null,
                    null, null, 5, null);
            FleetConfig.Proxy fleetProxy = new FleetConfig.Proxy("http://127.0.0.1:" + proxy.port(), null, null,
                    List.of("10.10.2.5/32"), null);
            dev.buildfleet.proxy.OutboundProxy route = dev.buildfleet.proxy.OutboundProxy.of(fleetProxy,
                    List.of("localhost", "127.0.0.1", ".svc"));

            assertThat(new HttpGitLabRunners(GitLabConnections.of(viaProxy, GITLAB_CA.trust("config.caBundle"),
                    route), "glpat-op").create(settings()).token()).startsWith("glrt-");
            assertThat(proxy.tunnels()).containsExactly(TestCa.PROXIED_HOST + ":" + gitlab.url().getPort());

            assertThat(new HttpGitLabRunners(GitLabConnections.of(config(null), GITLAB_CA.trust("config.caBundle"),
                    route), "glpat-op").create(settings()).token()).as("127.0.0.1 is in NO_PROXY").startsWith("glrt-");
            assertThat(proxy.tunnels()).hasSize(1);
        }
    }

    @Test
    void aCaBundleFileThatIsNotPemIsRefusedNamingTheField(@TempDir Path dir) throws Exception {
        Path notPem = Files.writeString(dir.resolve("ca.der"), "MIIB-not-a-certificate");

        assertThatThrownBy(() -> new HttpGitLabRunners(GitLabConnections.of(config(notPem.toString())), "t"))
                .hasMessageContaining("config.gitlab.caBundle (" + notPem + ")")
                .hasMessageContaining("is not PEM");
    }
}
