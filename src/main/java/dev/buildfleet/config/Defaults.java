package dev.buildfleet.config;

import dev.buildfleet.api.JobResources;
import dev.buildfleet.api.ResourceRange;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.List;
import java.util.Map;

/** Values used when neither the tenant nor the FleetConfig sets them. Images are pinned; override them in FleetConfig. */
public final class Defaults {
    public static final String RUNNER_IMAGE = "gitlab/gitlab-runner:alpine-v19.3.1";
    /** Maintained community fork of Kaniko (the Google project was archived in 2025); debug variant has a shell. */
    public static final String BUILDER_IMAGE = "ghcr.io/osscontainertools/kaniko:v1.26.5-debug";
    /** CNCF Distribution, the tenant's Kaniko layer cache; its S3 driver stores into the tenant's bucket. */
    public static final String CACHE_REGISTRY_IMAGE = "registry:2.8.3";
    public static final int CONCURRENCY = 20;
    public static final String CACHE_TTL = "336h";
    public static final String CACHE_EXPIRY_INTERVAL = "24h";
    public static final String OPERATOR_NAMESPACE = "buildfleet-system";
    public static final String CEPH_REGION = "default";
    public static final List<Integer> KUBERNETES_API_PORTS = List.of(443, 6443);
    public static final String DNS_NAMESPACE = "kube-system";
    public static final Map<String, String> DNS_POD_SELECTOR = Map.of("k8s-app", "kube-dns");
    public static final String MONITORING_NAMESPACE = "monitoring";
    /** Where the alerts' runbook_url points: docs/runbooks.md of this repository, one section per alert. */
    public static final String RUNBOOK_URL = "https://gitlab.example.com/platform/buildfleet/-/blob/main/docs/runbooks.md";

    /** Kaniko job as sized in the seeds: 1-2 CPU, 2-4 GiB, 10-20 GiB ephemeral storage. */
    public static final JobResources JOB_RESOURCES = new JobResources(
            range("1", "2"), range("2Gi", "4Gi"), range("10Gi", "20Gi"));
    /** gitlab-runner's helper container: clones the repo, uploads artifacts and cache. */
    public static final JobResources HELPER_RESOURCES = new JobResources(
            range("200m", "1"), range("256Mi", "512Mi"), range("1Gi", "5Gi"));

    private Defaults() {
    }

    private static ResourceRange range(String request, String limit) {
        return new ResourceRange(new Quantity(request), new Quantity(limit));
    }
}
