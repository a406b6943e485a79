package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * Records Kubernetes Events for a tenant, so `kubectl describe buildtenant` tells its history. Events of a
 * cluster-scoped object live in the default namespace. A failed event write is logged, never fatal.
 */
public class EventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
    static final String EVENT_NAMESPACE = "default";
    private final KubernetesClient client;

    public EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void normal(BuildTenant tenant, String reason, String message) {
        record(tenant, "Normal", reason, message);
    }

    public void warning(BuildTenant tenant, String reason, String message) {
        record(tenant, "Warning", reason, message);
    }

    /** Normal events written by the steps as {@code Reason:message}. */
    public void normal(BuildTenant tenant, List<String> reasonAndMessages) {
        reasonAndMessages.forEach(e -> record(tenant, "Normal", reasonOf(e), messageOf(e)));
    }

    /** Warning events written by the steps as {@code Reason:message}. */
    public void warning(BuildTenant tenant, List<String> reasonAndMessages) {
        reasonAndMessages.forEach(e -> record(tenant, "Warning", reasonOf(e), messageOf(e)));
    }

    private static String reasonOf(String reasonAndMessage) {
        return reasonAndMessage.substring(0, reasonAndMessage.indexOf(':'));
    }

    private static String messageOf(String reasonAndMessage) {
        return reasonAndMessage.substring(reasonAndMessage.indexOf(':') + 1);
    }

    private void record(BuildTenant tenant, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            client.v1().events().inNamespace(EVENT_NAMESPACE).resource(new EventBuilder()
                    .withNewMetadata().withName(tenant.getMetadata().getName() + "." + UUID.randomUUID())
                    .withNamespace(EVENT_NAMESPACE).endMetadata()
                    .withNewInvolvedObject().withApiVersion(tenant.getApiVersion()).withKind(tenant.getKind())
                    .withName(tenant.getMetadata().getName()).withUid(tenant.getMetadata().getUid()).endInvolvedObject()
                    .withType(type).withReason(reason).withMessage(message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent("buildfleet-operator").endSource()
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warn("could not record event {} for tenant {}: {}", reason, tenant.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
