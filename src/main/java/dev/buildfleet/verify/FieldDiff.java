package dev.buildfleet.verify;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every field of a desired object that the live one lacks or holds differently. Only fields present in the desired
 * object count, so what the API server fills in (uid, status, defaults, kubectl's last-applied annotation, owner
 * references) never looks like drift; lists must match element by element, as the operator compares them.
 */
public final class FieldDiff {
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

    private FieldDiff() {
    }

    public static List<FieldDifference> between(JsonNode desired, JsonNode live) {
        List<FieldDifference> out = new ArrayList<>();
        collect(desired, live, "", out);
        return out;
    }

    private static void collect(JsonNode desired, JsonNode live, String path, List<FieldDifference> out) {
        if (desired == null || desired.isNull()) {
            return;
        }
        if (live == null || live.isNull() || live.isMissingNode()) {
            if (!(desired.isContainerNode() && desired.isEmpty())) {
                out.add(new FieldDifference(path, desired, null));
            }
            return;
        }
        if (desired.isObject()) {
            if (!live.isObject()) {
                out.add(new FieldDifference(path, desired, live));
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                collect(field.getValue(), live.get(field.getKey()), child(path, field.getKey()), out);
            }
            return;
        }
        if (desired.isArray()) {
            if (!live.isArray() || live.size() != desired.size()) {
                out.add(new FieldDifference(path, desired, live));
                return;
            }
            for (int i = 0; i < desired.size(); i++) {
                collect(desired.get(i), live.get(i), path + "[" + i + "]", out);
            }
            return;
        }
        if (!desired.asText().equals(live.asText())) {
            out.add(new FieldDifference(path, desired, live));
        }
    }

    /** {@code spec.hard["limits.cpu"]}, {@code data["config.toml"]}: keys with dots or slashes in brackets. */
    static String child(String path, String key) {
        if (PLAIN_KEY.matcher(key).matches()) {
            return path.isEmpty() ? key : path + "." + key;
        }
        return path + "[\"" + key + "\"]";
    }
}
