package dev.buildfleet.operator;

import dev.buildfleet.model.CaBundleMounts;
import dev.buildfleet.model.Connectivity;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.RunnerDeployment;
import dev.buildfleet.tls.TrustBundle;
import dev.buildfleet.validation.InvalidInputException;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.List;

/**
 * Copies the tenant's CA bundle (FleetConfig caBundle or the tenant's spec.caBundle) from its ConfigMap into the
 * tenant namespace, after checking that it is PEM certificates, and stamps its checksum on the pod templates that
 * mount it: Go programs read their CAs once, so new CAs need new pods.
 */
final class CaBundleStep implements TenantStep {
    static final String CA_BUNDLE_READY = "CaBundleReady";

    /** @param configMap the tenant's copy, or null when nothing may be written (no bundle, or a bad one) */
    record Result(Condition condition, ConfigMap configMap, String checksum) {
    }

    /** Nothing when the tenant trusts only its images' own CAs. */
    @Override
    public StepResult run(Observation observed) {
        Result trust = run(observed.client(), observed.resolved());
        if (trust == null) {
            return StepResult.NOTHING;
        }
        StepResult result = StepResult.of(trust.condition());
        if (trust.configMap() == null) {
            return result;
        }
        return result.withObjects(List.of(trust.configMap())).withAdjust(o -> stamp(o, trust.checksum()));
    }

    /** The checksum on every pod template that mounts the bundle. */
    private static HasMetadata stamp(HasMetadata object, String checksum) {
        if (object instanceof Deployment d && (Names.RUNNER_DEPLOYMENT.equals(d.getMetadata().getName())
                || Names.CACHE_REGISTRY.equals(d.getMetadata().getName()))) {
            d.getSpec().getTemplate().getMetadata().getAnnotations().put(CaBundleMounts.CHECKSUM_ANNOTATION, checksum);
        }
        if (object instanceof Job job && job.getSpec().getTemplate().getMetadata().getAnnotations() != null) {
            job.getSpec().getTemplate().getMetadata().getAnnotations().put(CaBundleMounts.CHECKSUM_ANNOTATION,
                    checksum);
        }
        return object;
    }

    /** Null when the tenant trusts only its images' own CAs. */
    private static Result run(KubernetesClient client, ResolvedTenant t) {
        Connectivity.CaBundle ref = t.connectivity().caBundle();
        if (ref == null) {
            return null;
        }
        String where = "ConfigMap " + ref.namespace() + "/" + ref.configMap() + " key " + ref.key();
        ConfigMap source;
        try {
            source = client.configMaps().inNamespace(ref.namespace()).withName(ref.configMap()).get();
        } catch (KubernetesClientException e) {
            return failed("CaBundleUnreadable", ref.field() + ": cannot read " + where + " (HTTP " + e.getCode()
                    + ")");
        }
        String pem = source == null || source.getData() == null ? null : source.getData().get(ref.key());
        if (pem == null) {
            return failed("CaBundleMissing", ref.field() + ": " + where + " does not exist; create it with the "
                    + "PEM certificates of the CAs to trust");
        }
        TrustBundle bundle;
        try {
            bundle = TrustBundle.parse(ref.field() + " (" + where + ")", pem);
        } catch (InvalidInputException e) {
            return failed("CaBundleInvalid", e.getMessage());
        }
        return new Result(Conditions.of(CA_BUNDLE_READY, true, "CaBundleCopied", "pods trust "
                + bundle.describe() + " besides their images' CAs"), CaBundleMounts.configMap(t, pem),
                RunnerDeployment.sha256(pem));
    }

    private static Result failed(String reason, String message) {
        return new Result(Conditions.of(CA_BUNDLE_READY, false, reason, message), null, null);
    }
}
