package dev.buildfleet.verify;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** A field the model sets whose live value differs; {@code live} is null when the live object lacks the field. */
public record FieldDifference(String path, JsonNode desired, JsonNode live) {
    private static final int MAX_VALUE = 160;
    /** Characters shown before the first one that differs in a long text. */
    private static final int CONTEXT = 40;
    private static final int MAX_LINES = 3;

    /** live -> desired in one line; for multi-line text (config.toml) each differing line, up to three. */
    public String describe() {
        if (desired != null && live != null && desired.isTextual() && live.isTextual()) {
            String d = desired.asText();
            String l = live.asText();
            if (d.contains("\n") || l.contains("\n")) {
                return lines(d.split("\n", -1), l.split("\n", -1));
            }
            return around(l, d) + " (live -> desired)";
        }
        return show(live) + " -> " + show(desired) + " (live -> desired)";
    }

    private static String lines(String[] desired, String[] live) {
        List<String> differing = new ArrayList<>();
        int count = 0;
        for (int i = 0; i < Math.max(desired.length, live.length); i++) {
            String d = i < desired.length ? desired[i] : null;
            String l = i < live.length ? live[i] : null;
            if (d != null && d.equals(l)) {
                continue;
            }
            if (++count <= MAX_LINES) {
                differing.add("line " + (i + 1) + ": " + (d == null || l == null ? quote(l) + " -> " + quote(d)
                        : around(l, d)));
            }
        }
        return String.join("; ", differing) + (count > MAX_LINES ? "; and " + (count - MAX_LINES) + " more line(s)"
                : "") + " (live -> desired)";
    }

    /** Both texts from a little before the first character in which they differ to a little after it. */
    private static String around(String live, String desired) {
        int same = 0;
        while (same < live.length() && same < desired.length() && live.charAt(same) == desired.charAt(same)) {
            same++;
        }
        int from = Math.max(0, same - CONTEXT);
        return window(live, from, same) + " -> " + window(desired, from, same);
    }

    private static String window(String text, int from, int differsAt) {
        int to = Math.min(text.length(), differsAt + CONTEXT);
        return (from > 0 ? "..." : "") + "\"" + text.substring(from, to) + "\"" + (to < text.length() ? "..." : "");
    }

    static String show(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return "(absent)";
        }
        return value.isTextual() ? quote(value.asText()) : shorten(value.toString());
    }

    private static String quote(String text) {
        return text == null ? "(absent)" : "\"" + shorten(text) + "\"";
    }

    private static String shorten(String text) {
        return text.length() <= MAX_VALUE ? text : text.substring(0, MAX_VALUE) + "... (" + text.length() + " chars)";
    }
}
