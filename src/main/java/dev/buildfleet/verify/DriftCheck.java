package dev.buildfleet.verify;

import dev.buildfleet.model.ResolvedTenant;

import java.util.ArrayList;
import java.util.List;

/** Each object render writes for the tenant exists and holds every field the model sets as the model sets it. */
final class DriftCheck {
    static final String NAME = "drift";

    private DriftCheck() {
    }

    static List<CheckResult> check(ResolvedTenant tenant, List<ObjectState> states) {
        List<CheckResult> results = new ArrayList<>();
        String fix = "apply what render writes again (buildfleet render -f FLEET.yaml -o DIR && kubectl apply -k "
                + "DIR/" + tenant.name() + "), or let the operator converge the tenant; the API server's audit log "
                + "says who changed it";
        for (ObjectState state : states) {
            String object = DesiredObjects.name(state.desired());
            if (state.missing()) {
                results.add(CheckResult.fail(tenant.name(), NAME, object + " is missing",
                        List.of(new Evidence(object, "", "not found in the cluster")), fix
                                + (state.desired().getApiVersion().startsWith("monitoring.coreos.com/")
                                ? "; this kind needs prometheus-operator's CRDs (or switch its spec.monitoring "
                                + "toggle off)" : "")));
            } else if (state.changed()) {
                results.add(CheckResult.fail(tenant.name(), NAME, object + " differs from what render writes in "
                                + state.differences().size() + " field(s)",
                        state.differences().stream().map(d -> new Evidence(object, d.path(), d.describe()))
                                .toList(), fix));
            }
        }
        if (results.isEmpty()) {
            results.add(CheckResult.pass(tenant.name(), NAME, states.size()
                    + " objects exist with every field the model sets as render writes it", List.of()));
        }
        return results;
    }
}
