package dev.buildfleet.verify;

/** Traffic into a pod (ingress rules, peers under from) or out of it (egress rules, peers under to). */
enum Direction {
    INGRESS("Ingress", "ingress", "from"), EGRESS("Egress", "egress", "to");

    final String policyType;
    final String field;
    final String peers;

    Direction(String policyType, String field, String peers) {
        this.policyType = policyType;
        this.field = field;
        this.peers = peers;
    }
}
