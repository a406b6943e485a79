package dev.buildfleet.validation;

import dev.buildfleet.api.CaBundleRef;
import dev.buildfleet.config.FleetConfig;

import java.util.List;

/** The CA bundle references: a ConfigMap name, a key, and one way to configure the operator's GitLab CAs. */
final class CaBundleRules {
    private static final String KEY = "^[-._a-zA-Z0-9]+$";

    private CaBundleRules() {
    }

    static void check(FleetConfig config, String p, List<Problem> problems) {
        FleetConfig.CaBundle ca = config.caBundle();
        if (ca == null) {
            return;
        }
        if (ca.namespace() != null && (!Checks.DNS_LABEL.matcher(ca.namespace()).matches()
                || ca.namespace().length() > 63)) {
            problems.add(new Problem(p + "caBundle.namespace", "'" + ca.namespace()
                    + "' is not a namespace name (lowercase letters, digits and '-')"));
        }
        configMap(ca.configMap(), ca.key(), p + "caBundle", problems);
        if (config.gitlab() != null && config.gitlab().caBundle() != null) {
            problems.add(new Problem(p + "gitlab.caBundle", "set together with " + p + "caBundle, which the "
                    + "operator's GitLab calls trust too: remove gitlab.caBundle"));
        }
    }

    static void check(CaBundleRef ref, String path, List<Problem> problems) {
        if (ref != null) {
            configMap(ref.configMap(), ref.key(), path, problems);
        }
    }

    private static void configMap(String name, String key, String path, List<Problem> problems) {
        if (name == null || !Checks.DNS_SUBDOMAIN.matcher(name).matches() || name.length() > 253) {
            problems.add(new Problem(path + ".configMap", "'" + name + "' is not a ConfigMap name (lowercase "
                    + "letters, digits, '-' and '.'); name the ConfigMap that holds the PEM CA certificates"));
        }
        if (key != null && !key.matches(KEY)) {
            problems.add(new Problem(path + ".key", "'" + key
                    + "' is not a ConfigMap key (letters, digits, '-', '_' and '.')"));
        }
    }
}
