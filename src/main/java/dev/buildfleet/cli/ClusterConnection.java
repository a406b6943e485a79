package dev.buildfleet.cli;

import dev.buildfleet.config.InputFiles;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.nio.file.Path;

/** The cluster verify and plan read: a kubeconfig file, or fabric8's usual lookup (KUBECONFIG, ~/.kube, in-cluster). */
final class ClusterConnection {
    private ClusterConnection() {
    }

    /** @throws dev.buildfleet.config.UnreadableFileException when the kubeconfig cannot be read */
    static KubernetesClient open(Path kubeconfig) {
        Config config = kubeconfig == null ? Config.autoConfigure(null)
                : Config.fromKubeconfig(InputFiles.readText(kubeconfig, InputFiles.MAX_CONFIG_BYTES));
        // A cluster that cannot be reached is reported at once, not after fabric8's retries with backoff.
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(10_000);
        config.setRequestTimeout(60_000);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** What went wrong, in one line, with what to check. */
    static String describe(KubernetesClient client, KubernetesClientException e) {
        String where = client.getConfiguration().getMasterUrl();
        if (e.getCode() == 401 || e.getCode() == 403) {
            return "the Kubernetes API at " + where + " refused a read (HTTP " + e.getCode() + "): "
                    + e.getStatus().getMessage() + "; the identity needs get/list on what "
                    + "deploy/verify/clusterrole.yaml lists";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "cannot read the Kubernetes API at " + where + ": " + (e.getCode() > 0 ? "HTTP " + e.getCode() + " "
                : "") + (root == e ? e.getMessage() : root.getClass().getSimpleName() + ": " + root.getMessage())
                + "; check --kubeconfig and that the API server is reachable";
    }
}
