package dev.buildfleet.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.buildfleet.Fixtures;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.validation.FleetValidator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** What spec.runnerConfig and spec.runnerPodPatch change in the rendered tenant, and what they leave alone. */
class EscapeHatchTest {
    static ResolvedTenant javaWith(Consumer<ObjectNode> spec) {
        Fleet fleet = FleetLoader.parse(Fixtures.exampleWith(root -> spec.accept(Fixtures.tenantSpec(root, 0))))
                .fleet();
        assertThat(FleetValidator.validate(fleet)).isEmpty();
        return TenantResolver.resolve(fleet.config(), fleet.tenants().get(0));
    }

    @Test
    void extraRunnerSettingsLandInTheTenantsRunnerEntryBesideBuildfleetsOwn() throws IOException {
        ResolvedTenant t = javaWith(spec -> {
            ObjectNode extra = spec.putObject("runnerConfig");
            extra.put("output_limit", 16384).put("pre_build_script", "echo 'start'\necho \"build\"");
            extra.putArray("environment").add("GIT_DEPTH=5");
            extra.putObject("feature_flags").put("FF_PRINT_POD_EVENTS", true);
            ObjectNode kubernetes = extra.putObject("kubernetes");
            kubernetes.put("poll_timeout", 600).put("helper_image_flavor", "ubuntu");
            kubernetes.putObject("pod_annotations").put("cost-center.example.com/team", "java");
        });
        JsonNode runner = new TomlMapper().readTree(RunnerConfigToml.build(t)).path("runners").get(0);
        assertThat(runner.path("output_limit").asInt()).isEqualTo(16384);
        assertThat(runner.path("pre_build_script").asText()).isEqualTo("echo 'start'\necho \"build\"");
        assertThat(runner.path("environment").toString()).contains("BUILDFLEET_CACHE_REPO=", "GIT_DEPTH=5");
        assertThat(runner.path("feature_flags").path("FF_PRINT_POD_EVENTS").asBoolean()).isTrue();
        assertThat(runner.path("feature_flags").path("FF_DISABLE_AUTOMATIC_TOKEN_ROTATION").asBoolean()).isTrue();
        JsonNode kubernetes = runner.path("kubernetes");
        assertThat(kubernetes.path("poll_timeout").asInt()).isEqualTo(600);
        assertThat(kubernetes.path("helper_image_flavor").asText()).isEqualTo("ubuntu");
        assertThat(kubernetes.path("pod_annotations").path("cost-center.example.com/team").asText()).isEqualTo("java");
        // Everything isolation rests on is as without the extra settings; nothing strayed into another table.
        JsonNode plain = new TomlMapper().readTree(RunnerConfigToml.build(Fixtures.resolved("java")))
                .path("runners").get(0);
        for (String key : new String[]{"namespace", "privileged", "service_account", "node_selector",
                "node_tolerations", "pod_labels", "volumes", "allowed_images", "cap_drop"}) {
            assertThat(kubernetes.path(key)).as(key).isEqualTo(plain.path("kubernetes").path(key));
        }
        assertThat(runner.path("token").asText()).isEqualTo(RunnerConfigToml.TOKEN_PLACEHOLDER);
        assertThat(runner.path("cache")).isEqualTo(plain.path("cache"));
    }

    @Test
    void aPodPatchChangesWhatItNamesAndTheQuotaCountsTheRunnersNewSize() {
        ResolvedTenant t = javaWith(spec -> {
            ObjectNode patch = spec.putObject("runnerPodPatch");
            patch.putObject("metadata").putObject("labels").put("cost-center", "java");
            ObjectNode podSpec = patch.putObject("spec");
            podSpec.put("priorityClassName", "ci-high");
            podSpec.putArray("volumes").addObject().put("name", "extra-ca").putObject("secret")
                    .put("secretName", "java-extra");
            ObjectNode runner = podSpec.putArray("containers").addObject().put("name", "runner");
            runner.putObject("resources").putObject("requests").put("cpu", "500m").put("memory", "1Gi");
            runner.withObject("resources").putObject("limits").put("memory", "2Gi");
            runner.putArray("env").addObject().put("name", "GODEBUG").put("value", "http2client=0");
            runner.putArray("volumeMounts").addObject().put("name", "extra-ca").put("mountPath", "/etc/extra")
                    .put("readOnly", true);
        });
        Deployment patched = (Deployment) TenantObjects.build(t).stream()
                .filter(o -> o instanceof Deployment && o.getMetadata().getName().equals(Names.RUNNER_DEPLOYMENT))
                .findFirst().orElseThrow();
        Deployment plain = RunnerDeployment.build(Fixtures.resolved("java"),
                RunnerConfigToml.build(Fixtures.resolved("java")));
        PodSpec spec = patched.getSpec().getTemplate().getSpec();
        assertThat(patched.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("cost-center", "java")
                .containsAllEntriesOf(plain.getSpec().getTemplate().getMetadata().getLabels());
        assertThat(spec.getPriorityClassName()).isEqualTo("ci-high");
        Container runner = spec.getContainers().get(0);
        assertThat(spec.getContainers()).hasSize(1);
        assertThat(runner.getResources().getRequests()).containsEntry("cpu", new Quantity("500m"))
                .containsEntry("memory", new Quantity("1Gi"))
                .containsEntry("ephemeral-storage", new Quantity("100Mi"));
        assertThat(runner.getResources().getLimits()).containsEntry("memory", new Quantity("2Gi"))
                .containsEntry("cpu", new Quantity("1"));
        assertThat(runner.getEnv()).extracting("name").contains("HOME", "AWS_ACCESS_KEY_ID", "GODEBUG");
        assertThat(runner.getVolumeMounts()).extracting("name").contains("config", "home", "tmp", "extra-ca");
        assertThat(spec.getVolumes()).extracting("name").contains("config", "config-template", "extra-ca");
        PodSpec before = plain.getSpec().getTemplate().getSpec();
        assertThat(spec.getNodeSelector()).isEqualTo(before.getNodeSelector());
        assertThat(spec.getTolerations()).isEqualTo(before.getTolerations());
        assertThat(spec.getServiceAccountName()).isEqualTo(before.getServiceAccountName());
        assertThat(spec.getSecurityContext()).isEqualTo(before.getSecurityContext());
        assertThat(runner.getSecurityContext()).isEqualTo(before.getContainers().get(0).getSecurityContext());
        assertThat(spec.getInitContainers()).isEqualTo(before.getInitContainers());
        // 400m more CPU requested by the manager: the quota grows by exactly that.
        assertThat(Quantities.amount(BuildResourceQuota.build(t).getSpec().getHard().get("requests.cpu"))
                .subtract(Quantities.amount(BuildResourceQuota.build(Fixtures.resolved("java")).getSpec().getHard()
                        .get("requests.cpu")))).isEqualByComparingTo("0.4");
    }
}
