package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a tenant's pods find the fleet's CA bundle: ConfigMap {@value #CONFIG_MAP} (key {@value #KEY}) of the tenant
 * namespace, mounted read-only at {@value #DIR} in the runner, every job container and the cache registry.
 *
 * <p>Go programs (gitlab-runner, its helper, Kaniko, Distribution) read every file of each directory in
 * {@code SSL_CERT_DIR} in addition to their image's bundle, so pointing it at the image's own directory and this one
 * adds the platform's CAs without dropping the public ones a job needs for Docker Hub or ghcr.io. The registry's S3
 * client gets its CAs this way and not through {@code AWS_CA_BUNDLE}, with which Distribution 2.8's S3 driver panics.
 * A ConfigMap volume keeps the file as a link into {@code ..data/}, which Go follows (it skips only links within the
 * same directory).
 */
public final class CaBundleMounts {
    public static final String CONFIG_MAP = "buildfleet-ca-bundle";
    public static final String KEY = "ca.crt";
    public static final String DIR = "/etc/buildfleet/ca";
    public static final String FILE = DIR + "/" + KEY;
    static final String VOLUME = "ca-bundle";
    /** The image's own CA directories first: Kaniko's debug image keeps them in /kaniko/ssl/certs. */
    static final String JOB_CERT_DIRS = "/kaniko/ssl/certs:/etc/ssl/certs:" + DIR;
    static final String POD_CERT_DIRS = "/etc/ssl/certs:" + DIR;
    /** Annotation on pod templates: the bundle's checksum, so new CAs restart the Go programs that read it once. */
    public static final String CHECKSUM_ANNOTATION = "buildfleet.dev/ca-bundle-checksum";

    private CaBundleMounts() {
    }

    /** The tenant's copy of the bundle (public data: CA certificates only). */
    public static ConfigMap configMap(ResolvedTenant t, String pem) {
        return new ConfigMapBuilder()
                .withNewMetadata().withName(CONFIG_MAP).withNamespace(t.namespace()).withLabels(t.labels())
                .endMetadata()
                .withData(Map.of(KEY, pem))
                .build();
    }

    /** Mounts the bundle into the runner's and the cache registry's pods (not their init containers). */
    public static List<HasMetadata> addTo(ResolvedTenant t, List<HasMetadata> objects) {
        if (t.connectivity().caBundle() == null) {
            return objects;
        }
        for (HasMetadata object : objects) {
            if (object instanceof Deployment d && (Names.RUNNER_DEPLOYMENT.equals(d.getMetadata().getName())
                    || Names.CACHE_REGISTRY.equals(d.getMetadata().getName()))) {
                addTo(t, d.getSpec().getTemplate().getSpec());
            }
        }
        return objects;
    }

    /** Adds the volume, a read-only mount and SSL_CERT_DIR to every container of {@code pod}. */
    public static void addTo(ResolvedTenant t, PodSpec pod) {
        if (t.connectivity().caBundle() == null) {
            return;
        }
        pod.getVolumes().add(new VolumeBuilder().withName(VOLUME).withNewConfigMap().withName(CONFIG_MAP)
                .addNewItem().withKey(KEY).withPath(KEY).endItem().endConfigMap().build());
        for (Container container : pod.getContainers()) {
            container.getVolumeMounts().add(RunnerDeployment.mount(VOLUME, DIR, true));
            List<EnvVar> env = new ArrayList<>(container.getEnv());
            env.add(new EnvVar("SSL_CERT_DIR", POD_CERT_DIRS, null));
            container.setEnv(env);
        }
    }

    /**
     * The runner's part of config.toml: {@code tls-ca-file} for its own calls to GitLab (the runner then hands the
     * bundle to each job as {@code CI_SERVER_TLS_CA_FILE}, which the helper's git uses), the bundle mounted into
     * every job container, and {@code SSL_CERT_DIR} plus {@code BUILDFLEET_CA_FILE} in the job's environment.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> addTo(ResolvedTenant t, Map<String, Object> document) {
        if (t.connectivity().caBundle() == null) {
            return document;
        }
        for (Object entry : (List<Object>) document.get("runners")) {
            Map<String, Object> runner = (Map<String, Object>) entry;
            runner.put("tls-ca-file", FILE);
            List<Object> environment = new ArrayList<>((List<Object>) runner.get("environment"));
            environment.add("SSL_CERT_DIR=" + JOB_CERT_DIRS);
            environment.add("BUILDFLEET_CA_FILE=" + FILE);
            runner.put("environment", environment);
            Map<String, Object> kubernetes = (Map<String, Object>) runner.get("kubernetes");
            Map<String, Object> volumes = new LinkedHashMap<>((Map<String, Object>) kubernetes.get("volumes"));
            Map<String, Object> configMap = new LinkedHashMap<>();
            configMap.put("name", CONFIG_MAP);
            configMap.put("mount_path", DIR);
            configMap.put("read_only", true);
            configMap.put("items", Map.of(KEY, KEY));
            volumes.put("config_map", List.of(configMap));
            kubernetes.put("volumes", volumes);
        }
        return document;
    }
}
