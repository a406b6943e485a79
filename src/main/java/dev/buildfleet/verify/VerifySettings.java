package dev.buildfleet.verify;

import dev.buildfleet.config.Defaults;
import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.validation.Problem;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code config.verify} with its defaults: Pod Security baseline, nothing but DaemonSet and static pods beside a
 * tenant's own on its nodes, and the RBAC subjects every cluster has (cluster admins, the controller manager and the
 * kube-system ServiceAccounts its controllers run as).
 */
public record VerifySettings(PodSecurityLevel podSecurity, List<String> nodeNamespaces, List<String> nodePods,
                             List<SubjectPattern> expectedSubjects, String operatorNamespace) {

    /** Present in every cluster; each may read Secrets or create pods anywhere by design. */
    static final List<SubjectPattern> BUILT_IN_SUBJECTS = List.of(
            new SubjectPattern("Group", "system:masters", null),
            new SubjectPattern("User", "system:kube-controller-manager", null),
            new SubjectPattern("ServiceAccount", "*", "kube-system"));

    public static VerifySettings of(FleetConfig config) {
        FleetConfig.Verify verify = config.verify() == null ? new FleetConfig.Verify(null, null, null)
                : config.verify();
        List<Problem> problems = new ArrayList<>();
        PodSecurityLevel level = PodSecurityLevel.BASELINE;
        if (verify.podSecurity() != null) {
            level = PodSecurityLevel.parse(verify.podSecurity());
            if (level == null) {
                problems.add(new Problem("config.verify.podSecurity", "'" + verify.podSecurity()
                        + "' is not a Pod Security level; use baseline or restricted"));
            }
        }
        List<SubjectPattern> subjects = new ArrayList<>(BUILT_IN_SUBJECTS);
        List<FleetConfig.Verify.Subject> extra = verify.expectedSubjects() == null ? List.of()
                : verify.expectedSubjects();
        for (int i = 0; i < extra.size(); i++) {
            FleetConfig.Verify.Subject s = extra.get(i);
            String path = "config.verify.expectedSubjects[" + i + "]";
            if (s == null || s.kind() == null || !List.of("User", "Group", "ServiceAccount").contains(s.kind())) {
                problems.add(new Problem(path + ".kind", "must be User, Group or ServiceAccount"));
            } else if (s.name() == null || s.name().isBlank()) {
                problems.add(new Problem(path + ".name", "missing; give the subject's name, or * for every name"));
            } else if (s.kind().equals("ServiceAccount") && (s.namespace() == null || s.namespace().isBlank())) {
                problems.add(new Problem(path + ".namespace", "missing; a ServiceAccount lives in a namespace"));
            } else {
                subjects.add(new SubjectPattern(s.kind(), s.name(), s.namespace()));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        FleetConfig.Verify.TenantNodes nodes = verify.tenantNodes() == null
                ? new FleetConfig.Verify.TenantNodes(null, null) : verify.tenantNodes();
        return new VerifySettings(level, nodes.namespaces() == null ? List.of() : List.copyOf(nodes.namespaces()),
                nodes.pods() == null ? List.of() : List.copyOf(nodes.pods()), List.copyOf(subjects),
                config.operator() == null || config.operator().namespace() == null ? Defaults.OPERATOR_NAMESPACE
                        : config.operator().namespace());
    }

    /** A pod the platform lets run on tenant nodes: its namespace is listed, or namespace/name matches a pattern. */
    boolean allowedOnTenantNodes(String namespace, String pod) {
        if (nodeNamespaces.contains(namespace)) {
            return true;
        }
        String full = namespace + "/" + pod;
        return nodePods.stream().anyMatch(p -> p.endsWith("*") ? full.startsWith(p.substring(0, p.length() - 1))
                : full.equals(p));
    }

    /** An RBAC subject, or a family of them: name {@code *} for every name (of a ServiceAccount's namespace). */
    public record SubjectPattern(String kind, String name, String namespace) {
        boolean matches(Subject subject) {
            return kind.equals(subject.kind()) && (name.equals("*") || name.equals(subject.name()))
                    && (namespace == null || namespace.equals(subject.namespace()));
        }
    }
}
