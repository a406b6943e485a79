package dev.buildfleet.validation;

import dev.buildfleet.api.ImagePolicy;
import dev.buildfleet.api.PullPolicy;
import dev.buildfleet.model.ResolvedTenant;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Rules for an imagePolicy, a tenant's or FleetConfig's default, as gitlab-runner will apply it. */
final class ImagePolicyRules {
    private static final int MAX_PATTERN_LENGTH = 512;
    /** What image references are made of, plus the glob characters of doublestar, gitlab-runner's matcher. */
    private static final Pattern PATTERN_CHARACTERS = Pattern.compile("^[A-Za-z0-9._/:@*?\\[\\]{},!^\\\\-]+$");

    private ImagePolicyRules() {
    }

    static void validate(ImagePolicy policy, String path, List<Problem> problems) {
        if (policy == null) {
            return;
        }
        patterns(policy.allowedImages(), path + ".allowedImages", problems);
        patterns(policy.allowedServices(), path + ".allowedServices", problems);
        pullPolicies(policy.pullPolicy(), path + ".pullPolicy", problems);
        pullPolicies(policy.allowedPullPolicies(), path + ".allowedPullPolicies", problems);
    }

    /** FleetConfig's default policy, checked against the built-in defaults it leaves out. */
    static void validateFleetDefault(ImagePolicy policy, String path, List<Problem> problems) {
        int before = problems.size();
        validate(policy, path, problems);
        if (policy != null && problems.size() == before) {
            List<String> pull = policy.pullPolicy() == null ? ResolvedTenant.ImageRules.DEFAULT_PULL_POLICY
                    : policy.pullPolicy().stream().map(PullPolicy::tomlName).toList();
            List<String> allowed = policy.allowedPullPolicies() == null
                    ? ResolvedTenant.ImageRules.DEFAULT_ALLOWED_PULL_POLICIES
                    : policy.allowedPullPolicies().stream().map(PullPolicy::tomlName).toList();
            resolved(new ResolvedTenant.ImageRules(List.of(), List.of(), pull, allowed), path, problems);
        }
    }

    /**
     * After the defaults are filled in: gitlab-runner uses only the pull policies that are in both lists, and fails
     * a job that names none when nothing is left, so a pullPolicy outside allowedPullPolicies is refused here.
     */
    static void resolved(ResolvedTenant.ImageRules rules, String path, List<Problem> problems) {
        List<String> refused = rules.pullPolicy().stream()
                .filter(policy -> !rules.allowedPullPolicies().contains(policy)).toList();
        if (!refused.isEmpty()) {
            problems.add(new Problem(path + ".pullPolicy", refused + " is not among allowedPullPolicies "
                    + rules.allowedPullPolicies() + " (defaults filled in); gitlab-runner would fail every "
                    + "job that names no pull_policy. Add it to allowedPullPolicies or pick an allowed one"));
        }
    }

    private static void patterns(List<String> patterns, String path, List<Problem> problems) {
        if (patterns == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < patterns.size(); i++) {
            String pattern = patterns.get(i);
            String message = pattern(pattern);
            if (message == null && !seen.add(pattern)) {
                message = "'" + pattern + "' is listed twice";
            }
            ConfigValidator.check(problems, path + "[" + i + "]", message);
        }
    }

    static String pattern(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            return "is empty; give an image like registry.example.com/team/name:1.2.3 or a pattern like "
                    + "registry.example.com/team/**";
        }
        if (pattern.length() > MAX_PATTERN_LENGTH) {
            return "has " + pattern.length() + " characters; at most " + MAX_PATTERN_LENGTH;
        }
        if (!PATTERN_CHARACTERS.matcher(pattern).matches()) {
            return "'" + pattern + "' holds a character that is in no image reference and no gitlab-runner "
                    + "pattern (letters, digits, . _ - / : @ and the glob characters * ? [ ] { } , ! ^ \\)";
        }
        if (!validGlob(pattern)) {
            return "'" + pattern + "' is not a pattern gitlab-runner can match: each [ needs a closing ] with at "
                    + "least one character between, each { a closing }, and a \\ a character after it";
        }
        return null;
    }

    /** doublestar's ValidatePattern with '/' as the separator, which gitlab-runner's doublestar.Match uses. */
    private static boolean validGlob(String s) {
        int alternatives = 0;
        int length = s.length();
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (++i >= length) {
                    return false;
                }
            } else if (c == '[') {
                if (++i >= length) {
                    return false;
                }
                if (s.charAt(i) == '^' || s.charAt(i) == '!') {
                    i++;
                }
                if (i >= length || s.charAt(i) == ']') {
                    return false;
                }
                boolean closed = false;
                for (; i < length; i++) {
                    if (s.charAt(i) == '\\') {
                        i++;
                    } else if (s.charAt(i) == ']') {
                        closed = true;
                        break;
                    }
                }
                if (!closed) {
                    return false;
                }
            } else if (c == '{') {
                alternatives++;
            } else if (c == '}') {
                if (alternatives == 0) {
                    return false;
                }
                alternatives--;
            }
        }
        return alternatives == 0;
    }

    private static void pullPolicies(List<PullPolicy> policies, String path, List<Problem> problems) {
        if (policies == null) {
            return;
        }
        if (policies.isEmpty()) {
            problems.add(new Problem(path, "empty; list at least one of always, if-not-present, never, or leave "
                    + "the field out for the default"));
        }
        Set<PullPolicy> seen = new HashSet<>();
        for (int i = 0; i < policies.size(); i++) {
            PullPolicy policy = policies.get(i);
            if (policy == null) {
                problems.add(new Problem(path + "[" + i + "]", "empty entry; one of always, if-not-present, never"));
            } else if (!seen.add(policy)) {
                problems.add(new Problem(path + "[" + i + "]", "'" + policy.tomlName() + "' is listed twice"));
            }
        }
    }
}
