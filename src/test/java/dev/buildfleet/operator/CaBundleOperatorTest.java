package dev.buildfleet.operator;

import dev.buildfleet.Fixtures;
import dev.buildfleet.MockApiServer;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.gitlab.FakeGitLab;
import dev.buildfleet.gitlab.HttpGitLabRunners;
import dev.buildfleet.model.CaBundleMounts;
import dev.buildfleet.model.Names;
import dev.buildfleet.storage.InMemoryTenantStorage;
import dev.buildfleet.tls.TestCa;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The operator copies the fleet's CA bundle into the tenant namespace, and says what is wrong with a bad one. */
@EnableKubernetesMockClient(crud = true)
class CaBundleOperatorTest {
    KubernetesClient client;
    Operator operator;
    final Fleet fleet = Fixtures.example();
    final FakeGitLab gitlab = FakeGitLab.started().accessToken("glpat-operator", "api");
    static final String SOURCE_NAMESPACE = "buildfleet-system";

    @BeforeEach
    void start() throws Exception {
        MockApiServer.registerCrd(client);
        assertThat(fleet.config().caBundle().configMap()).as("the example fleet uses a CA bundle")
                .isEqualTo("corporate-ca");
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.stop();
        }
        gitlab.close();
    }

    void source(String pem) {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("corporate-ca")
                .withNamespace(SOURCE_NAMESPACE).endMetadata().withData(Map.of("ca.crt", pem)).build()).create();
    }

    void runJava() {
        operator = BuildfleetOperator.create(client, fleet.config(), new SimpleMeterRegistry(),
                BuildfleetOperator.Options.SINGLE, new InMemoryTenantStorage(),
                new HttpGitLabRunners(new HttpGitLabRunners.Connection(gitlab.url(), null, null,
                        Duration.ofSeconds(5)), "glpat-operator"), Duration.ofMillis(200));
        operator.start();
        BuildTenant java = Serialization.clone(fleet.tenants().stream()
                .filter(t -> t.getMetadata().getName().equals("java")).findFirst().orElseThrow());
        client.resource(java).create();
    }

    Condition caBundleReady() {
        BuildTenant t = client.resources(BuildTenant.class).withName("java").get();
        return t == null || t.getStatus() == null ? null
                : Conditions.find(t.getStatus().conditions(), CaBundleStep.CA_BUNDLE_READY);
    }

    @Test
    void copiesTheBundleIntoTheTenantNamespaceAndStampsItsChecksumOnThePodsThatMountIt() {
        String pem = TestCa.create("corporate root").pem();
        source(pem);
        runJava();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            ConfigMap copy = client.configMaps().inNamespace("bf-java").withName(CaBundleMounts.CONFIG_MAP).get();
            assertThat(copy).isNotNull();
            assertThat(copy.getData()).containsEntry(CaBundleMounts.KEY, pem);
            assertThat(caBundleReady().getStatus()).isEqualTo("True");
        });
        assertThat(caBundleReady().getMessage()).contains("CN=corporate root").doesNotContain("BEGIN CERTIFICATE");
        for (String name : new String[]{Names.RUNNER_DEPLOYMENT, Names.CACHE_REGISTRY}) {
            Deployment d = client.apps().deployments().inNamespace("bf-java").withName(name).get();
            assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry(CaBundleMounts.CHECKSUM_ANNOTATION, dev.buildfleet.model.RunnerDeployment.sha256(pem));
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getVolumeMounts())
                    .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo(CaBundleMounts.DIR));
        }
        String configToml = client.configMaps().inNamespace("bf-java").withName(Names.RUNNER_CONFIG_MAP).get()
                .getData().values().iterator().next();
        assertThat(configToml).contains("tls-ca-file = '" + CaBundleMounts.FILE + "'");
    }

    @Test
    void whenTheFleetNoLongerNamesABundleTheCopyAndItsMountsGoAway() {
        source(TestCa.create("corporate root").pem());
        runJava();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(client.configMaps()
                .inNamespace("bf-java").withName(CaBundleMounts.CONFIG_MAP).get()).isNotNull());
        operator.stop();

        var withoutBundle = new dev.buildfleet.config.FleetConfig(fleet.config().gitlab(),
                fleet.config().kubernetesApi(), fleet.config().ceph(), fleet.config().images(), fleet.config().dns(),
                fleet.config().monitoring(), fleet.config().defaults(), fleet.config().operator(),
                fleet.config().cluster(), fleet.config().egressPolicy(), fleet.config().verify(),
                fleet.config().hostAliases(), fleet.config().dnsConfig());
        operator = BuildfleetOperator.create(client, withoutBundle, new SimpleMeterRegistry(),
                BuildfleetOperator.Options.SINGLE, new InMemoryTenantStorage(),
                new HttpGitLabRunners(new HttpGitLabRunners.Connection(gitlab.url(), null, null,
                        Duration.ofSeconds(5)), "glpat-operator"), Duration.ofMillis(200));
        operator.start();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(client.configMaps().inNamespace("bf-java").withName(CaBundleMounts.CONFIG_MAP).get()).isNull();
            Deployment runner = client.apps().deployments().inNamespace("bf-java")
                    .withName(Names.RUNNER_DEPLOYMENT).get();
            assertThat(runner.getSpec().getTemplate().getSpec().getVolumes())
                    .noneSatisfy(v -> assertThat(v.getConfigMap()).isNotNull()
                            .satisfies(c -> assertThat(c.getName()).isEqualTo(CaBundleMounts.CONFIG_MAP)));
        });
        assertThat(caBundleReady()).isNull();
        // The tenant's other ConfigMaps stay.
        assertThat(client.configMaps().inNamespace("bf-java").withName(Names.RUNNER_CONFIG_MAP).get()).isNotNull();
    }

    @Test
    void aBundleThatIsNotPemIsNotCopiedAndTheConditionNamesTheFieldAndConfigMap() {
        source("this is not a certificate");
        runJava();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(caBundleReady()).isNotNull();
            assertThat(caBundleReady().getStatus()).isEqualTo("False");
        });
        assertThat(caBundleReady().getReason()).isEqualTo("CaBundleInvalid");
        assertThat(caBundleReady().getMessage()).contains("config.caBundle (ConfigMap buildfleet-system/corporate-ca "
                + "key ca.crt)").contains("is not PEM");
        assertThat(client.configMaps().inNamespace("bf-java").withName(CaBundleMounts.CONFIG_MAP).get()).isNull();
    }

    @Test
    void aMissingBundleIsReportedWithWhatToCreate() {
        runJava();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(caBundleReady()).isNotNull();
            assertThat(caBundleReady().getReason()).isEqualTo("CaBundleMissing");
        });
        assertThat(caBundleReady().getMessage()).contains("config.caBundle: ConfigMap buildfleet-system/corporate-ca "
                + "key ca.crt does not exist");
    }
}
