package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.BuildTenantStatus;
import dev.buildfleet.api.StorageStatus;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.storage.S3Keys;
import dev.buildfleet.storage.StorageFault;
import dev.buildfleet.storage.StoragePlan;
import dev.buildfleet.storage.TenantStorage;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tenant's bucket and keys, seen from the reconciler. Provisioned mode: ensure the RGW user, bucket, policy,
 * quota and lifecycle, and keep the working key in the Secret the runner reads. Bring-your-own mode: probe the given
 * keys. Key rotation (annotation {@value #ROTATE_ANNOTATION}) is two-phase: issue a new key and roll the runner onto
 * it; revoke the old key only once the rolled runner is available, so there is never a moment without a working key.
 * A storage fault only sets StorageReady=False; it never deletes anything.
 */
public final class StorageStep implements TenantStep {
    static final String STORAGE_READY = "StorageReady";
    static final String ROTATE_ANNOTATION = "buildfleet.dev/rotate-storage-key";
    /** Pod-template annotation: which key the runner must run with; a new key rolls the runner. */
    static final String KEY_ANNOTATION = "buildfleet.dev/storage-access-key-id";

    record Result(Condition condition, StorageStatus status, Secret credentials, String accessKeyId,
                  List<String> events) {
    }

    /** Bucket usage is refreshed this often even when nothing in the cluster changes. */
    static final Duration REFRESH = Duration.ofMinutes(5);
    static final Duration RETRY = Duration.ofSeconds(30);

    private final TenantStorage storage;
    /**
     * The storage status this process computed last, per tenant. A written status is in the primary cache at once,
     * but the write can fail after RGW issued a new key (API server away, conflicts beyond the retries); key
     * rotation must then not act on the older status (it would issue a second key).
     */
    private final Map<String, StorageStatus> latest = new ConcurrentHashMap<>();

    StorageStep(TenantStorage storage) {
        this.storage = storage;
    }

    @Override
    public StepResult run(Observation observed) {
        ResolvedTenant t = observed.resolved();
        BuildTenantStatus last = observed.status();
        Result stored = run(observed.tenant(), latest.getOrDefault(observed.name(), last == null ? null
                : last.storage()), t, observed.secrets().get(t.cache().credentialsSecret()),
                observed.owned(Deployment.class, Names.RUNNER_DEPLOYMENT));
        if (stored.status() != null) {
            latest.put(observed.name(), stored.status());
        }
        Condition ready = stickyProvisioned(stored.condition(), last);
        StepResult result = StepResult.of(ready).withEvents(TenantEvent.normals(stored.events()))
                .withStatus(s -> s.withStorage(stored.status()));
        if (stored.credentials() != null) {
            result = result.withObjects(List.of(stored.credentials()));
        }
        if (stored.accessKeyId() != null) {
            result = result.withAdjust(o -> {
                if (o instanceof Deployment d) {
                    d.getSpec().getTemplate().getMetadata().getAnnotations().put(KEY_ANNOTATION, stored.accessKeyId());
                }
                return o;
            });
        }
        if (t.cache().provisioned()) {
            boolean rotating = stored.status() != null && stored.status().retiringAccessKeyIds() != null;
            result = result.recheckIn("True".equals(ready.getStatus()) && !rotating ? REFRESH : RETRY);
        }
        return result;
    }

    @Override
    public void forget(String tenant) {
        latest.remove(tenant);
    }

    /**
     * StorageReady keeps reason Provisioned while the bucket stays as provisioned: turning to InSync on the next
     * reconcile would cost every new tenant one more status write and Event and tell nothing new.
     */
    private static Condition stickyProvisioned(Condition now, BuildTenantStatus last) {
        Condition before = Conditions.find(last == null ? null : last.conditions(), STORAGE_READY);
        if (before != null && "True".equals(before.getStatus()) && "Provisioned".equals(before.getReason())
                && "True".equals(now.getStatus()) && "InSync".equals(now.getReason())) {
            return Conditions.of(STORAGE_READY, true, "Provisioned", now.getMessage());
        }
        return now;
    }

    /**
     * @param old           the storage status last computed for this tenant (the process's own, else the tenant's)
     * @param currentSecret the Secret of the tenant's S3 keys as it is, or null
     */
    Result run(BuildTenant tenant, StorageStatus old, ResolvedTenant t, Secret currentSecret, Deployment runner) {
        StoragePlan plan = StoragePlan.of(t);
        List<String> events = new ArrayList<>();
        try {
            if (!t.cache().provisioned()) {
                return bringYourOwn(t, plan, old, currentSecret);
            }
            if (storage == null) {
                return new Result(Conditions.of(STORAGE_READY, false, "StorageNotConfigured", "the operator holds "
                        + "no RGW admin credentials: set config.ceph.adminCredentialsSecret, or give the tenant "
                        + "spec.cache.existingCredentialsSecret"), old, null, null, events);
            }
            TenantStorage.EnsureResult ensured = storage.ensure(plan);
            List<String> keyIds = storage.accessKeys(plan);
            S3Keys working = fromSecret(currentSecret);
            if (working == null || !keyIds.contains(working.accessKeyId())) {
                working = ensured.keys();
            }
            List<String> retiring = old == null || old.retiringAccessKeyIds() == null ? List.of()
                    : old.retiringAccessKeyIds();
            String requested = annotation(tenant);
            String handled = old == null ? null : old.rotationHandled();
            if (requested != null && !requested.equals(handled) && retiring.isEmpty()) {
                S3Keys fresh = storage.issueKey(plan);
                retiring = keyIds.stream().filter(id -> !id.equals(fresh.accessKeyId())).toList();
                working = fresh;
                handled = requested;
                events.add("StorageKeyIssued:a new key is in Secret " + t.cache().credentialsSecret()
                        + "; the runner rolls onto it and the old key is revoked once it is available");
            } else if (!retiring.isEmpty() && rolledOnto(runner, working.accessKeyId())) {
                for (String id : retiring) {
                    storage.revokeKey(plan, id);
                }
                retiring = List.of();
                events.add("StorageKeyRotated:the runner runs with the new key; the old key was revoked");
            } else if (retiring.isEmpty() && rolledOnto(runner, working.accessKeyId())) {
                // A key nobody is rotating onto is one buildfleet did not hand out: someone else may hold it.
                for (String id : keyIds) {
                    if (!id.equals(working.accessKeyId())) {
                        storage.revokeKey(plan, id);
                        events.add("StorageKeyRevoked:S3 key " + id + " of RGW user " + plan.userId() + " is not "
                                + "the one in Secret " + t.cache().credentialsSecret() + " the runner runs with, "
                                + "so it was revoked (rotate with the " + ROTATE_ANNOTATION + " annotation)");
                    }
                }
            }
            TenantStorage.Usage usage = storage.usage(plan);
            StorageStatus status = new StorageStatus(usage.bytes(), usage.objects(),
                    usage.quota().enabled() && usage.quota().maxSizeKb() > 0 ? usage.quota().maxSizeKb() * 1024 : null,
                    usage.quota().enabled() && usage.quota().maxObjects() > 0 ? usage.quota().maxObjects() : null,
                    working.accessKeyId(), handled, retiring.isEmpty() ? null : retiring);
            Condition ready = nearQuota(usage)
                    ? Conditions.of(STORAGE_READY, false, "BucketQuotaExceeded", "bucket " + plan.bucket() + " uses "
                    + usage.bytes() + " of " + usage.quota().maxSizeKb() * 1024 + " bytes; uploads will be refused: "
                    + "raise spec.cache.quota.maxSize or shorten spec.cache.ttl")
                    : Conditions.of(STORAGE_READY, true, ensured.changed() ? "Provisioned" : "InSync",
                    "bucket " + plan.bucket() + " (owned by " + plan.ownerUserId() + ", used by RGW user "
                            + plan.userId() + " with object rights only) with policy, quota " + plan.quota()
                            + " and lifecycle as specified");
            return new Result(ready, status, credentialsSecret(t, working), working.accessKeyId(), events);
        } catch (StorageFault fault) {
            return new Result(Conditions.of(STORAGE_READY, false, fault.reason().name(), "storage at "
                    + plan.endpoint() + ": " + fault.getMessage() + "; nothing was deleted, retrying"), old, null,
                    old == null ? null : old.accessKeyId(), events);
        }
    }

    private Result bringYourOwn(ResolvedTenant t, StoragePlan plan, StorageStatus old, Secret given) {
        S3Keys keys = fromSecret(given);
        if (keys == null) {
            return new Result(Conditions.of(STORAGE_READY, false, "CredentialsMissing", "Secret "
                    + t.cache().credentialsSecret() + " in " + t.namespace() + " is missing or lacks "
                    + Names.ACCESS_KEY_ID + "/" + Names.SECRET_ACCESS_KEY), old, null, null, List.of());
        }
        if (storage == null) {
            return new Result(Conditions.of(STORAGE_READY, true, "CredentialsPresent", "Secret "
                    + t.cache().credentialsSecret() + " holds S3 keys (not probed: no RGW client configured)"),
                    old, null, keys.accessKeyId(), List.of());
        }
        storage.probeAccess(plan, keys);
        return new Result(Conditions.of(STORAGE_READY, true, "AccessVerified", "listed, wrote and deleted a probe "
                + "object in bucket " + plan.bucket() + " with the tenant's keys"), old, null, keys.accessKeyId(),
                List.of());
    }

    /** Honours the deletion policy; returns the Event to record. Throws StorageFault to keep the finalizer. */
    String cleanup(ResolvedTenant t) {
        StoragePlan plan = StoragePlan.of(t);
        if (!t.cache().provisioned() || storage == null) {
            return "StorageUntouched:bucket " + plan.bucket() + " was not provisioned by buildfleet and is left as is";
        }
        TenantStorage.DeleteResult result = storage.delete(plan);
        if (!result.removed().isEmpty()) {
            return "StorageDeleted:removed " + String.join(", ", result.removed());
        }
        if (!result.kept().isEmpty()) {
            return "StorageRetained:kept " + String.join(", ", result.kept()) + " (storageDeletionPolicy: Retain)";
        }
        return "StorageAbsent:RGW has none of " + plan.bucket() + ", " + plan.userId() + ", " + plan.ownerUserId()
                + ": nothing to keep or remove";
    }

    private static boolean nearQuota(TenantStorage.Usage usage) {
        long max = usage.quota().maxSizeKb() * 1024;
        return usage.quota().enabled() && max > 0 && usage.bytes() >= max;
    }

    /** The runner Deployment has rolled out with the given key and has an available pod. */
    private static boolean rolledOnto(Deployment runner, String accessKeyId) {
        if (runner == null || runner.getStatus() == null) {
            return false;
        }
        var annotations = runner.getSpec().getTemplate().getMetadata().getAnnotations();
        boolean templateHasKey = annotations != null && accessKeyId.equals(annotations.get(KEY_ANNOTATION));
        var status = runner.getStatus();
        boolean observed = status.getObservedGeneration() != null
                && status.getObservedGeneration() >= runner.getMetadata().getGeneration();
        boolean updated = Objects.equals(status.getUpdatedReplicas(), runner.getSpec().getReplicas());
        return templateHasKey && observed && updated && Rollouts.hasAvailablePod(runner);
    }

    private static String annotation(BuildTenant tenant) {
        Map<String, String> annotations = tenant.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(ROTATE_ANNOTATION);
    }

    /** S3 keys held in a Secret as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or null. */
    public static S3Keys keysOf(Secret secret) {
        return fromSecret(secret);
    }

    static S3Keys fromSecret(Secret secret) {
        if (secret == null || secret.getData() == null) {
            return null;
        }
        String id = decode(secret.getData().get(Names.ACCESS_KEY_ID));
        String key = decode(secret.getData().get(Names.SECRET_ACCESS_KEY));
        return id == null || key == null || id.isEmpty() || key.isEmpty() ? null : new S3Keys(id, key);
    }

    private static String decode(String base64) {
        return base64 == null ? null : new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static Secret credentialsSecret(ResolvedTenant t, S3Keys keys) {
        return new SecretBuilder()
                .withNewMetadata().withName(t.cache().credentialsSecret()).withNamespace(t.namespace())
                .withLabels(t.labels()).endMetadata()
                .withType("Opaque")
                .addToData(Names.ACCESS_KEY_ID, encode(keys.accessKeyId()))
                .addToData(Names.SECRET_ACCESS_KEY, encode(keys.secretAccessKey()))
                .build();
    }

    private static String encode(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
