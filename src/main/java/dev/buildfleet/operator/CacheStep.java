package dev.buildfleet.operator;

import dev.buildfleet.api.CacheStatus;
import dev.buildfleet.cache.CacheCredentials;
import dev.buildfleet.cache.CachePruner;
import dev.buildfleet.cache.CacheRegistries;
import dev.buildfleet.cache.CacheRegistryFault;
import dev.buildfleet.model.CacheGarbageCollectJob;
import dev.buildfleet.model.CacheRegistryDeployment;
import dev.buildfleet.model.CacheRegistryConfig;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.storage.StorageFault;
import dev.buildfleet.storage.StoragePlan;
import dev.buildfleet.storage.TenantStorage;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tenant's layer cache, seen from the reconciler.
 *
 * <p>Credentials: the cache registry's one user. The password is generated once and kept only in the job pods'
 * docker config.json Secret; the registry gets its bcrypt hash in the htpasswd Secret. Secrets that agree are kept
 * as they are; a missing or mismatched htpasswd is rebuilt from the docker config, and both are generated afresh
 * only when the docker config is missing.
 *
 * <p>Expiry, every {@code cacheExpiryInterval}: delete the tags whose image is older than the tenant's TTL through
 * the registry API (Serving), roll the registry to read-only (ReadOnly; the Deployment's Recreate strategy means no
 * writable pod is left once the rollout completes), run {@code registry garbage-collect --delete-untagged} as a Job
 * (Collecting), then back to read-write. A failure never leaves the registry read-only: it reports
 * CacheReady=False and tries again at the next interval. CacheReady never affects Ready: builds work without a
 * cache, only slower.
 */
final class CacheStep implements TenantStep {
    static final String CACHE_READY = "CacheReady";
    /** Registry pod-template annotation: a new htpasswd restarts the registry (Distribution 2.8 reads it once). */
    static final String HTPASSWD_ANNOTATION = "buildfleet.dev/htpasswd-checksum";
    static final String SERVING = "Serving";
    static final String READ_ONLY = "ReadOnly";
    static final String COLLECTING = "Collecting";
    /** A read-only rollout that takes longer than this is given up, and the registry goes back to read-write. */
    static final Duration ROLLOUT_LIMIT = Duration.ofMinutes(15);
    /**
     * A safety net only: changes of the registry Deployment and of the GC Job wake the reconciler through their
     * informers; this catches a rollout that never completes (ROLLOUT_LIMIT).
     */
    static final Duration POLL = Duration.ofMinutes(1);
    static final Duration REGISTRY_RETRY = Duration.ofMinutes(5);
    static final String REGISTRY_UNREACHABLE = "RegistryUnreachable";
    private static final Duration MIN_RECHECK = Duration.ofSeconds(1);

    /**
     * @param objects     Secrets to converge, and the GC Job while one runs
     * @param readOnly    whether the registry Deployment must run read-only
     * @param events      Normal events, and {@code warnings} Warning events, each {@code Reason:message}
     * @param recheckIn   when the reconciler should look again
     */
    record Result(Condition condition, CacheStatus status, List<HasMetadata> objects, boolean readOnly,
                  String htpasswdChecksum, List<String> events, List<String> warnings, Duration recheckIn) {
    }

    private final CacheRegistries registries;
    private final TenantStorage storage;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Per tenant: the fingerprint of a htpasswd/docker-config pair already checked to agree (bcrypt is slow). */
    private final Map<String, String> agreeing = new ConcurrentHashMap<>();
    /**
     * The cache status this process computed last, per tenant: its status write may fail after the registry's tags
     * were deleted, and the next pass must go on from the phase it reached.
     */
    private final Map<String, CacheStatus> latest = new ConcurrentHashMap<>();

    CacheStep(CacheRegistries registries, TenantStorage storage, Clock clock) {
        this.registries = registries;
        this.storage = storage;
        this.clock = clock;
    }

    @Override
    public StepResult run(Observation observed) {
        ResolvedTenant t = observed.resolved();
        CacheStatus last = latest.getOrDefault(observed.name(), observed.status() == null ? null
                : observed.status().cache());
        Result cached = run(t, last, observed.secrets().get(Names.CACHE_REGISTRY_HTPASSWD_SECRET),
                observed.secrets().get(Names.KANIKO_DOCKER_CONFIG_SECRET),
                observed.owned(Deployment.class, Names.CACHE_REGISTRY), observed.owned(Job.class));
        latest.put(observed.name(), cached.status());
        return StepResult.of(cached.condition()).withObjects(cached.objects())
                .withAdjust(o -> o instanceof Deployment d && Names.CACHE_REGISTRY.equals(d.getMetadata().getName())
                        ? registry(d, cached) : o)
                .withEvents(TenantEvent.normals(cached.events()))
                .withEvents(TenantEvent.warnings(cached.warnings()))
                .withStatus(s -> s.withCache(cached.status()))
                .recheckIn(cached.recheckIn().compareTo(MIN_RECHECK) < 0 ? MIN_RECHECK : cached.recheckIn());
    }

    /** The registry Deployment the phase wants: read-only while collecting, restarted when its htpasswd changes. */
    private static Deployment registry(Deployment built, Result cached) {
        Deployment registry = cached.readOnly() ? CacheRegistryDeployment.readOnly(built) : built;
        registry.getSpec().getTemplate().getMetadata().getAnnotations().put(HTPASSWD_ANNOTATION,
                cached.htpasswdChecksum());
        return registry;
    }

    @Override
    public void forget(String tenant) {
        agreeing.remove(tenant);
        latest.remove(tenant);
    }

    Result run(ResolvedTenant t, CacheStatus old, Secret htpasswd, Secret dockerConfig, Deployment registry,
               List<Job> jobs) {
        Instant now = clock.instant();
        List<String> events = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<HasMetadata> objects = new ArrayList<>();
        Login login = credentials(t, htpasswd, dockerConfig, objects, events);
        CacheCredentials credentials = login.credentials();
        String checksum = sha256(login.htpasswd());
        CacheStatus status = old != null ? old : new CacheStatus(SERVING, now.toString(), null, null, null, null,
                null, null, null);

        switch (status.phase() == null ? SERVING : status.phase()) {
            case READ_ONLY -> {
                if (rolledOutReadOnly(registry)) {
                    String job = Names.CACHE_GC_JOB_PREFIX + now.getEpochSecond();
                    objects.add(CacheGarbageCollectJob.build(t, CacheRegistryConfig.build(t), job));
                    return new Result(collecting(status, job), phase(status, COLLECTING, now, job), objects, true,
                            checksum, events, warnings, POLL);
                }
                if (Instant.parse(status.phaseSince()).plus(ROLLOUT_LIMIT).isBefore(now)) {
                    warnings.add("CacheReadOnlyRolloutStuck:the cache registry did not come up read-only within "
                            + ROLLOUT_LIMIT.toMinutes() + " min; it goes back to read-write and garbage "
                            + "collection is skipped until the next expiry");
                    CacheStatus failed = failed(status, now, "ReadOnlyRolloutStuck", "the cache registry did not "
                            + "come up read-only within " + ROLLOUT_LIMIT.toMinutes() + " min, so garbage collection "
                            + "was skipped; see kubectl -n " + t.namespace() + " describe deployment "
                            + Names.CACHE_REGISTRY + "; the next expiry tries again");
                    return new Result(serving(t, failed), failed, objects, false, checksum, events, warnings,
                            t.cache().expiryInterval());
                }
                return new Result(Conditions.of(CACHE_READY, true, "GoingReadOnly", "expiry deleted "
                        + status.prunedTags() + " cache tags; the registry restarts read-only for garbage "
                        + "collection (pulls keep working)"), status, objects, true, checksum, events, warnings, POLL);
            }
            case COLLECTING -> {
                Job job = jobs.stream().filter(j -> j.getMetadata().getName().equals(status.gcJob())).findFirst()
                        .orElse(null);
                if (job != null && succeeded(job)) {
                    Long after = bucketBytes(t);
                    events.add("CacheGarbageCollected:expiry deleted " + status.prunedTags() + " cache tags and "
                            + "collected their layers" + freed(status.sizeBytesBefore(), after)
                            + "; the registry is read-write again");
                    CacheStatus done = finished(status, now, after);
                    return new Result(serving(t, done), done, objects, false, checksum, events, warnings,
                            t.cache().expiryInterval());
                }
                if (job != null && failed(job)) {
                    warnings.add("CacheGarbageCollectionFailed:Job " + job.getMetadata().getName() + " failed; the "
                            + "registry is read-write again and the next expiry tries again");
                    CacheStatus failed = failed(status, now, "GarbageCollectionFailed", "garbage collection Job "
                            + job.getMetadata().getName() + " failed (see kubectl -n " + t.namespace() + " logs job/"
                            + job.getMetadata().getName() + "); the expired tags are deleted but their layers still "
                            + "use the bucket; the next expiry tries again");
                    return new Result(serving(t, failed), failed, objects, false, checksum, events, warnings,
                            t.cache().expiryInterval());
                }
                objects.add(CacheGarbageCollectJob.build(t, CacheRegistryConfig.build(t), status.gcJob()));
                return new Result(collecting(status, status.gcJob()), status, objects, true, checksum, events, warnings, POLL);
            }
            default -> {
                if (!Rollouts.hasAvailablePod(registry)) {
                    return new Result(Conditions.of(CACHE_READY, false, "RegistryNotAvailable", "the cache "
                                    + "registry has no available pod; see kubectl -n " + t.namespace()
                                    + " describe deployment " + Names.CACHE_REGISTRY), status, objects, false,
                            checksum, events, warnings, t.cache().expiryInterval());
                }
                Instant due = status.lastExpiry() == null ? now
                        : Instant.parse(status.lastExpiry()).plus(t.cache().expiryInterval());
                if (REGISTRY_UNREACHABLE.equals(status.failureReason())) {
                    // Retried sooner than the interval, but not on every event: each try may wait a timeout.
                    due = Instant.parse(status.phaseSince()).plus(REGISTRY_RETRY);
                }
                if (now.isBefore(due)) {
                    return new Result(serving(t, status), status, objects, false, checksum, events, warnings,
                            Duration.between(now, due));
                }
                return expire(t, status, credentials, now, objects, checksum, events, warnings);
            }
        }
    }

    private Result expire(ResolvedTenant t, CacheStatus status, CacheCredentials credentials, Instant now,
                          List<HasMetadata> objects, String checksum, List<String> events,
                          List<String> warnings) {
        Long before = bucketBytes(t);
        CachePruner.Result pruned;
        try {
            pruned = new CachePruner(registries.connect(registryUri(t), credentials), t.cache().ttl()).prune(now);
        } catch (CacheRegistryFault fault) {
            CacheStatus failed = new CacheStatus(SERVING, now.toString(), status.gcJob(), status.lastExpiry(),
                    status.prunedTags(), status.sizeBytesBefore(), status.sizeBytes(), REGISTRY_UNREACHABLE,
                    "cache expiry could not list or delete tags (retrying every " + REGISTRY_RETRY.toMinutes()
                            + " min): " + fault.getMessage());
            return new Result(serving(t, failed), failed, objects, false, checksum, events, warnings, REGISTRY_RETRY);
        }
        if (pruned.deleted().isEmpty()) {
            CacheStatus done = new CacheStatus(SERVING, status.phaseSince(), status.gcJob(), now.toString(), 0,
                    before, before, null, null);
            return new Result(serving(t, done), done, objects, false, checksum, events, warnings, t.cache().expiryInterval());
        }
        events.add("CacheTagsPruned:deleted " + pruned.deleted().size() + " cache tags older than "
                + t.cache().ttl().toHours() + " h; the registry goes read-only to collect their layers");
        CacheStatus next = new CacheStatus(READ_ONLY, now.toString(), null, status.lastExpiry(),
                pruned.deleted().size(), before, status.sizeBytes(), null, null);
        return new Result(Conditions.of(CACHE_READY, true, "GoingReadOnly", "expiry deleted "
                        + pruned.deleted().size() + " cache tags; the registry restarts read-only for garbage "
                        + "collection (pulls keep working)"), next, objects, true, checksum, events, warnings, POLL);
    }

    /** The registry's user and the htpasswd text the registry gets for it. */
    private record Login(CacheCredentials credentials, String htpasswd) {
    }

    /** The two Secrets (existing when they agree, else new) go into {@code objects}. */
    private Login credentials(ResolvedTenant t, Secret htpasswd, Secret dockerConfig, List<HasMetadata> objects,
                              List<String> events) {
        String host = Names.cacheRegistryHost(t.name());
        String configJson = text(dockerConfig, Names.KANIKO_DOCKER_CONFIG_KEY);
        String hashes = text(htpasswd, Names.CACHE_REGISTRY_HTPASSWD_KEY);
        CacheCredentials credentials = configJson == null ? null
                : CacheCredentials.fromDockerConfigJson(configJson, host);
        if (credentials == null) {
            credentials = CacheCredentials.generate(random);
            configJson = credentials.dockerConfigJson(host);
            hashes = credentials.htpasswd(random);
            events.add("CacheCredentialsGenerated:generated the cache registry's user; Secrets "
                    + Names.KANIKO_DOCKER_CONFIG_SECRET + " and " + Names.CACHE_REGISTRY_HTPASSWD_SECRET);
        } else if (hashes == null || !(sha256(configJson + "\n" + hashes).equals(agreeing.get(t.name()))
                || credentials.matches(hashes))) {
            hashes = credentials.htpasswd(random);
            events.add("CacheHtpasswdRebuilt:Secret " + Names.CACHE_REGISTRY_HTPASSWD_SECRET + " did not match "
                    + Names.KANIKO_DOCKER_CONFIG_SECRET + " and was rebuilt from it");
        }
        agreeing.put(t.name(), sha256(configJson + "\n" + hashes));
        objects.add(secret(t, Names.CACHE_REGISTRY_HTPASSWD_SECRET, Names.CACHE_REGISTRY_HTPASSWD_KEY, hashes));
        objects.add(secret(t, Names.KANIKO_DOCKER_CONFIG_SECRET, Names.KANIKO_DOCKER_CONFIG_KEY, configJson));
        return new Login(credentials, hashes);
    }

    static URI registryUri(ResolvedTenant t) {
        return URI.create("http://" + Names.cacheRegistryHost(t.name()));
    }

    private Long bucketBytes(ResolvedTenant t) {
        if (storage == null || !t.cache().provisioned()) {
            return null;
        }
        try {
            return storage.usage(StoragePlan.of(t)).bytes();
        } catch (StorageFault fault) {
            return null;
        }
    }

    private static Condition serving(ResolvedTenant t, CacheStatus status) {
        if (status.failureReason() != null) {
            return Conditions.of(CACHE_READY, false, status.failureReason(), status.failureMessage());
        }
        String last = status.lastExpiry() == null ? "no expiry has run yet"
                : "last expiry at " + status.lastExpiry() + " deleted " + status.prunedTags() + " tags"
                + (status.sizeBytes() == null ? "" : ", bucket holds " + status.sizeBytes() + " bytes");
        return Conditions.of(CACHE_READY, true, "Serving", "the cache registry serves read-write; entries live "
                + t.cache().ttl().toHours() + " h; " + last);
    }

    private static Condition collecting(CacheStatus status, String job) {
        return Conditions.of(CACHE_READY, true, "CollectingGarbage", "Job " + job + " collects the layers of "
                + status.prunedTags() + " expired cache tags; the registry is read-only until it ends (pulls keep "
                + "working)");
    }

    private static CacheStatus phase(CacheStatus s, String phase, Instant now, String job) {
        return new CacheStatus(phase, now.toString(), job, s.lastExpiry(), s.prunedTags(), s.sizeBytesBefore(),
                s.sizeBytes(), null, null);
    }

    private static CacheStatus finished(CacheStatus s, Instant now, Long sizeBytes) {
        return new CacheStatus(SERVING, now.toString(), s.gcJob(), now.toString(), s.prunedTags(),
                s.sizeBytesBefore(), sizeBytes, null, null);
    }

    /** Back to read-write; the failure stays in CacheReady until the next run, which is at the usual interval. */
    private static CacheStatus failed(CacheStatus s, Instant now, String reason, String message) {
        return new CacheStatus(SERVING, now.toString(), s.gcJob(), now.toString(), s.prunedTags(),
                s.sizeBytesBefore(), s.sizeBytesBefore(), reason, message);
    }

    private static String freed(Long before, Long after) {
        return before == null || after == null ? "" : " (bucket " + before + " -> " + after + " bytes)";
    }

    /** The live Deployment asks for read-only, and its one pod runs that template (Recreate: no old pod is left). */
    static boolean rolledOutReadOnly(Deployment d) {
        if (d == null || d.getStatus() == null) {
            return false;
        }
        boolean asksReadOnly = d.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .anyMatch(e -> CacheRegistryConfig.READ_ONLY_ENV.equals(e.getName()));
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        long observed = d.getStatus().getObservedGeneration() == null ? -1 : d.getStatus().getObservedGeneration();
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        return asksReadOnly && observed >= generation
                && Objects.equals(d.getStatus().getUpdatedReplicas(), replicas)
                && Objects.equals(d.getStatus().getReplicas(), replicas)
                && Rollouts.hasAvailablePod(d);
    }

    static boolean succeeded(Job job) {
        return job.getStatus() != null && job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0;
    }

    static boolean failed(Job job) {
        return job.getStatus() != null && ((job.getStatus().getFailed() != null && job.getStatus().getFailed() > 0)
                || job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
                .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus())));
    }

    private static Secret secret(ResolvedTenant t, String name, String key, String value) {
        return new SecretBuilder()
                .withNewMetadata().withName(name).withNamespace(t.namespace()).withLabels(t.labels()).endMetadata()
                .withType("Opaque")
                .withData(Map.of(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    private static String text(HasMetadata object, String key) {
        if (!(object instanceof Secret secret)) {
            return null;
        }
        if (secret.getData() != null && secret.getData().get(key) != null) {
            return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
        }
        return secret.getStringData() == null ? null : secret.getStringData().get(key);
    }

    static String sha256(String text) {
        return dev.buildfleet.model.RunnerDeployment.sha256(text == null ? "" : text);
    }
}
