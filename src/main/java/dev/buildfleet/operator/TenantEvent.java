package dev.buildfleet.operator;

import java.util.List;

/** An Event about a tenant: type Normal or Warning, a CamelCase reason and a message a person can act on. */
record TenantEvent(String type, String reason, String message) {
    static final String NORMAL = "Normal";
    static final String WARNING = "Warning";

    static TenantEvent normal(String reason, String message) {
        return new TenantEvent(NORMAL, reason, message);
    }

    static TenantEvent warning(String reason, String message) {
        return new TenantEvent(WARNING, reason, message);
    }

    /** Normal events from the steps' {@code Reason:message} texts. */
    static List<TenantEvent> normals(List<String> reasonAndMessages) {
        return reasonAndMessages.stream().map(e -> parse(NORMAL, e)).toList();
    }

    /** Warning events from the steps' {@code Reason:message} texts. */
    static List<TenantEvent> warnings(List<String> reasonAndMessages) {
        return reasonAndMessages.stream().map(e -> parse(WARNING, e)).toList();
    }

    private static TenantEvent parse(String type, String reasonAndMessage) {
        int colon = reasonAndMessage.indexOf(':');
        return new TenantEvent(type, reasonAndMessage.substring(0, colon), reasonAndMessage.substring(colon + 1));
    }
}
