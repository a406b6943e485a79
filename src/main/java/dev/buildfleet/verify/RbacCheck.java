package dev.buildfleet.verify;

import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Who may read Secrets, create pods or exec into pods in the tenant's namespace, from every RoleBinding there and
 * every ClusterRoleBinding (roles resolved, aggregation and wildcards included): anyone beyond the tenant's runner
 * manager, the operator (Secrets only), cluster admins, the control plane and config.verify.expectedSubjects fails.
 * The build ServiceAccount must hold no rights at all and mount no token.
 */
final class RbacCheck {
    static final String NAME = "rbac";

    enum Permission {
        READ_SECRETS("read Secrets", List.of("get", "list", "watch"), "secrets", null),
        CREATE_PODS("create pods", List.of("create"), "pods", null),
        EXEC_INTO_PODS("exec into pods", List.of("create"), "pods", "exec");

        final String text;
        final List<String> verbs;
        final String resource;
        final String subresource;

        Permission(String text, List<String> verbs, String resource, String subresource) {
            this.text = text;
            this.verbs = verbs;
            this.resource = resource;
            this.subresource = subresource;
        }
    }

    /** A subject's permission through one binding: the verbs and the first rule that grants them. */
    record Grant(Subject subject, Permission permission, List<String> verbs, Binding binding, int subjectIndex,
                 RoleResolver.SourcedRule rule, List<String> names) {
    }

    /** A RoleBinding or ClusterRoleBinding, reduced to what the authorizer reads. */
    record Binding(String name, String namespace, RoleRef roleRef,
                   List<io.fabric8.kubernetes.api.model.rbac.Subject> subjects) {
        static Binding of(RoleBinding b) {
            return new Binding(b.getMetadata().getName(), b.getMetadata().getNamespace(), b.getRoleRef(),
                    b.getSubjects() == null ? List.of() : b.getSubjects());
        }

        static Binding of(ClusterRoleBinding b) {
            return new Binding(b.getMetadata().getName(), null, b.getRoleRef(),
                    b.getSubjects() == null ? List.of() : b.getSubjects());
        }

        String object() {
            return namespace == null ? "ClusterRoleBinding " + name : "RoleBinding " + namespace + "/" + name;
        }

        String deleteCommand() {
            return namespace == null ? "kubectl delete clusterrolebinding " + name
                    : "kubectl -n " + namespace + " delete rolebinding " + name;
        }
    }

    private RbacCheck() {
    }

    static List<CheckResult> check(ResolvedTenant t, ClusterState cluster, VerifySettings settings,
                                   Map<String, String> tenantOfNamespace, ServiceAccount buildServiceAccount) {
        RoleResolver roles = new RoleResolver(cluster);
        List<Binding> inNamespace = new ArrayList<>();
        cluster.roleBindings().stream().filter(b -> t.namespace().equals(b.getMetadata().getNamespace()))
                .map(Binding::of).forEach(inNamespace::add);
        cluster.clusterRoleBindings().stream().map(Binding::of).forEach(inNamespace::add);

        List<Grant> grants = grants(inNamespace, roles);
        List<CheckResult> results = new ArrayList<>();
        Map<String, List<Grant>> unexpected = new LinkedHashMap<>();
        for (Grant grant : grants) {
            if (!expected(grant, t, settings)) {
                unexpected.computeIfAbsent(grant.subject() + " " + grant.binding().object(), k -> new ArrayList<>())
                        .add(grant);
            }
        }
        for (List<Grant> same : unexpected.values()) {
            results.add(unexpectedGrant(t, same, tenantOfNamespace));
        }
        if (results.isEmpty()) {
            results.add(CheckResult.pass(t.name(), NAME, "only the expected subjects may read Secrets, create pods or "
                    + "exec into pods in " + t.namespace(), grants.stream().map(g -> new Evidence(g.binding()
                    .object(), "subjects[" + g.subjectIndex() + "]", g.subject() + " may " + g.permission().text
                    + " " + g.verbs() + names(g))).toList()));
        }
        results.add(buildServiceAccount(t, cluster, roles, buildServiceAccount));
        return results;
    }

    private static List<Grant> grants(List<Binding> bindings, RoleResolver roles) {
        List<Grant> grants = new ArrayList<>();
        for (Binding binding : bindings) {
            RoleResolver.ResolvedRole role = roles.resolve(binding.roleRef(), binding.namespace());
            for (Permission permission : Permission.values()) {
                List<String> verbs = new ArrayList<>();
                RoleResolver.SourcedRule first = null;
                List<String> names = null;
                for (String verb : permission.verbs) {
                    for (RoleResolver.SourcedRule rule : role.rules()) {
                        List<String> allowed = RbacRules.allows(rule.rule(), verb, "", permission.resource,
                                permission.subresource);
                        if (allowed != null) {
                            verbs.add(verb);
                            if (first == null || (names != null && !names.isEmpty() && allowed.isEmpty())) {
                                first = rule;
                                names = allowed;
                            }
                            break;
                        }
                    }
                }
                if (verbs.isEmpty()) {
                    continue;
                }
                for (int i = 0; i < binding.subjects().size(); i++) {
                    grants.add(new Grant(Subject.of(binding.subjects().get(i), binding.namespace()), permission,
                            verbs, binding, i, first, names));
                }
            }
        }
        return grants;
    }

    private static boolean expected(Grant grant, ResolvedTenant t, VerifySettings settings) {
        Subject s = grant.subject();
        if (settings.expectedSubjects().stream().anyMatch(p -> p.matches(s))) {
            return true;
        }
        if (s.equals(Subject.serviceAccount(t.namespace(), Names.RUNNER_MANAGER_SERVICE_ACCOUNT))) {
            return true;
        }
        return grant.permission() == Permission.READ_SECRETS
                && s.equals(Subject.serviceAccount(settings.operatorNamespace(), Names.OPERATOR_SERVICE_ACCOUNT));
    }

    private static CheckResult unexpectedGrant(ResolvedTenant t, List<Grant> grants,
                                               Map<String, String> tenantOfNamespace) {
        Grant first = grants.get(0);
        Subject s = first.subject();
        String who = s.toString();
        if ("ServiceAccount".equals(s.kind()) && tenantOfNamespace.containsKey(s.namespace())
                && !s.namespace().equals(t.namespace())) {
            who += " (of tenant " + tenantOfNamespace.get(s.namespace()) + ")";
        } else if ("Group".equals(s.kind())) {
            who = "every member of " + who + (s.name().equals("system:authenticated")
                    ? " (every user and ServiceAccount)" : s.name().startsWith("system:serviceaccounts")
                    ? " (ServiceAccounts)" : "");
        }
        String what = grants.stream().map(g -> g.permission().text + " (" + String.join(", ", g.verbs()) + ")"
                + names(g)).collect(Collectors.joining(", "));
        List<Evidence> evidence = new ArrayList<>();
        evidence.add(new Evidence(first.binding().object(), "subjects[" + first.subjectIndex() + "]", s.toString()));
        evidence.add(new Evidence(first.binding().object(), "roleRef", first.binding().roleRef().getKind() + " "
                + first.binding().roleRef().getName()));
        for (Grant g : grants) {
            evidence.add(new Evidence(g.rule().source(), g.rule().field(), RbacRules.text(g.rule().rule())));
        }
        return CheckResult.fail(t.name(), NAME, who + " may " + what + " in " + t.namespace() + " through "
                        + first.binding().object(), evidence,
                "remove " + s + " from " + first.binding().object() + " (" + first.binding().deleteCommand()
                        + " if the binding exists only for it); if it is meant to have these rights, list it in "
                        + "config.verify.expectedSubjects");
    }

    /** Bound to nothing beyond discovery and self-review, and no token mounted into job pods. */
    private static CheckResult buildServiceAccount(ResolvedTenant t, ClusterState cluster, RoleResolver roles,
                                                   ServiceAccount live) {
        Subject build = Subject.serviceAccount(t.namespace(), Names.BUILD_SERVICE_ACCOUNT);
        String object = "ServiceAccount " + t.namespace() + "/" + Names.BUILD_SERVICE_ACCOUNT;
        List<Binding> all = new ArrayList<>();
        cluster.roleBindings().stream().map(Binding::of).forEach(all::add);
        cluster.clusterRoleBindings().stream().map(Binding::of).forEach(all::add);
        List<Evidence> rights = new ArrayList<>();
        for (Binding binding : all) {
            for (int i = 0; i < binding.subjects().size(); i++) {
                Subject subject = Subject.of(binding.subjects().get(i), binding.namespace());
                if (!includes(subject, build)) {
                    continue;
                }
                for (RoleResolver.SourcedRule rule : roles.resolve(binding.roleRef(), binding.namespace()).rules()) {
                    if (!RbacRules.harmless(rule.rule())) {
                        rights.add(new Evidence(binding.object(), "subjects[" + i + "]", subject
                                + (binding.namespace() == null ? " cluster-wide" : " in " + binding.namespace())
                                + ": " + rule.source() + " " + rule.field() + ": " + RbacRules.text(rule.rule())));
                    }
                }
            }
        }
        List<Evidence> evidence = new ArrayList<>(rights);
        Boolean automount = live == null ? null : live.getAutomountServiceAccountToken();
        evidence.add(new Evidence(object, "automountServiceAccountToken", live == null ? "(the ServiceAccount is "
                + "missing)" : String.valueOf(automount)));
        if (!rights.isEmpty()) {
            return CheckResult.fail(t.name(), NAME, object + " (the job pods' identity) holds rights: "
                    + rights.size() + " rule(s) through " + new TreeSet<>(rights.stream().map(Evidence::object)
                    .toList()), evidence, "remove the build ServiceAccount (or the group that includes it) from "
                    + "those bindings: job pods run untrusted build scripts and must hold no API rights");
        }
        if (live == null || !Boolean.FALSE.equals(automount)) {
            return CheckResult.fail(t.name(), NAME, object + (live == null ? " is missing"
                            : " does not set automountServiceAccountToken: false"), evidence,
                    "apply the rendered ServiceAccount again (it sets automountServiceAccountToken: false), e.g. "
                            + "kubectl apply -k DIR/" + t.name());
        }
        return CheckResult.pass(t.name(), NAME, object + " holds no rights (beyond discovery and self-review) and "
                + "mounts no token", evidence);
    }

    /** The binding's subject covers the ServiceAccount: itself, or a group every ServiceAccount of it is in. */
    private static boolean includes(Subject subject, Subject serviceAccount) {
        if (subject.equals(serviceAccount)) {
            return true;
        }
        return "Group".equals(subject.kind()) && List.of("system:authenticated", "system:serviceaccounts",
                "system:serviceaccounts:" + serviceAccount.namespace()).contains(subject.name());
    }

    private static String names(Grant g) {
        return g.names() == null || g.names().isEmpty() ? "" : " of " + g.names() + " only";
    }
}
