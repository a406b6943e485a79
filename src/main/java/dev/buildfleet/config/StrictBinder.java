package dev.buildfleet.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.buildfleet.validation.Problem;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Binds a YAML tree to the fleet's types as the Kubernetes API server reads a custom resource: an integer field takes
 * only a whole number (not 20.7, not "20"), a text field only text (not 21: quote it), a true/false field only true or
 * false, an enum only one of its names. Each unknown or mistyped field becomes a problem with its full path, and
 * reading goes on without it, so one typo does not hide the next.
 */
final class StrictBinder {
    private static final ObjectMapper MAPPER = strictMapper();
    private static final Map<Class<?>, ObjectReader> READERS = new ConcurrentHashMap<>();

    private StrictBinder() {
    }

    /** Problems one object may report before binding stops; the rest are usually follow-ups of these. */
    static final int MAX_PROBLEMS = 50;

    /**
     * @return the object without its unknown fields (each a problem under {@code prefix}), or null when a field was
     *     mistyped: then its value cannot be trusted, and each mistyped field is a problem too
     */
    static <T> T bind(JsonNode node, Class<T> type, String prefix, List<Problem> problems) {
        ObjectReader reader = READERS.computeIfAbsent(type, MAPPER::readerFor);
        JsonNode input = node;
        boolean mistyped = false;
        for (int found = 0; found < MAX_PROBLEMS; found++) {
            try {
                T value = reader.readValue(reader.treeAsTokens(input));
                return mistyped ? null : value;
            } catch (JsonMappingException e) {
                mistyped |= !(e instanceof UnrecognizedPropertyException);
                String path = path(e);
                problems.add(new Problem(join(prefix, path), message(e, at(input, path))));
                if (input == node) {
                    input = node.deepCopy();
                }
                if (!dropped(input, e.getPath())) {
                    return null;
                }
            } catch (IOException | IllegalArgumentException e) {
                String message = e instanceof JacksonException jackson ? jackson.getOriginalMessage() : e.getMessage();
                problems.add(new Problem(prefix, String.valueOf(message)));
                return null;
            }
        }
        problems.add(new Problem(prefix, "more than " + MAX_PROBLEMS + " unknown or mistyped fields; fix these "
                + "first"));
        return null;
    }

    private static String message(JsonMappingException e, JsonNode value) {
        if (e instanceof UnrecognizedPropertyException) {
            return "unknown field (check the spelling; `buildfleet crd` prints every field)";
        }
        if (e.getCause() instanceof InputCoercionException coercion) {
            return "the number " + (value == null ? "" : value.asText() + " ") + "is out of range "
                    + range(coercion.getTargetType());
        }
        Class<?> target = e instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null;
        if (target == String.class && value != null && value.isValueNode()) {
            return "expected text, found " + value.asText() + ": quote it (\"" + value.asText()
                    + "\") if it is meant as text";
        }
        if (e instanceof InvalidFormatException format) {
            return shown(format.getValue()) + " is not " + describe(format.getTargetType());
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return "expected " + describe(mismatch.getTargetType()) + found(value);
        }
        return cause(e) + found(value);
    }

    private static String range(Class<?> type) {
        if (type == Integer.class || type == int.class) {
            return "(" + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + ")";
        }
        if (type == Long.class || type == long.class) {
            return "(" + Long.MIN_VALUE + " to " + Long.MAX_VALUE + ")";
        }
        return "for this field";
    }

    /** Takes the field that failed out of {@code tree} (an element becomes null), so that binding can go on. */
    private static boolean dropped(JsonNode tree, List<JsonMappingException.Reference> path) {
        if (path.isEmpty()) {
            return false;
        }
        JsonNode parent = tree;
        for (int i = 0; i < path.size() - 1 && parent != null; i++) {
            JsonMappingException.Reference ref = path.get(i);
            parent = ref.getFieldName() != null ? parent.get(ref.getFieldName()) : parent.get(ref.getIndex());
        }
        JsonMappingException.Reference last = path.getLast();
        if (parent instanceof ObjectNode object && last.getFieldName() != null && object.has(last.getFieldName())) {
            object.remove(last.getFieldName());
            return true;
        }
        if (parent instanceof ArrayNode array && last.getIndex() >= 0 && last.getIndex() < array.size()
                && !array.get(last.getIndex()).isNull()) {
            array.set(last.getIndex(), NullNode.getInstance());
            return true;
        }
        return false;
    }

    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        refuse(mapper, LogicalType.Integer, CoercionInputShape.Float, CoercionInputShape.String,
                CoercionInputShape.Boolean);
        refuse(mapper, LogicalType.Float, CoercionInputShape.String, CoercionInputShape.Boolean);
        refuse(mapper, LogicalType.Boolean, CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.String);
        refuse(mapper, LogicalType.Textual, CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean);
        refuse(mapper, LogicalType.Enum, CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean);
        return mapper;
    }

    private static void refuse(ObjectMapper mapper, LogicalType target, CoercionInputShape... shapes) {
        for (CoercionInputShape shape : shapes) {
            mapper.coercionConfigFor(target).setCoercion(shape, CoercionAction.Fail);
        }
    }

    /** The value at a path relative to {@code node}, or null. */
    private static JsonNode at(JsonNode node, String path) {
        JsonNode current = node;
        int i = 0;
        while (current != null && i < path.length()) {
            if (path.charAt(i) == '.') {
                i++;
            }
            if (i < path.length() && path.charAt(i) == '[') {
                int end = path.indexOf(']', i);
                if (end < 0) {
                    return null;
                }
                current = current.get(Integer.parseInt(path.substring(i + 1, end)));
                i = end + 1;
            } else {
                int end = i;
                while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
                    end++;
                }
                current = current.get(path.substring(i, end));
                i = end;
            }
        }
        return current;
    }

    private static String found(JsonNode value) {
        if (value == null) {
            return "";
        }
        if (value.isTextual()) {
            return ", found the text " + shown(value.textValue());
        }
        if (value.isNumber()) {
            return ", found the number " + value.asText();
        }
        if (value.isBoolean()) {
            return ", found " + value.asText();
        }
        if (value.isNull()) {
            return ", found nothing (null)";
        }
        return value.isArray() ? ", found a list" : ", found a mapping";
    }

    private static String shown(Object value) {
        String text = String.valueOf(value);
        return "'" + (text.length() > 80 ? text.substring(0, 80) + "..." : text) + "'";
    }

    private static String cause(JsonMappingException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root instanceof JacksonException jackson ? jackson.getOriginalMessage() : root.getMessage();
        return message == null ? "cannot be read" : message.lines().findFirst().orElse(message);
    }

    static String describe(Class<?> type) {
        if (type == null) {
            return "a value";
        }
        if (type.isEnum()) {
            List<String> values = new ArrayList<>();
            for (Object constant : type.getEnumConstants()) {
                values.add(MAPPER.convertValue(constant, String.class));
            }
            return "one of " + String.join(", ", values);
        }
        return switch (type.getSimpleName()) {
            case "Integer", "int", "Long", "long" -> "a whole number";
            case "Boolean", "boolean" -> "true or false";
            case "String" -> "text";
            case "List" -> "a list";
            case "Map" -> "a mapping";
            case "Quantity" -> "a quantity like 2, 500m, 512Mi or 4Gi";
            default -> "a mapping (" + type.getSimpleName() + ")";
        };
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    static String join(String prefix, String path) {
        if (prefix.isEmpty()) {
            return path;
        }
        if (path.isEmpty()) {
            return prefix;
        }
        return path.startsWith("[") ? prefix + path : prefix + "." + path;
    }
}
