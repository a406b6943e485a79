package dev.buildfleet.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.validation.Problem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Deque;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Reads a fleet file into typed objects and reports every structural problem (unknown fields, wrong types,
 * missing sections) with its field path. Semantic rules live in {@code FleetValidator}.
 */
public final class FleetLoader {
    /** Far above any real fleet (1000 tenants render from ~1 MiB); stops a wrong file before it is parsed. */
    public static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    private FleetLoader() {
    }

    /** A fleet as far as it could be read, and what could not be; a null tenant is one that could not be read. */
    public record Loaded(Fleet fleet, List<Problem> problems) {
    }

    /** Reads a fleet that must be structurally sound (unknown fields are problems too); see {@link #read}. */
    public static Fleet load(Path file) {
        Loaded loaded = read(file);
        if (!loaded.problems().isEmpty()) {
            throw new InvalidInputException(loaded.problems());
        }
        return loaded.fleet();
    }

    /**
     * Reads a fleet and collects structural problems instead of stopping at the first, so the semantic checks can
     * still run on what was readable. Throws only when the file is not a fleet at all.
     */
    public static Loaded read(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw invalid("", file + ": no such file");
        } catch (IOException e) {
            throw invalid("", file + ": cannot read: " + e.getMessage());
        }
        if (size > MAX_FILE_BYTES) {
            throw invalid("", String.format("%s is %.1f MiB; a fleet file may be at most %d MiB "
                    + "(is this the right file?)", file, size / 1048576.0, MAX_FILE_BYTES / 1048576));
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (java.nio.charset.MalformedInputException e) {
            throw invalid("", file + ": not UTF-8 text (is this a YAML file?)");
        } catch (IOException e) {
            throw invalid("", file + ": cannot read as UTF-8 text: " + e.getMessage());
        }
    }

    public static Loaded parse(String text) {
        ObjectMapper mapper = new YAMLMapper();
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw invalid("", "not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw invalid("", "the file is empty; expected a fleet: apiVersion: " + BuildTenant.API_VERSION
                    + ", kind: Fleet, config: {...}, tenants: [...]");
        }
        if (!root.isObject()) {
            throw invalid("", "not a fleet: expected a mapping with apiVersion: " + BuildTenant.API_VERSION
                    + " and kind: Fleet, found a " + root.getNodeType().name().toLowerCase());
        }
        List<Problem> problems = new ArrayList<>();
        String kind = root.path("kind").asText("");
        if (!Fleet.KIND.equals(kind)) {
            problems.add(new Problem("kind", kind.isEmpty()
                    ? "missing; a fleet file starts with apiVersion: " + BuildTenant.API_VERSION + " and kind: Fleet"
                    : "is " + kind + ", expected Fleet (this does not look like a fleet file)"));
        }
        String apiVersion = root.path("apiVersion").asText("");
        if (!BuildTenant.API_VERSION.equals(apiVersion)) {
            problems.add(new Problem("apiVersion", "is '" + apiVersion + "', expected " + BuildTenant.API_VERSION));
        }
        root.fieldNames().forEachRemaining(name -> {
            if (!List.of("apiVersion", "kind", "config", "tenants").contains(name)) {
                problems.add(new Problem(name, "unknown field; a fleet has apiVersion, kind, config and tenants"));
            }
        });
        if (!problems.isEmpty() && !Fleet.KIND.equals(kind)) {
            throw new InvalidInputException(problems);
        }

        FleetConfig config = null;
        JsonNode configNode = root.get("config");
        if (configNode == null || configNode.isNull()) {
            problems.add(new Problem("config", "missing; the platform settings (gitlab, kubernetesApi, ceph, ...) "
                    + "go here"));
        } else {
            config = convert(configNode, FleetConfig.class, "config", problems);
        }

        List<BuildTenant> tenants = new ArrayList<>();
        JsonNode tenantsNode = root.get("tenants");
        if (tenantsNode == null || tenantsNode.isNull()) {
            problems.add(new Problem("tenants", "missing; list at least one BuildTenant"));
        } else if (!tenantsNode.isArray()) {
            problems.add(new Problem("tenants", "must be a list of BuildTenant objects"));
        } else {
            for (int i = 0; i < tenantsNode.size(); i++) {
                tenants.add(convertTenant(tenantsNode.get(i), "tenants[" + i + "]", problems));
            }
        }
        return new Loaded(new Fleet(apiVersion, kind, config, tenantsNode == null || !tenantsNode.isArray()
                ? null : tenants), problems);
    }

    /** Reads a single FleetConfig YAML document (the operator's config file). */
    public static FleetConfig parseConfig(String text) {
        List<Problem> problems = new ArrayList<>();
        FleetConfig config;
        try {
            JsonNode node = new YAMLMapper().readTree(text);
            if (node == null || !node.isObject()) {
                throw invalid("", "expected a FleetConfig mapping (gitlab, kubernetesApi, ceph, ...)");
            }
            config = convert(node, FleetConfig.class, "", problems);
        } catch (JsonProcessingException e) {
            throw invalid("", "not valid YAML: " + e.getOriginalMessage());
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return config;
    }

    /** Reads a BuildTenant from a tree, reporting unknown or mistyped fields under {@code prefix}. */
    public static BuildTenant convertTenant(JsonNode node, String prefix, List<Problem> problems) {
        if (node == null || !node.isObject()) {
            problems.add(new Problem(prefix, "must be a BuildTenant object (apiVersion, kind, metadata, spec)"));
            return null;
        }
        String kind = node.path("kind").asText("BuildTenant");
        if (!"BuildTenant".equals(kind)) {
            problems.add(new Problem(prefix + ".kind", "is " + kind + ", expected BuildTenant"));
        }
        String apiVersion = node.path("apiVersion").asText(BuildTenant.API_VERSION);
        if (!BuildTenant.API_VERSION.equals(apiVersion)) {
            problems.add(new Problem(prefix + ".apiVersion", "is " + apiVersion + ", expected "
                    + BuildTenant.API_VERSION));
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!List.of("apiVersion", "kind", "metadata", "spec", "status").contains(name)) {
                problems.add(new Problem(prefix + "." + name, "unknown field; a BuildTenant has apiVersion, kind, "
                        + "metadata and spec"));
            }
        });
        JsonNode metadata = node.path("metadata");
        metadata.fieldNames().forEachRemaining(name -> {
            if (!List.of("name", "labels", "annotations").contains(name)) {
                problems.add(new Problem(prefix + ".metadata." + name, "not allowed in a fleet file; "
                        + "set name, labels or annotations"));
            }
        });
        return convert(node, BuildTenant.class, prefix, problems);
    }

    private static <T> T convert(JsonNode node, Class<T> type, String prefix, List<Problem> problems) {
        ObjectMapper mapper = new YAMLMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .addHandler(new UnknownFieldCollector(prefix, problems));
        try {
            return mapper.treeToValue(node, type);
        } catch (InvalidFormatException e) {
            problems.add(new Problem(join(prefix, path(e)), "'" + e.getValue() + "' is not a valid "
                    + describe(e.getTargetType())));
        } catch (MismatchedInputException e) {
            problems.add(new Problem(join(prefix, path(e)), "expected " + describe(e.getTargetType())
                    + (e.getTargetType() != null && e.getTargetType().isEnum() ? "" : ", found something else")));
        } catch (JsonMappingException e) {
            problems.add(new Problem(join(prefix, path(e)), e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            problems.add(new Problem(prefix, e.getOriginalMessage()));
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(prefix, e.getMessage()));
        }
        return null;
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (type.isEnum()) {
            List<String> values = new ArrayList<>();
            for (Object constant : type.getEnumConstants()) {
                values.add(new ObjectMapper().convertValue(constant, String.class));
            }
            return "one of " + String.join(", ", values);
        }
        return switch (type.getSimpleName()) {
            case "Integer", "int", "Long", "long" -> "whole number";
            case "Boolean", "boolean" -> "true or false";
            case "String" -> "text";
            case "List" -> "list";
            case "Map" -> "mapping";
            default -> type.getSimpleName() + " mapping";
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

    private static InvalidInputException invalid(String path, String message) {
        return new InvalidInputException(List.of(new Problem(path, message)));
    }

    /** Records each unknown field with its full path and keeps reading, so one typo does not hide the next. */
    private static final class UnknownFieldCollector extends DeserializationProblemHandler {
        private final String prefix;
        private final List<Problem> problems;

        UnknownFieldCollector(String prefix, List<Problem> problems) {
            this.prefix = prefix;
            this.problems = problems;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                             Object beanOrClass, String propertyName) throws IOException {
            Deque<String> parts = new ArrayDeque<>();
            for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
                if (c.inArray()) {
                    parts.push("[" + c.getCurrentIndex() + "]");
                } else if (c.getCurrentName() != null) {
                    parts.push("." + c.getCurrentName());
                }
            }
            String path = String.join("", parts);
            path = path.startsWith(".") ? path.substring(1) : path;
            problems.add(new Problem(join(prefix, path), "unknown field (check the spelling; "
                    + "`buildfleet crd` prints every field)"));
            p.skipChildren();
            return true;
        }
    }
}
