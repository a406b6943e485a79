package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tenant's gitlab-runner manager: one replica (Recreate, so two managers never share a token), pinned to the
 * tenant's nodes, non-root with a read-only root filesystem. Stopping is graceful: dumb-init turns Kubernetes'
 * SIGTERM into SIGQUIT, on which gitlab-runner takes no new jobs and waits for running ones, for up to an hour.
 */
public final class RunnerDeployment {
    public static final long TERMINATION_GRACE_SECONDS = 3600;
    public static final ResolvedTenant.Resources MANAGER_RESOURCES = new ResolvedTenant.Resources(
            new Quantity("100m"), new Quantity("1"), new Quantity("128Mi"), new Quantity("512Mi"),
            new Quantity("100Mi"), new Quantity("1Gi"));
    static final long RUNNER_UID = 100;
    static final long RUNNER_GID = 65533;
    static final String CONFIG_DIR = "/etc/gitlab-runner";
    static final String TEMPLATE_DIR = "/etc/gitlab-runner-template";
    static final String HOME_DIR = "/home/gitlab-runner";

    /**
     * Copies config.toml into the writable config volume (gitlab-runner writes config.toml.lock there) with the
     * token from the Secret in place of the placeholder, and the tenant's stable system_id beside it. GitLab tokens
     * are [A-Za-z0-9_.-], so anything else is refused rather than pasted into TOML. Only a line that is the token key
     * itself ({@code token = '$RUNNER_TOKEN'}, indented under {@code [[runners]]}) is changed: the placeholder anywhere
     * else (say in a URL) stays as it is and never receives the token.
     */
    static final String INSTALL_CONFIG_SCRIPT = installConfigScript(List.of("RUNNER_TOKEN"));

    /** The script for these token variables: each checked, each put in place of its own placeholder line only. */
    static String installConfigScript(List<String> tokenVariables) {
        StringBuilder checks = new StringBuilder();
        StringBuilder replacements = new StringBuilder();
        for (String variable : tokenVariables) {
            checks.append("""
                    case "${%1$s:-}" in
                      ''|*[!A-Za-z0-9_.-]*) echo "buildfleet: the runner token Secret of %1$s is empty or not a GitLab token" >&2; exit 1 ;;
                    esac
                    """.formatted(variable));
            replacements.append(" -e \"s/^\\( *\\)token = '[\\$]%1$s'\\$/\\1token = '$%1$s'/\"".formatted(variable));
        }
        return """
                set -eu
                umask 077
                %5$ssed%6$s %1$s/config.toml \\
                  > %2$s/config.toml
                cp %1$s/%3$s %2$s/%4$s
                """.formatted(TEMPLATE_DIR, CONFIG_DIR, RunnerConfigMap.SYSTEM_ID_KEY, RunnerSystemId.FILE, checks,
                replacements);
    }

    private RunnerDeployment() {
    }

    public static Deployment build(ResolvedTenant t, String configToml) {
        Map<String, String> selector = Map.of(Names.TENANT_LABEL, t.name(), Names.ROLE_LABEL, Names.ROLE_RUNNER_MANAGER);
        Map<String, String> podLabels = new TreeMap<>(t.labels());
        podLabels.putAll(selector);
        return new DeploymentBuilder()
                .withNewMetadata().withName(Names.RUNNER_DEPLOYMENT).withNamespace(t.namespace())
                .withLabels(podLabels).endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewStrategy().withType("Recreate").endStrategy()
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(podLabels)
                .withAnnotations(Map.of(Names.CONFIG_CHECKSUM_ANNOTATION, sha256(configToml)))
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName(Names.RUNNER_MANAGER_SERVICE_ACCOUNT)
                .withAutomountServiceAccountToken(true)
                .withEnableServiceLinks(false)
                .withNodeSelector(t.nodeSelector())
                .withTolerations(t.tolerations())
                .withImagePullSecrets(TenantPodSettings.imagePullSecrets(t))
                .withHostAliases(TenantPodSettings.hostAliases(t))
                .withDnsConfig(TenantPodSettings.dnsConfig(t))
                .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
                .withSecurityContext(podSecurity(RUNNER_UID, RUNNER_GID))
                .withInitContainers(installConfig(t))
                .withContainers(runner(t))
                .withVolumes(volumes())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static Container installConfig(ResolvedTenant t) {
        return new ContainerBuilder()
                .withName("install-config")
                .withImage(t.images().runner())
                .withCommand("/bin/sh", "-c", installConfigScript(t.allShapes().stream()
                        .map(ResolvedTenant.Shape::tokenVariable).toList()))
                .withEnv(t.allShapes().stream().map(shape -> secretEnv(shape.tokenVariable(),
                        shape.runnerToken().name(), shape.runnerToken().key())).toList())
                .withVolumeMounts(mount("config-template", TEMPLATE_DIR, true), mount("config", CONFIG_DIR, false))
                .withResources(resources(new ResolvedTenant.Resources(new Quantity("10m"), new Quantity("100m"),
                        new Quantity("16Mi"), new Quantity("64Mi"), new Quantity("1Mi"), new Quantity("10Mi"))))
                .withSecurityContext(containerSecurity())
                .build();
    }

    private static Container runner(ResolvedTenant t) {
        return new ContainerBuilder()
                .withName("runner")
                .withImage(t.images().runner())
                .withCommand("/usr/bin/dumb-init", "--rewrite", "15:3", "--")
                .withArgs("gitlab-runner", "run", "--config", CONFIG_DIR + "/config.toml",
                        "--working-directory", HOME_DIR)
                .withEnv(
                        new EnvVarBuilder().withName("HOME").withValue(HOME_DIR).build(),
                        secretEnv(Names.ACCESS_KEY_ID, t.cache().credentialsSecret(), Names.ACCESS_KEY_ID),
                        secretEnv(Names.SECRET_ACCESS_KEY, t.cache().credentialsSecret(), Names.SECRET_ACCESS_KEY))
                .addNewPort().withName("metrics").withContainerPort(Names.RUNNER_METRICS_PORT).withProtocol("TCP")
                .endPort()
                .withReadinessProbe(metricsProbe(10, 3))
                .withLivenessProbe(metricsProbe(30, 4))
                .withResources(resources(MANAGER_RESOURCES))
                .withSecurityContext(containerSecurity())
                .withVolumeMounts(mount("config", CONFIG_DIR, false), mount("home", HOME_DIR, false),
                        mount("tmp", "/tmp", false))
                .build();
    }

    private static Probe metricsProbe(int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath("/metrics").withNewPort("metrics").endHttpGet()
                .withInitialDelaySeconds(5).withPeriodSeconds(periodSeconds).withTimeoutSeconds(5)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    /** Non-root with the runtime's default seccomp profile, for every pod buildfleet runs. */
    static PodSecurityContext podSecurity(long uid, long gid) {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true).withRunAsUser(uid).withRunAsGroup(gid).withFsGroup(gid)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build();
    }

    static SecurityContext containerSecurity() {
        return new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withPrivileged(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .build();
    }

    static ResourceRequirements resources(ResolvedTenant.Resources r) {
        return new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", r.cpuRequest(), "memory", r.memoryRequest(),
                        "ephemeral-storage", r.ephemeralStorageRequest()))
                .withLimits(Map.of("cpu", r.cpuLimit(), "memory", r.memoryLimit(),
                        "ephemeral-storage", r.ephemeralStorageLimit()))
                .build();
    }

    static EnvVar secretEnv(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewSecretKeyRef(key, secret, false).endValueFrom()
                .build();
    }

    static VolumeMount mount(String volume, String path, boolean readOnly) {
        return new VolumeMountBuilder().withName(volume).withMountPath(path)
                .withReadOnly(readOnly ? Boolean.TRUE : null).build();
    }

    private static List<Volume> volumes() {
        return List.of(
                new VolumeBuilder().withName("config-template").withNewConfigMap()
                        .withName(Names.RUNNER_CONFIG_MAP).withDefaultMode(0444).endConfigMap().build(),
                // The installed config holds the token: keep it in memory, never on the node's disk.
                new VolumeBuilder().withName("config").withNewEmptyDir().withMedium("Memory")
                        .withSizeLimit(new Quantity("1Mi")).endEmptyDir().build(),
                new VolumeBuilder().withName("home").withNewEmptyDir().withSizeLimit(new Quantity("512Mi"))
                        .endEmptyDir().build(),
                new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("256Mi"))
                        .endEmptyDir().build());
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
