package dev.buildfleet.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;

/** What a Deployment's status says of its rollout. */
final class Rollouts {
    private Rollouts() {
    }

    /** At least one of its pods is available (false for a missing Deployment or one without status yet). */
    static boolean hasAvailablePod(Deployment d) {
        return d != null && d.getStatus() != null && d.getStatus().getAvailableReplicas() != null
                && d.getStatus().getAvailableReplicas() >= 1;
    }
}
