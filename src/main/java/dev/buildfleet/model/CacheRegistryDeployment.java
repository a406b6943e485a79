package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tenant's cache registry (CNCF Distribution): one replica (the in-memory blob descriptor cache is per process,
 * storage is the bucket), pinned to the tenant's nodes like the runner, non-root with a read-only root filesystem.
 * The S3 keys come from the tenant's cache Secret as REGISTRY_STORAGE_S3_* env vars and never leave this pod
 * (redirects are disabled). AWS_CA_BUNDLE is deliberately never set: it makes Distribution's S3 driver panic.
 *
 * <p>Strategy Recreate: a new pod starts only once the old one is gone. Cache expiry relies on it: when the
 * read-only rollout is complete, no writable registry is left that could race the garbage collector.
 */
public final class CacheRegistryDeployment {
    public static final ResolvedTenant.Resources RESOURCES = new ResolvedTenant.Resources(
            new Quantity("100m"), new Quantity("2"), new Quantity("128Mi"), new Quantity("1Gi"),
            new Quantity("100Mi"), new Quantity("2Gi"));
    static final long UID = 65534;
    static final String CONFIG_DIR = "/etc/docker/registry";
    static final String AUTH_DIR = "/auth";

    private CacheRegistryDeployment() {
    }

    public static Deployment build(ResolvedTenant t, String configYml) {
        Map<String, String> selector = NetworkPolicies.role(t, Names.ROLE_CACHE_REGISTRY);
        Map<String, String> podLabels = new TreeMap<>(t.labels());
        podLabels.putAll(selector);
        return new DeploymentBuilder()
                .withNewMetadata().withName(Names.CACHE_REGISTRY).withNamespace(t.namespace())
                .withLabels(podLabels).endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewStrategy().withType("Recreate").endStrategy()
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(podLabels)
                .withAnnotations(Map.of(Names.CONFIG_CHECKSUM_ANNOTATION, RunnerDeployment.sha256(configYml)))
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                // Distribution reads every REGISTRY_* variable as config; Service links could inject some.
                .withEnableServiceLinks(false)
                .withNodeSelector(t.nodeSelector())
                .withTolerations(t.tolerations())
                .withImagePullSecrets(TenantPodSettings.imagePullSecrets(t))
                .withHostAliases(TenantPodSettings.hostAliases(t))
                .withDnsConfig(TenantPodSettings.dnsConfig(t))
                .withSecurityContext(podSecurity())
                .withContainers(registry(t))
                .withVolumes(volumes())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * The same Deployment with the registry in read-only mode (pulls work, pushes get 405), for the time the
     * operator's garbage collection runs. The operator applies this; render never does.
     */
    public static Deployment readOnly(Deployment registry) {
        Deployment copy = new DeploymentBuilder(registry).build();
        copy.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv()
                .add(new EnvVar(CacheRegistryConfig.READ_ONLY_ENV, CacheRegistryConfig.READ_ONLY_VALUE, null));
        return copy;
    }

    static PodSecurityContext podSecurity() {
        return RunnerDeployment.podSecurity(UID, UID);
    }

    /** The tenant's S3 keys as the REGISTRY_STORAGE_S3_* overrides Distribution reads. */
    static List<EnvVar> storageKeys(ResolvedTenant t) {
        String secret = t.cache().credentialsSecret();
        return List.of(
                RunnerDeployment.secretEnv(CacheRegistryConfig.ACCESS_KEY_ENV, secret, Names.ACCESS_KEY_ID),
                RunnerDeployment.secretEnv(CacheRegistryConfig.SECRET_KEY_ENV, secret, Names.SECRET_ACCESS_KEY));
    }

    static String configPath() {
        return CONFIG_DIR + "/config.yml";
    }

    private static Container registry(ResolvedTenant t) {
        return new ContainerBuilder()
                .withName("registry")
                .withImage(t.images().cacheRegistry())
                .withArgs(configPath())
                .withEnv(storageKeys(t))
                .addNewPort().withName("registry").withContainerPort(Names.CACHE_REGISTRY_PORT).withProtocol("TCP")
                .endPort()
                .addNewPort().withName("debug").withContainerPort(Names.CACHE_REGISTRY_DEBUG_PORT)
                .withProtocol("TCP").endPort()
                // /v2/ answers 401 without credentials, so probe the debug server (up once the registry is).
                .withReadinessProbe(debugProbe(10, 3))
                .withLivenessProbe(debugProbe(30, 4))
                .withResources(RunnerDeployment.resources(RESOURCES))
                .withSecurityContext(RunnerDeployment.containerSecurity())
                .withVolumeMounts(RunnerDeployment.mount("config", CONFIG_DIR, true),
                        RunnerDeployment.mount("htpasswd", AUTH_DIR, true),
                        RunnerDeployment.mount("tmp", "/tmp", false))
                .build();
    }

    private static Probe debugProbe(int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath("/metrics").withNewPort("debug").endHttpGet()
                .withInitialDelaySeconds(5).withPeriodSeconds(periodSeconds).withTimeoutSeconds(5)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    static List<Volume> volumes() {
        return List.of(
                new VolumeBuilder().withName("config").withNewConfigMap()
                        .withName(CacheRegistryConfigMap.NAME).withDefaultMode(0444).endConfigMap().build(),
                new VolumeBuilder().withName("htpasswd").withNewSecret()
                        .withSecretName(Names.CACHE_REGISTRY_HTPASSWD_SECRET).withDefaultMode(0444)
                        .addNewItem().withKey(Names.CACHE_REGISTRY_HTPASSWD_KEY).withPath("htpasswd").endItem()
                        .endSecret().build(),
                new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("1Gi"))
                        .endEmptyDir().build());
    }
}
