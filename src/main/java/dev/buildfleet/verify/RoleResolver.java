package dev.buildfleet.verify;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules a binding's roleRef stands for: a Role of the binding's namespace or a ClusterRole, the latter with the
 * rules of every ClusterRole its aggregationRule selects (computed here too, so a role the aggregation controller
 * has not filled in yet is judged by what it will hold).
 */
final class RoleResolver {
    private final Map<String, ClusterRole> clusterRoles = new LinkedHashMap<>();
    private final Map<String, Role> roles = new LinkedHashMap<>();

    RoleResolver(ClusterState cluster) {
        cluster.clusterRoles().forEach(r -> clusterRoles.put(r.getMetadata().getName(), r));
        cluster.roles().forEach(r -> roles.put(r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(), r));
    }

    /** One rule and where it is written (the role itself, or a ClusterRole aggregated into it). */
    record SourcedRule(String source, int index, PolicyRule rule) {
        String field() {
            return "rules[" + index + "]";
        }
    }

    /** @param exists false when the roleRef names no role: the binding grants nothing (yet) */
    record ResolvedRole(String name, boolean exists, List<SourcedRule> rules) {
    }

    ResolvedRole resolve(RoleRef ref, String bindingNamespace) {
        if ("Role".equals(ref.getKind())) {
            Role role = roles.get(bindingNamespace + "/" + ref.getName());
            String name = "Role " + bindingNamespace + "/" + ref.getName();
            return new ResolvedRole(name, role != null, role == null ? List.of() : sourced(name, role.getRules()));
        }
        String name = "ClusterRole " + ref.getName();
        ClusterRole role = clusterRoles.get(ref.getName());
        if (role == null) {
            return new ResolvedRole(name, false, List.of());
        }
        List<SourcedRule> rules = new ArrayList<>();
        collect(role, rules, new HashSet<>());
        return new ResolvedRole(name, true, rules);
    }

    private void collect(ClusterRole role, List<SourcedRule> rules, Set<String> seen) {
        if (!seen.add(role.getMetadata().getName())) {
            return;
        }
        // The aggregated roles first, so evidence names the role a rule is written in; the aggregated role's own
        // copy of them (what the authorizer reads until the controller catches up) follows.
        if (role.getAggregationRule() != null && role.getAggregationRule().getClusterRoleSelectors() != null) {
            for (ClusterRole candidate : clusterRoles.values()) {
                for (LabelSelector selector : role.getAggregationRule().getClusterRoleSelectors()) {
                    if (Labels.matches(selector, Labels.of(candidate))) {
                        collect(candidate, rules, seen);
                        break;
                    }
                }
            }
        }
        rules.addAll(sourced("ClusterRole " + role.getMetadata().getName(), role.getRules()));
    }

    private static List<SourcedRule> sourced(String source, List<PolicyRule> rules) {
        List<SourcedRule> out = new ArrayList<>();
        for (int i = 0; rules != null && i < rules.size(); i++) {
            out.add(new SourcedRule(source, i, rules.get(i)));
        }
        return out;
    }
}
