package dev.buildfleet.verify;

import dev.buildfleet.model.ResolvedTenant;
import io.fabric8.kubernetes.api.model.Namespace;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The tenant namespace enforces the Pod Security level the platform requires (baseline unless config says). */
final class PodSecurityCheck {
    static final String NAME = "pod-security";
    static final String ENFORCE = "pod-security.kubernetes.io/enforce";
    static final String ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version";

    private PodSecurityCheck() {
    }

    static CheckResult check(ResolvedTenant tenant, ClusterState cluster, PodSecurityLevel required) {
        String object = "Namespace " + tenant.namespace();
        String fix = "kubectl label namespace " + tenant.namespace() + " --overwrite " + ENFORCE + "="
                + required.label() + " " + ENFORCE_VERSION + "=latest";
        Optional<Namespace> namespace = cluster.namespace(tenant.namespace());
        if (namespace.isEmpty()) {
            return CheckResult.fail(tenant.name(), NAME, object + " does not exist",
                    List.of(new Evidence(object, "", "not found")), "apply the tenant (kubectl apply -k DIR/"
                            + tenant.name() + ") or let the operator create it");
        }
        Map<String, String> labels = Labels.of(namespace.get());
        String enforce = labels.get(ENFORCE);
        String version = labels.getOrDefault(ENFORCE_VERSION, "(absent: latest)");
        Evidence evidence = new Evidence(object, "metadata.labels[\"" + ENFORCE + "\"]",
                (enforce == null ? "(absent)" : enforce) + "; " + ENFORCE_VERSION + ": " + version);
        PodSecurityLevel level = PodSecurityLevel.parse(enforce);
        if (level == null) {
            return CheckResult.fail(tenant.name(), NAME, object + " enforces no Pod Security level (the cluster's "
                            + "default applies, privileged unless the API server's admission config says otherwise)",
                    List.of(evidence), fix);
        }
        if (level.compareTo(required) < 0) {
            return CheckResult.fail(tenant.name(), NAME, object + " enforces " + level.label() + ", less than the "
                    + "required " + required.label(), List.of(evidence), fix);
        }
        return CheckResult.pass(tenant.name(), NAME, object + " enforces Pod Security " + level.label()
                + " (required: " + required.label() + " or stricter)", List.of(evidence));
    }
}
