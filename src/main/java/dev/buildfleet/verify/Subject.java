package dev.buildfleet.verify;

/** An RBAC subject: a User or Group (namespace null), or a ServiceAccount namespace/name. */
public record Subject(String kind, String name, String namespace) {

    /** A binding's subject; a ServiceAccount without namespace is one of the RoleBinding's own namespace. */
    static Subject of(io.fabric8.kubernetes.api.model.rbac.Subject subject, String bindingNamespace) {
        String namespace = subject.getNamespace();
        if ("ServiceAccount".equals(subject.getKind()) && (namespace == null || namespace.isEmpty())) {
            namespace = bindingNamespace;
        }
        return new Subject(subject.getKind(), subject.getName(), "ServiceAccount".equals(subject.getKind())
                ? namespace : null);
    }

    static Subject serviceAccount(String namespace, String name) {
        return new Subject("ServiceAccount", name, namespace);
    }

    /** As the authorizer sees it: system:serviceaccount:NS:NAME for a ServiceAccount, else the name. */
    String username() {
        return "ServiceAccount".equals(kind) ? "system:serviceaccount:" + namespace + ":" + name : name;
    }

    @Override
    public String toString() {
        return kind + " " + ("ServiceAccount".equals(kind) ? namespace + "/" : "") + name;
    }
}
