package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records Kubernetes Events for a tenant, so `kubectl describe buildtenant` tells its history. A BuildTenant is
 * cluster-scoped, and the API server accepts an Event about a cluster-scoped object only in namespace {@value
 * #NAMESPACE} (as client-go's recorder writes them), so they all go there, where the install grants the operator
 * nothing but Event rights. A repeat of the same event counts up one Event object, as client-go's correlator does,
 * instead of adding one per occurrence: the recorder remembers the Events it wrote ({@link Memory}), so a new event
 * is one create and a repeat one merge patch of count and time, with no read first (only a create that finds the name
 * taken, e.g. after a restart, reads it). A failed write is logged, never fatal.
 */
public class EventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
    /** The only namespace an Event about a cluster-scoped object is valid in (it has no eventTime). */
    public static final String NAMESPACE = "default";
    private final KubernetesClient client;
    private final Memory memory;

    /** The Events this process wrote last (name to count), bounded; shared by the recorders of a reconciler. */
    public static final class Memory {
        private static final int MAX = 10_000;
        private final Map<String, Integer> counts = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                return size() > MAX;
            }
        };

        synchronized Integer count(String key) {
            return counts.get(key);
        }

        synchronized void put(String key, int count) {
            counts.put(key, count);
        }

        synchronized void forget(String key) {
            counts.remove(key);
        }
    }

    public EventRecorder(KubernetesClient client) {
        this(client, new Memory());
    }

    public EventRecorder(KubernetesClient client, Memory memory) {
        this.client = client;
        this.memory = memory;
    }

    public void normal(BuildTenant tenant, String reason, String message) {
        record(tenant, TenantEvent.NORMAL, reason, message);
    }

    public void warning(BuildTenant tenant, String reason, String message) {
        record(tenant, TenantEvent.WARNING, reason, message);
    }

    /** Normal events written by the steps as {@code Reason:message}. */
    public void normal(BuildTenant tenant, List<String> reasonAndMessages) {
        record(tenant, TenantEvent.normals(reasonAndMessages));
    }

    /** Warning events written by the steps as {@code Reason:message}. */
    public void warning(BuildTenant tenant, List<String> reasonAndMessages) {
        record(tenant, TenantEvent.warnings(reasonAndMessages));
    }

    void record(BuildTenant tenant, List<TenantEvent> events) {
        events.forEach(e -> record(tenant, e.type(), e.reason(), e.message()));
    }

    private void record(BuildTenant tenant, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String name = name(tenant, type, reason, message);
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                Integer known = memory.count(name);
                try {
                    if (known == null) {
                        client.v1().events().inNamespace(NAMESPACE).resource(newEvent(tenant, name, type, reason,
                                message, now)).create();
                        memory.put(name, 1);
                    } else {
                        int count = known + 1;
                        client.v1().events().inNamespace(NAMESPACE).withName(name).patch(
                                PatchContext.of(PatchType.JSON_MERGE),
                                "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}");
                        memory.put(name, count);
                    }
                    return;
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 409 && known == null) {
                        // Written before this process knew of it (a restart, another replica): count on from it.
                        Event existing = client.v1().events().inNamespace(NAMESPACE).withName(name).get();
                        if (existing != null) {
                            memory.put(name, existing.getCount() == null ? 1 : existing.getCount());
                        }
                    } else if (e.getCode() == 404 && known != null) {
                        // The Event expired (TTL) since: create it anew.
                        memory.forget(name);
                    } else {
                        throw e;
                    }
                }
            }
        } catch (KubernetesClientException e) {
            LOG.warn("could not record event {} for tenant {}: {}", reason, tenant.getMetadata().getName(),
                    e.getMessage());
        }
    }

    private Event newEvent(BuildTenant tenant, String name, String type, String reason, String message, String now) {
        return new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .withNewInvolvedObject().withApiVersion(tenant.getApiVersion()).withKind(tenant.getKind())
                .withName(tenant.getMetadata().getName()).withUid(tenant.getMetadata().getUid()).endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .withNewSource().withComponent("buildfleet-operator").endSource()
                .build();
    }

    /** One name per tenant (by uid) and distinct event, so that a repeat finds the Event it repeats. */
    static String name(BuildTenant tenant, String type, String reason, String message) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(String.join("\n", String.valueOf(tenant.getMetadata().getUid()), type, reason, message)
                    .getBytes(StandardCharsets.UTF_8));
            return tenant.getMetadata().getName() + "." + HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
