package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.BuildTenantStatus;
import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantObjects;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.validation.Problem;
import dev.buildfleet.validation.TenantValidator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Observe, validate, converge, report: makes a tenant's objects match what the model builds (the same builders as
 * `buildfleet render`) and writes a status a person can act on. A spec the validator refuses changes nothing that
 * already runs.
 */
@ControllerConfiguration(name = "buildtenant")
public class BuildTenantReconciler implements Reconciler<BuildTenant>, Cleaner<BuildTenant> {
    private static final Logger LOG = LoggerFactory.getLogger(BuildTenantReconciler.class);
    static final String MANAGED_SELECTOR = Names.MANAGED_BY_LABEL + "=" + Names.MANAGED_BY;
    static final List<Class<? extends HasMetadata>> OWNED_TYPES = List.of(Namespace.class, ServiceAccount.class,
            Role.class, RoleBinding.class, ResourceQuota.class, LimitRange.class, NetworkPolicy.class,
            ConfigMap.class, Deployment.class, Service.class);
    private static final int MAX_MESSAGE = 2000;
    private static final String NODES = "nodes";

    private final FleetConfig config;
    private final Clock clock;
    private final OperatorMetrics metrics;

    public BuildTenantReconciler(FleetConfig config, Clock clock, OperatorMetrics metrics) {
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public List<EventSource<?, BuildTenant>> prepareEventSources(EventSourceContext<BuildTenant> context) {
        List<EventSource<?, BuildTenant>> sources = new ArrayList<>();
        for (Class<? extends HasMetadata> type : OWNED_TYPES) {
            sources.add(owned(type, context));
        }
        // Nodes are not ours: watch them all and wake the tenants whose selector a node matches.
        sources.add(new InformerEventSource<>(InformerEventSourceConfiguration.from(Node.class, BuildTenant.class)
                .withName(NODES)
                .withSecondaryToPrimaryMapper(node -> context.getPrimaryCache().list()
                        .filter(t -> NodeAssessment.matches(selectorOf(t), labelsOf(node)))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(), context));
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
        String name = tenant.getMetadata().getName();
        EventRecorder events = new EventRecorder(context.getClient());
        BuildTenantStatus old = tenant.getStatus();
        List<Condition> wanted = new ArrayList<>();
        ResolvedTenant resolved = null;
        NodeAssessment assessed = null;
        int writes = 0;

        List<Problem> problems = TenantValidator.validate(config, tenant);
        if (!problems.isEmpty()) {
            String message = problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
            wanted.add(Conditions.of(Conditions.READY, false, "InvalidSpec", truncate("the spec was refused and "
                    + "nothing was changed; fix: " + message)));
        } else {
            resolved = TenantResolver.resolve(config, tenant);
            writes = converge(tenant, resolved, context);
            assessed = NodeAssessment.of(resolved, nodes(context), otherSelectors(tenant, context));
            wanted.add(ready(resolved, assessed, context));
            wanted.add(assessed.nodesReady());
            wanted.add(assessed.capacitySufficient());
        }

        long generation = tenant.getMetadata().getGeneration() == null ? 0 : tenant.getMetadata().getGeneration();
        List<Condition> conditions = Conditions.merge(old == null ? null : old.conditions(), wanted, generation,
                clock.instant());
        BuildTenantStatus status = new BuildTenantStatus(generation, conditions,
                resolved == null ? (old == null ? null : old.namespace()) : resolved.namespace(),
                old == null ? null : old.runnerId(), old == null ? null : old.tokenExpiresAt(),
                resolved == null ? (old == null ? null : old.bucket()) : resolved.cache().bucket(),
                assessed == null ? (old == null ? null : old.capacity()) : assessed.capacity());
        recordTransitions(tenant, old, conditions, events);
        metrics.reconciled(name, Conditions.isTrue(conditions, Conditions.READY), writes, System.nanoTime() - started);
        if (Objects.equals(status, old)) {
            return UpdateControl.noUpdate();
        }
        tenant.setStatus(status);
        return UpdateControl.patchStatus(tenant);
    }

    /** @return how many objects were created or updated */
    private int converge(BuildTenant tenant, ResolvedTenant resolved, Context<BuildTenant> context) {
        OwnedObjects writer = new OwnedObjects(context.getClient());
        Map<String, HasMetadata> actual = new HashMap<>();
        for (Class<? extends HasMetadata> type : OWNED_TYPES) {
            for (HasMetadata object : context.getSecondaryResources(type)) {
                actual.put(key(object), object);
            }
        }
        int writes = 0;
        for (HasMetadata desired : TenantObjects.build(resolved)) {
            OwnedObjects.Outcome outcome = writer.apply(tenant, desired, actual.get(key(desired)));
            if (outcome.kind() != OwnedObjects.Kind.UNCHANGED) {
                writes++;
                LOG.info("tenant={} {} {}/{}{}", resolved.name(), outcome.kind().name().toLowerCase(),
                        desired.getKind(), desired.getMetadata().getName(),
                        outcome.difference() == null ? "" : " (differed at " + outcome.difference() + ")");
            }
        }
        return writes;
    }

    private static Condition ready(ResolvedTenant t, NodeAssessment nodes, Context<BuildTenant> context) {
        if (!"True".equals(nodes.nodesReady().getStatus())) {
            return Conditions.of(Conditions.READY, false, nodes.nodesReady().getReason(),
                    nodes.nodesReady().getMessage());
        }
        Deployment runner = context.getSecondaryResources(Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals(Names.RUNNER_DEPLOYMENT)).findFirst().orElse(null);
        Integer available = runner == null || runner.getStatus() == null ? null
                : runner.getStatus().getAvailableReplicas();
        if (available == null || available < 1) {
            return Conditions.of(Conditions.READY, false, "RunnerNotAvailable", "the gitlab-runner Deployment in "
                    + t.namespace() + " has no available pod yet; see kubectl -n " + t.namespace()
                    + " describe deployment " + Names.RUNNER_DEPLOYMENT);
        }
        return Conditions.of(Conditions.READY, true, "Ready", "runner manager running on the tenant's nodes with "
                + t.concurrency() + " job slots");
    }

    private static void recordTransitions(BuildTenant tenant, BuildTenantStatus old, List<Condition> conditions,
                                          EventRecorder events) {
        for (Condition now : conditions) {
            Condition before = Conditions.find(old == null ? null : old.conditions(), now.getType());
            if (before != null && Objects.equals(before.getStatus(), now.getStatus())
                    && Objects.equals(before.getReason(), now.getReason())) {
                continue;
            }
            String message = now.getType() + "=" + now.getStatus() + ": " + now.getMessage();
            if ("True".equals(now.getStatus())) {
                events.normal(tenant, now.getReason(), message);
            } else {
                events.warning(tenant, now.getReason(), message);
            }
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
        tenant.setStatus(new BuildTenantStatus(generation, Conditions.merge(previous, wanted, generation,
                clock.instant()), old == null ? null : old.namespace(), old == null ? null : old.runnerId(),
                old == null ? null : old.tokenExpiresAt(), old == null ? null : old.bucket(),
                old == null ? null : old.capacity()));
        return ErrorStatusUpdateControl.patchStatus(tenant);
    }

    /** Namespace-scoped objects go with the namespace through owner references; external cleanup hooks in here. */
    @Override
    public DeleteControl cleanup(BuildTenant tenant, Context<BuildTenant> context) {
        LOG.info("tenant={} deleted; its namespace and objects are garbage-collected", tenant.getMetadata().getName());
        metrics.forget(tenant.getMetadata().getName());
        return DeleteControl.defaultDelete();
    }

    /** Every node the operator knows; the assessment picks the tenant's own and looks for shared ones. */
    @SuppressWarnings("unchecked")
    private static List<Node> nodes(Context<BuildTenant> context) {
        InformerEventSource<Node, BuildTenant> nodes = (InformerEventSource<Node, BuildTenant>) context
                .eventSourceRetriever().getEventSourceFor(Node.class, NODES);
        return nodes.list().toList();
    }

    private static Map<String, Map<String, String>> otherSelectors(BuildTenant tenant, Context<BuildTenant> context) {
        Map<String, Map<String, String>> others = new TreeMap<>();
        context.getPrimaryCache().list()
                .filter(t -> !t.getMetadata().getName().equals(tenant.getMetadata().getName()))
                .forEach(t -> others.put(t.getMetadata().getName(), selectorOf(t)));
        return others;
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
