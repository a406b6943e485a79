package dev.buildfleet.validation;

import dev.buildfleet.model.ResolvedTenant;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What two tenants must never share: a bucket, a node (node selectors one node can satisfy together) or a taint
 * (a toleration of one tenant that also tolerates the other's taint). A GitLab runner cannot be shared: its
 * description always names its tenant (model.RunnerDescription). Run by the CLI over a fleet
 * file and by the operator over every BuildTenant in the cluster; a conflict is always reported on the newcomer,
 * so the tenant that was there first keeps running unchanged.
 */
public final class CrossTenantRules {

    /** A tenant as the rules see it: {@code path} prefixes its problems ("spec."), {@code label} names it. */
    public record Entry(ResolvedTenant tenant, String path, String label) {
    }

    private CrossTenantRules() {
    }

    /** The problems of {@code newcomer} against each tenant that was there before it. */
    public static List<Problem> check(Entry newcomer, List<Entry> established) {
        List<Problem> problems = new ArrayList<>();
        ResolvedTenant t = newcomer.tenant();
        String p = newcomer.path();
        for (Entry other : established) {
            ResolvedTenant o = other.tenant();
            if (t.cache().bucket().equals(o.cache().bucket())) {
                problems.add(new Problem(p + "cache.bucket", "'" + t.cache().bucket() + "' is also the bucket of "
                        + other.label() + "; each tenant needs its own bucket"));
            }
            if (selectorsCanMatchOneNode(t.nodeSelector(), o.nodeSelector())) {
                problems.add(new Problem(p + "nodes.selector", "node labels " + t.nodeSelector() + " and "
                        + other.label() + "'s " + o.nodeSelector() + " can both match one node: one tenant's pods "
                        + "could run on the other's nodes; give each tenant a label value of its own, e.g. "
                        + "buildfleet.dev/tenant=" + t.name()));
            }
            for (int i = 0; i < t.tolerations().size(); i++) {
                Toleration mine = t.tolerations().get(i);
                for (Toleration theirs : o.tolerations()) {
                    if (tolerateOneTaint(mine, theirs)) {
                        problems.add(new Problem(p + "nodes.tolerations[" + i + "]", "tolerates " + taintText(theirs)
                                + ", the taint that keeps other pods off " + other.label() + "'s nodes; tolerate "
                                + "only this tenant's own taint, e.g. buildfleet.dev/tenant=" + t.name()
                                + ":NoSchedule"));
                        break;
                    }
                }
            }
        }
        return problems;
    }

    /** Two selectors stay apart only when some label key is in both with different values. */
    static boolean selectorsCanMatchOneNode(Map<String, String> a, Map<String, String> b) {
        return a.entrySet().stream().noneMatch(e -> b.containsKey(e.getKey())
                && !b.get(e.getKey()).equals(e.getValue()));
    }

    /**
     * Both tolerations admit one taint: the same key (validation refuses key-less ones), effects that are equal or
     * unset, and values that are equal or either Exists.
     */
    static boolean tolerateOneTaint(Toleration a, Toleration b) {
        if (!Objects.equals(a.getKey(), b.getKey())) {
            return false;
        }
        if (!blank(a.getEffect()) && !blank(b.getEffect()) && !a.getEffect().equals(b.getEffect())) {
            return false;
        }
        return exists(a) || exists(b) || Objects.equals(nullToEmpty(a.getValue()), nullToEmpty(b.getValue()));
    }

    private static String taintText(Toleration t) {
        return t.getKey() + (exists(t) ? "" : "=" + nullToEmpty(t.getValue())) + ":"
                + (blank(t.getEffect()) ? "*" : t.getEffect());
    }

    private static boolean exists(Toleration t) {
        return "Exists".equals(t.getOperator());
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
