package dev.buildfleet.verify;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Labels and label selectors as Kubernetes evaluates them. */
final class Labels {
    /** Set by the API server on every namespace and immutable: a selector on it names namespaces exactly. */
    static final String NAMESPACE_NAME = "kubernetes.io/metadata.name";

    private Labels() {
    }

    static Map<String, String> of(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    /** A null selector selects nothing here; callers decide what an absent selector means. An empty one selects all. */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
            return false;
        }
        for (LabelSelectorRequirement r : requirements(selector)) {
            String value = labels.get(r.getKey());
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            boolean ok = switch (r.getOperator()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static boolean isEmpty(LabelSelector selector) {
        return selector != null && (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && requirements(selector).isEmpty();
    }

    /** The labels every object this selector selects carries for sure (its matchLabels and single-value Ins). */
    static Map<String, String> required(LabelSelector selector) {
        Map<String, String> out = new TreeMap<>();
        if (selector == null) {
            return out;
        }
        if (selector.getMatchLabels() != null) {
            out.putAll(selector.getMatchLabels());
        }
        for (LabelSelectorRequirement r : requirements(selector)) {
            if ("In".equals(r.getOperator()) && r.getValues() != null && r.getValues().size() == 1) {
                out.put(r.getKey(), r.getValues().get(0));
            }
        }
        return out;
    }

    /**
     * The namespace names a namespace selector is confined to, when it selects by {@value #NAMESPACE_NAME}; empty
     * when it may select any namespace, now or later.
     */
    static Optional<Set<String>> pinnedNames(LabelSelector selector) {
        if (selector == null) {
            return Optional.empty();
        }
        if (selector.getMatchLabels() != null && selector.getMatchLabels().containsKey(NAMESPACE_NAME)) {
            return Optional.of(Set.of(selector.getMatchLabels().get(NAMESPACE_NAME)));
        }
        return requirements(selector).stream()
                .filter(r -> NAMESPACE_NAME.equals(r.getKey()) && "In".equals(r.getOperator()) && r.getValues() != null)
                .findFirst().map(r -> Set.copyOf(r.getValues()));
    }

    static String text(LabelSelector selector) {
        if (selector == null) {
            return "(none)";
        }
        if (isEmpty(selector)) {
            return "{} (all)";
        }
        String labels = selector.getMatchLabels() == null ? "" : new TreeMap<>(selector.getMatchLabels()).entrySet()
                .stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        String expressions = requirements(selector).stream().map(r -> r.getKey() + " " + r.getOperator()
                + (r.getValues() == null || r.getValues().isEmpty() ? "" : " " + r.getValues()))
                .collect(Collectors.joining(","));
        return "{" + labels + (labels.isEmpty() || expressions.isEmpty() ? "" : ",") + expressions + "}";
    }

    static String text(Map<String, String> labels) {
        return labels.isEmpty() ? "{} (all)" : new TreeMap<>(labels).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",", "{", "}"));
    }

    private static List<LabelSelectorRequirement> requirements(LabelSelector selector) {
        return selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
    }
}
