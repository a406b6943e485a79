package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.BuildTenantStatus;
import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.gitlab.GitLabFault;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantObjects;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.storage.StorageFault;
import dev.buildfleet.validation.Problem;
import dev.buildfleet.validation.TenantValidator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Observe, validate, converge, report: makes a tenant's objects match what the model builds (the same builders as
 * `buildfleet render`) and writes a status a person can act on. A spec the validator refuses changes nothing that
 * already runs.
 */
// Not generation-aware: an annotation (key rotation request) must wake the reconciler too. Our own status patches
// then cause one extra reconcile each, which finds nothing to change and writes nothing.
@ControllerConfiguration(name = "buildtenant", generationAwareEventProcessing = false)
public class BuildTenantReconciler implements Reconciler<BuildTenant>, Cleaner<BuildTenant> {
    private static final Logger LOG = LoggerFactory.getLogger(BuildTenantReconciler.class);
    static final String MANAGED_SELECTOR = Names.MANAGED_BY_LABEL + "=" + Names.MANAGED_BY;
    /**
     * Kinds watched cluster-wide (label-filtered). Secrets are not among them: a cluster-wide Secret informer needs
     * list/watch on every Secret of the cluster; the operator reads its few Secrets by name in tenant namespaces,
     * where a RoleBinding grants it that (model.OperatorTenantRoleBinding).
     */
    static final List<Class<? extends HasMetadata>> OWNED_TYPES = List.of(Namespace.class, ServiceAccount.class,
            RoleBinding.class, ResourceQuota.class, LimitRange.class, NetworkPolicy.class,
            ConfigMap.class, Deployment.class, Service.class, Job.class);
    static final Duration SECRETS_RECHECK = Duration.ofMinutes(5);
    static final Duration GITLAB_RETRY = Duration.ofSeconds(30);
    /** A tenant refused for what an older tenant holds looks again this often: the other may change or go. */
    static final Duration CONFLICT_RECHECK = Duration.ofMinutes(1);
    private static final Duration GITLAB_MAX_RETRY = Duration.ofMinutes(10);
    private static final int MAX_MESSAGE = 2000;
    /** Conditions that Ready waits for, in the order that says best why it waits. */
    private static final List<String> READY_NEEDS = List.of(Conditions.NODES_READY, StorageStep.STORAGE_READY,
            RunnerStep.RUNNER_REGISTERED);
    private static final String NODES = "nodes";
    private static final String SELECTOR_INDEX = "nodeSelectorLabel";
    private static final String LABEL_INDEX = "label";

    private final FleetConfig config;
    private final Clock clock;
    private final OperatorMetrics metrics;
    private final StorageStep storage;
    private final MonitoringStep monitoring;
    private final RunnerStep runners;
    private final CacheStep cache;
    /** The steps of a pass, in the order their conditions show in the status. */
    private final List<TenantStep> steps;
    /** Failed runner deletions in a row, per tenant: the retry delay doubles with each. */
    private final Map<String, Integer> deleteAttempts = new java.util.concurrent.ConcurrentHashMap<>();
    private final Duration gitlabRetry;
    private final EstablishedTenants established;
    /** The Events this reconciler wrote, so a repeat is one patch and a new one one create, with no read. */
    private final EventRecorder.Memory eventMemory = new EventRecorder.Memory();

    public BuildTenantReconciler(FleetConfig config, OperatorMetrics metrics,
                                 BuildfleetOperator.Integrations integrations) {
        this.config = config;
        this.clock = integrations.clock();
        this.metrics = metrics;
        this.established = new EstablishedTenants(config);
        this.gitlabRetry = integrations.gitlabRetry();
        this.storage = new StorageStep(integrations.storage());
        this.monitoring = new MonitoringStep(clock);
        this.runners = new RunnerStep(integrations.gitlab(), clock, config.gitlab().rotationMargin(), gitlabRetry);
        this.cache = new CacheStep(integrations.cacheRegistries(), integrations.storage(), clock);
        this.steps = List.of(new ModelObjectsStep(), new CaBundleStep(), new NodesStep(), storage, monitoring, runners,
                cache);
    }

    @Override
    public List<EventSource<?, BuildTenant>> prepareEventSources(EventSourceContext<BuildTenant> context) {
        List<EventSource<?, BuildTenant>> sources = new ArrayList<>();
        for (Class<? extends HasMetadata> type : OWNED_TYPES) {
            sources.add(owned(type, context));
        }
        // Tenants by each label of their node selector, nodes by each of their labels: which tenants a node serves
        // and which nodes a tenant has are index look-ups, not passes over every tenant or node.
        context.getPrimaryCache().addIndexers(Map.of(SELECTOR_INDEX, t -> pairs(selectorOf(t))));
        // Nodes are not ours: watch them all and wake the tenants whose selector a node matches.
        InformerEventSource<Node, BuildTenant> nodes = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Node.class, BuildTenant.class)
                .withName(NODES)
                .withSecondaryToPrimaryMapper(node -> tenantsOf(context.getPrimaryCache(), labelsOf(node)).stream()
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(), context);
        nodes.addIndexers(Map.of(LABEL_INDEX, node -> pairs(labelsOf(node))));
        sources.add(nodes);
        return sources;
    }

    private static <R extends HasMetadata> InformerEventSource<R, BuildTenant> owned(
            Class<R> type, EventSourceContext<BuildTenant> context) {
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, BuildTenant.class)
                .withName(type.getSimpleName().toLowerCase())
                .withLabelSelector(MANAGED_SELECTOR)
                .withSecondaryToPrimaryMapper(object -> {
                    String tenant = labelsOf(object).get(Names.TENANT_LABEL);
                    return tenant == null ? Set.of() : Set.of(new ResourceID(tenant));
                })
                .build(), context);
    }

    @Override
    public UpdateControl<BuildTenant> reconcile(BuildTenant tenant, Context<BuildTenant> context) {
        long started = System.nanoTime();
        List<Problem> problems = TenantValidator.validate(config, tenant);
        ResolvedTenant resolved = problems.isEmpty() ? TenantResolver.resolve(config, tenant) : null;
        List<Problem> conflicts = resolved != null ? conflicts(tenant, resolved, context) : List.of();
        if (!problems.isEmpty() || !conflicts.isEmpty()) {
            return refused(tenant, problems, conflicts, context, started);
        }
        // The operator's rights to the tenant's Secrets come with the namespace's RoleBinding: write both first.
        TenantSecrets secrets = new TenantSecrets(context.getClient(), resolved.namespace());
        int writes = converge(tenant, resolved, TenantObjects.access(resolved), context, secrets);
        if (writes > 0) {
            secrets.grantJustWritten();
        }
        List<Node> nodes = nodes(context, resolved.nodeSelector());
        Observation observed = new Observation(tenant, resolved, secrets, nodes,
                otherSelectors(tenant, resolved, nodes, context), context);
        List<StepResult> results = steps.stream().map(step -> step.run(observed)).toList();

        List<HasMetadata> desired = desired(results);
        writes += converge(tenant, resolved, desired, context, secrets);
        writes += prune(observed, desired);

        List<Condition> conditions = new ArrayList<>();
        results.forEach(r -> conditions.addAll(r.conditions()));
        conditions.addFirst(ready(resolved, conditions, observed.owned(Deployment.class, Names.RUNNER_DEPLOYMENT)));
        BuildTenantStatus status = (tenant.getStatus() == null ? BuildTenantStatus.NONE : tenant.getStatus())
                .withPlacement(resolved.namespace(), resolved.cache().bucket());
        for (StepResult result : results) {
            status = result.status().apply(status);
        }
        EventRecorder events = events(context);
        results.forEach(r -> events.record(tenant, r.events()));
        report(tenant, status, conditions, writes, events, context, started);
        // Secrets are not watched: a deleted or changed one is found at the latest by this pass.
        Duration recheck = results.stream().map(StepResult::recheckIn).filter(Objects::nonNull)
                .reduce(SECRETS_RECHECK, (a, b) -> a.compareTo(b) <= 0 ? a : b);
        return UpdateControl.<BuildTenant>noUpdate().rescheduleAfter(recheck);
    }

    /** A spec the validator refuses, or one that takes what an older tenant holds, changes nothing but its status. */
    private UpdateControl<BuildTenant> refused(BuildTenant tenant, List<Problem> problems, List<Problem> conflicts,
                                               Context<BuildTenant> context, long started) {
        String message = Stream.concat(problems.stream(), conflicts.stream()).map(Problem::toString)
                .collect(Collectors.joining("; "));
        Condition ready = Conditions.of(Conditions.READY, false, "InvalidSpec", truncate((conflicts.isEmpty()
                ? "the spec was refused" : "the spec takes what an older tenant holds")
                + " and nothing was changed; fix: " + message));
        report(tenant, tenant.getStatus() == null ? BuildTenantStatus.NONE : tenant.getStatus(), List.of(ready), 0,
                events(context), context, started);
        UpdateControl<BuildTenant> control = UpdateControl.noUpdate();
        return conflicts.isEmpty() ? control : control.rescheduleAfter(CONFLICT_RECHECK);
    }

    /** Sets the conditions, records their transitions, counts the pass and writes the status if it changed. */
    private void report(BuildTenant tenant, BuildTenantStatus status, List<Condition> conditions, int writes,
                        EventRecorder events, Context<BuildTenant> context, long started) {
        BuildTenantStatus old = tenant.getStatus();
        long generation = tenant.getMetadata().getGeneration() == null ? 0 : tenant.getMetadata().getGeneration();
        BuildTenantStatus next = status.withConditions(generation, Conditions.merge(
                old == null ? null : old.conditions(), conditions, generation, clock.instant()));
        String name = tenant.getMetadata().getName();
        recordTransitions(tenant, old, next.conditions(), events);
        metrics.reconciled(name, Conditions.isTrue(next.conditions(), Conditions.READY), writes,
                System.nanoTime() - started);
        metrics.tenantStatus(name, next);
        if (!Objects.equals(next, old)) {
            writeStatus(tenant, next, context);
        }
    }

    /**
     * Patches the status against the resourceVersion this reconcile read (a conflict is retried on the newer copy
     * from the cache) and puts the result into the primary cache at once, so the next reconcile (often woken by
     * another event before the informer has the write) starts from this status: otherwise it would compute and write
     * the same status again and repeat its Events.
     */
    private static void writeStatus(BuildTenant tenant, BuildTenantStatus status, Context<BuildTenant> context) {
        PrimaryUpdateAndCacheUtils.patchStatusAndCacheResource(tenant, context, t -> {
            t.setStatus(status);
            return t;
        });
    }

    /** What the tenant shares with an older BuildTenant of the cluster (bucket, nodes, taint). */
    private List<Problem> conflicts(BuildTenant tenant, ResolvedTenant resolved, Context<BuildTenant> context) {
        return established.conflictsOf(tenant, resolved,
                context.getPrimaryCache().list());
    }

    /**
     * Puts what we just wrote into the informer's cache at once, so the next reconcile (often triggered by this very
     * write) compares against it and does not write the same change again.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void rememberOwnWrite(Context<BuildTenant> context, HasMetadata written, HasMetadata before) {
        InformerEventSource source = (InformerEventSource) context.eventSourceRetriever()
                .getEventSourceFor(written.getClass(), written.getClass().getSimpleName().toLowerCase());
        ResourceID id = ResourceID.fromResource(written);
        if (before == null) {
            source.handleRecentResourceCreate(id, written);
        } else {
            source.handleRecentResourceUpdate(id, written, before);
        }
    }

    /**
     * Every step's objects, each shaped by every step's adjustment, Secrets and ConfigMaps before the pods that
     * mount them.
     */
    static List<HasMetadata> desired(List<StepResult> results) {
        List<HasMetadata> objects = new ArrayList<>();
        for (StepResult wanting : results) {
            for (HasMetadata object : wanting.objects()) {
                for (StepResult shaping : results) {
                    object = shaping.adjust().apply(object);
                }
                objects.add(object);
            }
        }
        objects.sort(Comparator.comparingInt(BuildTenantReconciler::applyOrder));
        return objects;
    }

    private static int applyOrder(HasMetadata object) {
        if (object instanceof Namespace) {
            return 0;
        }
        return object instanceof Secret || object instanceof ConfigMap ? 1 : 2;
    }

    /** Deletes what the operator wrote for the tenant and no longer wants. @return how many objects */
    private int prune(Observation observed, List<HasMetadata> desired) {
        List<String> pruned = UnwantedObjects.prune(observed.client(), observed.tenant(), observed.resolved(),
                desired, monitoring, candidate -> MonitoringStep.withoutInformer(candidate)
                        ? MonitoringStep.fetch(observed.client(), candidate)
                        : observed.owned(candidate.getClass(), candidate.getMetadata().getName()));
        pruned.forEach(p -> LOG.info("tenant={} deleted {} (no longer wanted)", observed.name(), p));
        return pruned.size();
    }

    /** @return how many objects were created or updated */
    private int converge(BuildTenant tenant, ResolvedTenant resolved, List<HasMetadata> desiredObjects,
                         Context<BuildTenant> context, TenantSecrets secrets) {
        OwnedObjects writer = new OwnedObjects(context.getClient());
        Map<String, HasMetadata> actual = new HashMap<>();
        for (Class<? extends HasMetadata> type : OWNED_TYPES) {
            for (HasMetadata object : context.getSecondaryResources(type)) {
                actual.put(key(object), object);
            }
        }
        int writes = 0;
        for (HasMetadata desired : desiredObjects) {
            // Kinds of optional CRDs (MonitoringStep) and Secrets have no informer: read them directly.
            boolean noInformer = MonitoringStep.withoutInformer(desired) || desired instanceof Secret;
            HasMetadata before = desired instanceof Secret secret
                    ? (secrets.namespace().equals(secret.getMetadata().getNamespace()) ? secrets
                    : new TenantSecrets(context.getClient(), secret.getMetadata().getNamespace()))
                    .get(secret.getMetadata().getName())
                    : noInformer ? MonitoringStep.fetch(context.getClient(), desired) : actual.get(key(desired));
            OwnedObjects.Outcome outcome = writer.apply(tenant, desired, before);
            if (outcome.kind() != OwnedObjects.Kind.UNCHANGED) {
                writes++;
                if (!noInformer) {
                    rememberOwnWrite(context, outcome.written(), outcome.before());
                } else if (outcome.written() instanceof Secret written
                        && secrets.namespace().equals(written.getMetadata().getNamespace())) {
                    secrets.written(written);
                }
                LOG.info("tenant={} {} {}/{}{}", resolved.name(), outcome.kind().name().toLowerCase(),
                        desired.getKind(), desired.getMetadata().getName(),
                        outcome.difference() == null ? "" : " (differed at " + outcome.difference() + ")");
            }
        }
        return writes;
    }

    /**
     * Ready: the first of {@link #READY_NEEDS} that is not True says why not; then the runner manager's pod. A bad
     * or missing CA bundle leaves the last good copy in place, so pods that run keep working and Ready follows the
     * runner's pod.
     */
    private static Condition ready(ResolvedTenant t, List<Condition> conditions, Deployment runner) {
        for (String type : READY_NEEDS) {
            Condition needed = Conditions.find(conditions, type);
            if (needed != null && !"True".equals(needed.getStatus())) {
                return Conditions.of(Conditions.READY, false, needed.getReason(), needed.getMessage());
            }
        }
        if (!Rollouts.hasAvailablePod(runner)) {
            return Conditions.of(Conditions.READY, false, "RunnerNotAvailable", "the gitlab-runner Deployment in "
                    + t.namespace() + " has no available pod yet; see kubectl -n " + t.namespace()
                    + " describe deployment " + Names.RUNNER_DEPLOYMENT);
        }
        return Conditions.of(Conditions.READY, true, "Ready", "runner manager running on the tenant's nodes with "
                + t.concurrency() + " job slots");
    }

    /**
     * One Event per reconcile for the conditions that changed (status or reason): several changes at once, as when a
     * tenant gets its first status, are one Event naming each, led by Ready when it changed, a Warning when any of
     * them is not True. A change alone is an Event of its own reason, as before.
     */
    private static void recordTransitions(BuildTenant tenant, BuildTenantStatus old, List<Condition> conditions,
                                          EventRecorder events) {
        List<Condition> changed = new ArrayList<>();
        for (Condition now : conditions) {
            Condition before = Conditions.find(old == null ? null : old.conditions(), now.getType());
            if (before != null && Objects.equals(before.getStatus(), now.getStatus())
                    && Objects.equals(before.getReason(), now.getReason())) {
                continue;
            }
            if (Conditions.READY.equals(now.getType())) {
                changed.add(0, now);
            } else {
                changed.add(now);
            }
        }
        if (changed.isEmpty()) {
            return;
        }
        Condition lead = changed.get(0);
        String message = changed.size() == 1 ? lead.getType() + "=" + lead.getStatus() + ": " + lead.getMessage()
                : changed.stream().map(c -> c.getType() + "=" + c.getStatus() + " (" + c.getReason() + "): "
                + c.getMessage()).collect(Collectors.joining("; "));
        if (changed.stream().allMatch(c -> "True".equals(c.getStatus()))) {
            events.normal(tenant, lead.getReason(), truncate(message));
        } else {
            events.warning(tenant, lead.getReason(), truncate(message));
        }
    }

    @Override
    public ErrorStatusUpdateControl<BuildTenant> updateErrorStatus(BuildTenant tenant, Context<BuildTenant> context,
                                                                 Exception e) {
        metrics.failed(tenant.getMetadata().getName());
        LOG.warn("tenant={} reconcile failed, will retry: {}", tenant.getMetadata().getName(), e.getMessage());
        BuildTenantStatus old = tenant.getStatus();
        List<Condition> previous = old == null ? null : old.conditions();
        List<Condition> wanted = new ArrayList<>();
        wanted.add(Conditions.of(Conditions.READY, false, "ReconcileError", truncate("could not apply the tenant's "
                + "objects, retrying with backoff: " + e.getMessage())));
        if (previous != null) {
            previous.stream().filter(c -> !Conditions.READY.equals(c.getType())).forEach(wanted::add);
        }
        long generation = tenant.getMetadata().getGeneration() == null ? 0 : tenant.getMetadata().getGeneration();
        tenant.setStatus((old == null ? BuildTenantStatus.NONE : old).withConditions(generation,
                Conditions.merge(previous, wanted, generation, clock.instant())));
        return ErrorStatusUpdateControl.patchStatus(tenant);
    }

    /**
     * Namespace-scoped objects go with the namespace through owner references. Storage follows the tenant's
     * deletion policy; while RGW cannot be reached the finalizer stays and the clean-up is retried, so a fault never
     * loses the decision nor deletes anything early.
     */
    @Override
    public DeleteControl cleanup(BuildTenant tenant, Context<BuildTenant> context) {
        String name = tenant.getMetadata().getName();
        EventRecorder events = events(context);
        boolean valid = TenantValidator.validate(config, tenant).isEmpty();
        ResolvedTenant resolved = valid ? TenantResolver.resolve(config, tenant) : null;
        List<Problem> conflicts = valid ? conflicts(tenant, resolved, context) : List.of();
        if (!valid) {
            events.warning(tenant, "StorageUntouched", "the spec is invalid, so its storage is left as it is");
        } else if (!conflicts.isEmpty()) {
            // What it names (bucket, runner) belongs to an older tenant: deleting it would delete theirs.
            events.warning(tenant, "StorageUntouched", truncate("the spec takes what an older tenant holds, so "
                    + "neither its runner nor its storage is touched: " + conflicts.stream().map(Problem::toString)
                    .collect(Collectors.joining("; "))));
        } else {
            Long runnerId = runners.lastRunnerId(tenant);
            try {
                events.normal(tenant, runners.cleanup(tenant, resolved));
                deleteAttempts.remove(name);
            } catch (GitLabFault fault) {
                if (RunnerStep.forceRemove(tenant)) {
                    events.warning(tenant, "RunnerForceRemoved", "the runner could not be deleted in GitLab ("
                            + fault.getMessage() + ") and annotation " + RunnerStep.FORCE_REMOVE_ANNOTATION
                            + " lets the tenant go anyway: delete runner " + runnerId + " in GitLab by hand");
                } else {
                    int attempt = deleteAttempts.merge(name, 1, Integer::sum);
                    Duration delay = gitlabRetry.multipliedBy(1L << Math.min(attempt - 1, 10));
                    if (delay.compareTo(GITLAB_MAX_RETRY) > 0) {
                        delay = GITLAB_MAX_RETRY;
                    }
                    String message = "the runner could not be deleted in GitLab, so the tenant stays until it is "
                            + "(attempt " + attempt + ", next in " + delay.toSeconds() + " s; annotate "
                            + RunnerStep.FORCE_REMOVE_ANNOTATION + " to give up on it): " + fault.getMessage();
                    events.warning(tenant, fault.reason().name(), message);
                    // A stable message: a status write per attempt would wake the clean-up at once and defeat the
                    // backoff.
                    reportDeletionBlocked(tenant, context, fault.reason().name(), "the runner could not be deleted "
                            + "in GitLab, so the tenant stays until it is; retrying with backoff (annotate "
                            + RunnerStep.FORCE_REMOVE_ANNOTATION + " to give up on it): " + fault.getMessage());
                    return DeleteControl.noFinalizerRemoval().rescheduleAfter(delay);
                }
            }
        }
        if (valid && conflicts.isEmpty()) {
            try {
                events.normal(tenant, List.of(storage.cleanup(resolved)));
            } catch (StorageFault fault) {
                events.warning(tenant, fault.reason().name(), "storage clean-up failed, retrying; nothing was "
                        + "deleted: " + fault.getMessage());
                return DeleteControl.noFinalizerRemoval().rescheduleAfter(StorageStep.RETRY);
            }
        }
        established.forget(tenant);
        LOG.info("tenant={} deleted; its namespace and objects are garbage-collected", name);
        metrics.forget(name);
        steps.forEach(step -> step.forget(name));
        deleteAttempts.remove(name);
        return DeleteControl.defaultDelete();
    }

    /** Says in the tenant's status why its deletion waits; best effort (the Event already says it). */
    private void reportDeletionBlocked(BuildTenant tenant, Context<BuildTenant> context, String reason,
                                       String message) {
        BuildTenantStatus old = tenant.getStatus();
        if (old == null) {
            return;
        }
        long generation = tenant.getMetadata().getGeneration() == null ? 0 : tenant.getMetadata().getGeneration();
        List<Condition> conditions = Conditions.merge(old.conditions(), List.of(
                Conditions.of(RunnerStep.RUNNER_REGISTERED, false, reason, truncate(message))), generation,
                clock.instant());
        if (Objects.equals(conditions, old.conditions())) {
            return;
        }
        BuildTenantStatus status = old.withConditions(old.observedGeneration(), conditions);
        try {
            writeStatus(tenant, status, context);
        } catch (RuntimeException e) {
            LOG.warn("tenant={} could not write the deletion status: {}", tenant.getMetadata().getName(),
                    e.getMessage());
        }
    }

    private EventRecorder events(Context<BuildTenant> context) {
        return new EventRecorder(context.getClient(), eventMemory);
    }

    /** The nodes that carry one label of the selector (a superset of the matching ones, which the assessment picks). */
    @SuppressWarnings("unchecked")
    private static List<Node> nodes(Context<BuildTenant> context, Map<String, String> selector) {
        if (selector.isEmpty()) {
            return List.of();
        }
        InformerEventSource<Node, BuildTenant> nodes = (InformerEventSource<Node, BuildTenant>) context
                .eventSourceRetriever().getEventSourceFor(Node.class, NODES);
        Map.Entry<String, String> first = selector.entrySet().iterator().next();
        return nodes.byIndex(LABEL_INDEX, pair(first.getKey(), first.getValue()));
    }

    /** The other tenants whose selector one of the tenant's nodes matches too, with their selectors. */
    private static Map<String, Map<String, String>> otherSelectors(BuildTenant tenant, ResolvedTenant resolved,
                                                                   List<Node> nodes, Context<BuildTenant> context) {
        Map<String, Map<String, String>> others = new TreeMap<>();
        for (Node node : nodes) {
            if (!NodeAssessment.matches(resolved.nodeSelector(), labelsOf(node))) {
                continue;
            }
            for (BuildTenant t : tenantsOf(context.getPrimaryCache(), labelsOf(node))) {
                if (!t.getMetadata().getName().equals(tenant.getMetadata().getName())) {
                    others.put(t.getMetadata().getName(), selectorOf(t));
                }
            }
        }
        return others;
    }

    /** The tenants whose node selector the labels satisfy. */
    private static List<BuildTenant> tenantsOf(IndexedResourceCache<BuildTenant> tenants, Map<String, String> labels) {
        Map<String, BuildTenant> found = new TreeMap<>();
        for (Map.Entry<String, String> label : labels.entrySet()) {
            for (BuildTenant t : tenants.byIndex(SELECTOR_INDEX, pair(label.getKey(), label.getValue()))) {
                if (NodeAssessment.matches(selectorOf(t), labels)) {
                    found.put(t.getMetadata().getName(), t);
                }
            }
        }
        return List.copyOf(found.values());
    }

    private static List<String> pairs(Map<String, String> labels) {
        return labels.entrySet().stream().map(e -> pair(e.getKey(), e.getValue())).toList();
    }

    private static String pair(String key, String value) {
        return key + "=" + value;
    }

    static Map<String, String> selectorOf(BuildTenant tenant) {
        if (tenant.getSpec() != null && tenant.getSpec().nodes() != null && tenant.getSpec().nodes().selector() != null
                && !tenant.getSpec().nodes().selector().isEmpty()) {
            return tenant.getSpec().nodes().selector();
        }
        return Map.of(Names.TENANT_LABEL, tenant.getMetadata().getName());
    }

    private static Map<String, String> labelsOf(HasMetadata object) {
        return object.getMetadata().getLabels() == null ? Map.of() : object.getMetadata().getLabels();
    }

    private static String key(HasMetadata o) {
        return o.getKind() + "/" + Objects.requireNonNullElse(o.getMetadata().getNamespace(), "") + "/"
                + o.getMetadata().getName();
    }

    private static String truncate(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 1) + "…";
    }
}
