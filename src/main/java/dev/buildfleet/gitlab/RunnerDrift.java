package dev.buildfleet.gitlab;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Where a runner in GitLab differs from what buildfleet wants for it, field by field, in words ("tag_list [java] ->
 * [java, kaniko]"): what the operator and `runner create` correct with PUT /runners/:id, and what they report.
 */
public final class RunnerDrift {
    private RunnerDrift() {
    }

    /** Empty when nothing differs. Tags are compared as a set; a maximum timeout the spec leaves out is GitLab's. */
    public static List<String> of(GitLabRunners.RunnerSettings actual, GitLabRunners.RunnerSettings wanted) {
        List<String> drift = new ArrayList<>();
        compare(drift, "description", actual.description(), wanted.description());
        compare(drift, "tag_list", new TreeSet<>(actual.tags()), new TreeSet<>(wanted.tags()));
        compare(drift, "run_untagged", actual.runUntagged(), wanted.runUntagged());
        compare(drift, "locked", actual.locked(), wanted.locked());
        compare(drift, "access_level", actual.accessLevel(), wanted.accessLevel());
        compare(drift, "paused", actual.paused(), wanted.paused());
        if (wanted.maximumTimeout() != null) {
            compare(drift, "maximum_timeout", actual.maximumTimeout(), wanted.maximumTimeout());
        }
        return drift;
    }

    private static void compare(List<String> drift, String field, Object actual, Object wanted) {
        if (!Objects.equals(actual, wanted)) {
            drift.add(field + " " + actual + " -> " + wanted);
        }
    }
}
