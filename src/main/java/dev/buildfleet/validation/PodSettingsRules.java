package dev.buildfleet.validation;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Rules for what the tenant's runner and job pods are given besides images: pull Secrets, host aliases, DNS. */
final class PodSettingsRules {
    private PodSettingsRules() {
    }

    static void imagePullSecrets(List<String> names, String path, List<Problem> problems) {
        if (names == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String at = path + "[" + i + "]";
            if (name == null || name.length() > 253 || !Checks.DNS_SUBDOMAIN.matcher(name).matches()) {
                problems.add(new Problem(at, "'" + name + "' is not a Secret name (lowercase letters, digits, '-' "
                        + "and '.'; the Secret lives in the tenant namespace)"));
            } else if (!seen.add(name)) {
                problems.add(new Problem(at, "'" + name + "' is listed twice"));
            }
        }
    }
}
