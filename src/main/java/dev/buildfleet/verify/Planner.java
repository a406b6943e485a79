package dev.buildfleet.verify;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Compares what render would write with the live cluster, reading only. */
public final class Planner {
    private final KubernetesClient client;
    private final Fleet fleet;

    public Planner(KubernetesClient client, Fleet fleet) {
        this.client = client;
        this.fleet = fleet;
    }

    /**
     * @param tenants fleet tenants to plan (all when empty; then namespaces of tenants no longer in the fleet are
     *                pruned too)
     */
    public Plan plan(List<String> tenants) {
        LiveObjects live = new LiveObjects(client);
        List<Plan.TenantPlan> plans = new ArrayList<>();
        for (BuildTenant tenant : fleet.tenants()) {
            if (!tenants.isEmpty() && !tenants.contains(tenant.getMetadata().getName())) {
                continue;
            }
            plans.add(plan(TenantResolver.resolve(fleet.config(), tenant), live));
        }
        if (tenants.isEmpty()) {
            Set<String> inFleet = fleet.tenants().stream().map(t -> t.getMetadata().getName())
                    .collect(Collectors.toSet());
            for (Namespace namespace : live.managedNamespaces()) {
                String tenant = Labels.of(namespace).get(Names.TENANT_LABEL);
                // A namespace a BuildTenant owns is the operator's, not the fleet file's; one being deleted is gone.
                boolean operators = namespace.getMetadata().getOwnerReferences() != null && namespace.getMetadata()
                        .getOwnerReferences().stream().anyMatch(o -> BuildTenant.class.getSimpleName()
                                .equals(o.getKind()));
                if (tenant != null && !inFleet.contains(tenant) && !operators
                        && namespace.getMetadata().getDeletionTimestamp() == null) {
                    plans.add(new Plan.TenantPlan(tenant, namespace.getMetadata().getName(), List.of(
                            new PlannedChange(PlannedChange.Action.PRUNE, "Namespace "
                                    + namespace.getMetadata().getName(), List.of(), "tenant " + tenant
                                    + " is no longer in the fleet; deleting the namespace deletes everything in it"))));
                }
            }
        }
        return new Plan(plans);
    }

    private static Plan.TenantPlan plan(ResolvedTenant t, LiveObjects live) {
        List<PlannedChange> changes = new ArrayList<>();
        List<ObjectState> states = ObjectState.of(t, live);
        for (ObjectState state : states) {
            String object = DesiredObjects.name(state.desired());
            if (state.missing()) {
                changes.add(new PlannedChange(PlannedChange.Action.CREATE, object, List.of(), "render writes it, "
                        + "the cluster has none"));
            } else if (state.changed()) {
                changes.add(new PlannedChange(PlannedChange.Action.CHANGE, object, state.differences(),
                        state.differences().size() + " field(s) the model sets differ"));
            }
        }
        Set<String> desired = states.stream().map(s -> DesiredObjects.key(s.desired())).collect(Collectors.toSet());
        for (HasMetadata object : live.managed(t)) {
            if (!desired.contains(DesiredObjects.key(object))) {
                changes.add(new PlannedChange(PlannedChange.Action.PRUNE, DesiredObjects.name(object), List.of(),
                        "labelled managed by buildfleet for " + t.name() + ", and render no longer writes it"));
            }
        }
        return new Plan.TenantPlan(t.name(), t.namespace(), changes);
    }
}
