package dev.buildfleet.verify;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;

import java.util.List;
import java.util.Set;

/** PolicyRule matching as the RBAC authorizer does it: wildcards, {@code *}/subresource, resourceNames. */
final class RbacRules {
    /** What the default roles grant every authenticated identity: asking about its own rights. */
    private static final Set<String> SELF_REVIEWS = Set.of(
            "authorization.k8s.io/selfsubjectaccessreviews", "authorization.k8s.io/selfsubjectrulesreviews",
            "authentication.k8s.io/selfsubjectreviews");

    private RbacRules() {
    }

    /**
     * Whether the rule allows {@code verb} on {@code resource[/subresource]} of {@code group}: null when not, an
     * empty list when for every object, else the only names it allows. A create carries no name, so a rule limited
     * by resourceNames never allows a create of a resource itself (it does for a subresource of a named object).
     */
    static List<String> allows(PolicyRule rule, String verb, String group, String resource, String subresource) {
        if (!contains(rule.getVerbs(), verb) || !contains(rule.getApiGroups(), group)
                || !resourceMatches(rule.getResources(), resource, subresource)) {
            return null;
        }
        List<String> names = rule.getResourceNames() == null ? List.of() : rule.getResourceNames();
        if (!names.isEmpty() && "create".equals(verb) && subresource == null) {
            return null;
        }
        return List.copyOf(names);
    }

    /** A rule that grants nothing but discovery URLs and reviews of one's own rights. */
    static boolean harmless(PolicyRule rule) {
        List<String> resources = rule.getResources() == null ? List.of() : rule.getResources();
        if (resources.isEmpty()) {
            return true;
        }
        List<String> groups = rule.getApiGroups() == null ? List.of() : rule.getApiGroups();
        return groups.stream().allMatch(g -> resources.stream().allMatch(r -> SELF_REVIEWS.contains(g + "/" + r)));
    }

    static String text(PolicyRule rule) {
        return "verbs " + list(rule.getVerbs()) + " on " + list(rule.getResources()) + " of apiGroups "
                + list(rule.getApiGroups()).replace("\"\"", "\"\" (core)")
                + (rule.getResourceNames() == null || rule.getResourceNames().isEmpty() ? ""
                : " named " + list(rule.getResourceNames()))
                + (rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty() ? ""
                : " and URLs " + list(rule.getNonResourceURLs()));
    }

    private static String list(List<String> values) {
        return values == null ? "[]" : values.stream().map(v -> v.isEmpty() ? "\"\"" : v).toList().toString();
    }

    private static boolean contains(List<String> values, String wanted) {
        return values != null && (values.contains("*") || values.contains(wanted));
    }

    private static boolean resourceMatches(List<String> resources, String resource, String subresource) {
        if (resources == null) {
            return false;
        }
        String combined = subresource == null ? resource : resource + "/" + subresource;
        for (String r : resources) {
            if (r.equals("*") || r.equals(combined) || (subresource != null && r.equals("*/" + subresource))) {
                return true;
            }
        }
        return false;
    }
}
