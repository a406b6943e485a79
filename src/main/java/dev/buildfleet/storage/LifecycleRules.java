package dev.buildfleet.storage;

import software.amazon.awssdk.services.s3.model.AbortIncompleteMultipartUpload;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The plan's lifecycle rules as S3 rules, and the exact comparison with what a bucket has: any rule part the plan
 * does not use (an expiration date, a tag or size filter, transitions, noncurrent-version actions, a disabled rule)
 * is a difference, because such a rule can expire the whole bucket while its id, prefix and days look like ours.
 */
final class LifecycleRules {
    private LifecycleRules() {
    }

    static List<LifecycleRule> of(List<StoragePlan.Lifecycle> rules) {
        return rules.stream().map(LifecycleRules::toRule).toList();
    }

    static boolean matches(List<StoragePlan.Lifecycle> wanted, List<LifecycleRule> found) {
        if (found.size() != wanted.size() || found.stream().anyMatch(r -> foreignPart(r) != null)) {
            return false;
        }
        return new HashSet<>(found.stream().map(LifecycleRules::fromRule).toList()).equals(new HashSet<>(wanted));
    }

    static String describe(List<LifecycleRule> rules) {
        if (rules.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (LifecycleRule rule : rules) {
            String foreign = foreignPart(rule);
            parts.add(foreign == null ? describeOurs(List.of(fromRule(rule)))
                    : "rule " + rule.id() + " with " + foreign);
        }
        return String.join(", ", parts);
    }

    static String describeOurs(List<StoragePlan.Lifecycle> rules) {
        List<String> parts = new ArrayList<>();
        for (StoragePlan.Lifecycle r : rules) {
            String scope = r.prefix().isEmpty() ? "whole bucket" : r.prefix();
            if (r.abortIncompleteMultipartDays() > 0) {
                parts.add("abort incomplete uploads after " + r.abortIncompleteMultipartDays() + "d (" + scope + ")");
            }
            if (r.expirationDays() > 0) {
                parts.add("expire after " + r.expirationDays() + "d (" + scope + ")");
            }
            if (r.abortIncompleteMultipartDays() == 0 && r.expirationDays() == 0) {
                parts.add("rule " + r.id() + " that does nothing (" + scope + ")");
            }
        }
        return String.join(", ", parts);
    }

    /** What in the rule the plan's rules never have, or null. */
    @SuppressWarnings("deprecation") // LifecycleRule.prefix(): older RGWs answer with the top-level Prefix
    private static String foreignPart(LifecycleRule rule) {
        if (rule.status() != ExpirationStatus.ENABLED) {
            return "status " + rule.statusAsString();
        }
        LifecycleRuleFilter filter = rule.filter();
        if (filter != null && (filter.tag() != null || filter.and() != null || filter.objectSizeGreaterThan() != null
                || filter.objectSizeLessThan() != null)) {
            return "a tag, size or combined filter";
        }
        LifecycleExpiration expiration = rule.expiration();
        if (expiration != null && (expiration.date() != null || expiration.expiredObjectDeleteMarker() != null)) {
            return expiration.date() != null ? "expiration date " + expiration.date() : "delete-marker expiration";
        }
        if (!rule.transitions().isEmpty() || !rule.noncurrentVersionTransitions().isEmpty()) {
            return "transitions";
        }
        if (rule.noncurrentVersionExpiration() != null) {
            return "noncurrent-version expiration";
        }
        return null;
    }

    @SuppressWarnings("deprecation") // LifecycleRule.prefix(): older RGWs answer with the top-level Prefix
    static StoragePlan.Lifecycle fromRule(LifecycleRule rule) {
        String prefix = rule.filter() != null && rule.filter().prefix() != null ? rule.filter().prefix()
                : rule.prefix() != null ? rule.prefix() : "";
        int expiration = rule.expiration() != null && rule.expiration().days() != null ? rule.expiration().days() : 0;
        int abort = rule.abortIncompleteMultipartUpload() != null
                && rule.abortIncompleteMultipartUpload().daysAfterInitiation() != null
                ? rule.abortIncompleteMultipartUpload().daysAfterInitiation() : 0;
        return new StoragePlan.Lifecycle(rule.id(), prefix, expiration, abort);
    }

    static LifecycleRule toRule(StoragePlan.Lifecycle rule) {
        LifecycleRule.Builder out = LifecycleRule.builder()
                .id(rule.id())
                .status(ExpirationStatus.ENABLED)
                .filter(LifecycleRuleFilter.builder().prefix(rule.prefix()).build());
        if (rule.expirationDays() > 0) {
            out.expiration(LifecycleExpiration.builder().days(rule.expirationDays()).build());
        }
        if (rule.abortIncompleteMultipartDays() > 0) {
            out.abortIncompleteMultipartUpload(AbortIncompleteMultipartUpload.builder()
                    .daysAfterInitiation(rule.abortIncompleteMultipartDays()).build());
        }
        return out.build();
    }
}
