package dev.buildfleet.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.HashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** How the reconciler puts the steps' answers together into the objects it applies. */
class StepPipelineTest {

    @Test
    void eachStepShapesTheObjectsOfEveryOtherStepWhateverTheirOrder() {
        StepResult stampsPods = StepResult.NOTHING.withAdjust(o -> {
            if (o instanceof Job job) {
                job.getSpec().getTemplate().getMetadata().getAnnotations().put("checksum", "abc");
            }
            return o;
        });
        StepResult model = StepResult.NOTHING.withObjects(List.of(namespace(), deployment("gitlab-runner")));
        StepResult addsJobAndSecret = StepResult.NOTHING.withObjects(List.of(job("gc-1"), secret("htpasswd")))
                .withAdjust(o -> o instanceof Deployment d ? readOnly(d) : o);

        List<HasMetadata> desired = BuildTenantReconciler.desired(List.of(model, stampsPods, addsJobAndSecret));

        assertThat(desired).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactly("Namespace/bf-java", "Secret/htpasswd", "Deployment/gitlab-runner", "Job/gc-1");
        Job gc = (Job) desired.get(3);
        assertThat(gc.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("checksum", "abc");
        Deployment runner = (Deployment) desired.get(2);
        assertThat(runner.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("read-only", "true");
    }

    @Test
    void theSoonestRecheckWinsAndAStepWithoutOneLeavesItAsItIs() {
        StepResult storage = StepResult.NOTHING.recheckIn(Duration.ofMinutes(5)).recheckIn(Duration.ofSeconds(30));
        assertThat(storage.recheckIn()).isEqualTo(Duration.ofSeconds(30));
        assertThat(storage.recheckIn(Duration.ofMinutes(1)).recheckIn()).isEqualTo(Duration.ofSeconds(30));
        assertThat(StepResult.NOTHING.recheckIn()).isNull();
    }

    private static Deployment readOnly(Deployment d) {
        Deployment copy = new DeploymentBuilder(d).build();
        copy.getSpec().getTemplate().getMetadata().getAnnotations().put("read-only", "true");
        return copy;
    }

    private static HasMetadata namespace() {
        return new NamespaceBuilder().withNewMetadata().withName("bf-java").endMetadata().build();
    }

    private static HasMetadata secret(String name) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace("bf-java").endMetadata().build();
    }

    private static Deployment deployment(String name) {
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("bf-java").endMetadata()
                .withNewSpec().withNewTemplate().withNewMetadata().withAnnotations(new HashMap<>())
                .endMetadata().endTemplate().endSpec().build();
    }

    private static Job job(String name) {
        return new JobBuilder().withNewMetadata().withName(name).withNamespace("bf-java").endMetadata()
                .withNewSpec().withNewTemplate().withNewMetadata().withAnnotations(new HashMap<>())
                .endMetadata().endTemplate().endSpec().build();
    }
}
