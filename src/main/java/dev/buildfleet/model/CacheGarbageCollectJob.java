package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One run of the cache registry's garbage collection: the registry image runs
 * {@code registry garbage-collect --delete-untagged} with the registry's own config and keys, in read-only mode,
 * while the serving registry is read-only too (the operator starts this Job only then). It deletes the blobs no
 * remaining manifest references, so the bucket's bytes go down after expired tags were deleted. Pinned to the
 * tenant's nodes; no retries (the operator reports a failure and tries again at the next expiry).
 */
public final class CacheGarbageCollectJob {
    public static final ResolvedTenant.Resources RESOURCES = new ResolvedTenant.Resources(
            new Quantity("100m"), new Quantity("1"), new Quantity("128Mi"), new Quantity("1Gi"),
            new Quantity("64Mi"), new Quantity("1Gi"));
    /** A stuck collection fails after this long, and the registry goes back to read-write. */
    public static final long DEADLINE_SECONDS = 3600;
    static final int KEEP_FINISHED_SECONDS = 7 * 24 * 3600;

    private CacheGarbageCollectJob() {
    }

    /** @param name {@value Names#CACHE_GC_JOB_PREFIX}&lt;run&gt;, unique per expiry run */
    public static Job build(ResolvedTenant t, String configYml, String name) {
        Map<String, String> labels = new TreeMap<>(t.labels());
        labels.putAll(NetworkPolicies.role(t, Names.ROLE_CACHE_GC));
        var env = new ArrayList<>(CacheRegistryDeployment.storageKeys(t));
        env.add(new io.fabric8.kubernetes.api.model.EnvVar(CacheRegistryConfig.READ_ONLY_ENV,
                CacheRegistryConfig.READ_ONLY_VALUE, null));
        Job job = new JobBuilder()
                .withNewMetadata().withName(name).withNamespace(t.namespace()).withLabels(labels).endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .withActiveDeadlineSeconds(DEADLINE_SECONDS)
                .withTtlSecondsAfterFinished(KEEP_FINISHED_SECONDS)
                .withNewTemplate()
                .withNewMetadata().withLabels(labels)
                .withAnnotations(Map.of(Names.CONFIG_CHECKSUM_ANNOTATION, RunnerDeployment.sha256(configYml)))
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withNodeSelector(t.nodeSelector())
                .withTolerations(t.tolerations())
                .withImagePullSecrets(TenantPodSettings.imagePullSecrets(t))
                .withHostAliases(TenantPodSettings.hostAliases(t))
                .withDnsConfig(TenantPodSettings.dnsConfig(t))
                .withSecurityContext(CacheRegistryDeployment.podSecurity())
                .addNewContainer()
                .withName("garbage-collect")
                .withImage(t.images().cacheRegistry())
                // The registry image's entrypoint prefixes "registry" to these.
                .withArgs(List.of("garbage-collect", "--delete-untagged", CacheRegistryDeployment.configPath()))
                .withEnv(env)
                .withResources(RunnerDeployment.resources(RESOURCES))
                .withSecurityContext(RunnerDeployment.containerSecurity())
                .withVolumeMounts(RunnerDeployment.mount("config", CacheRegistryDeployment.CONFIG_DIR, true),
                        RunnerDeployment.mount("htpasswd", CacheRegistryDeployment.AUTH_DIR, true),
                        RunnerDeployment.mount("tmp", "/tmp", false))
                .endContainer()
                .withVolumes(CacheRegistryDeployment.volumes())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        CaBundleMounts.addTo(t, job.getSpec().getTemplate().getSpec());
        ProxySettings.addTo(t, job.getSpec().getTemplate().getSpec());
        return job;
    }
}
