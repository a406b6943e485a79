package dev.buildfleet.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.validation.Problem;

import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a fleet file into typed objects and reports every structural problem (unknown fields, wrong types,
 * missing sections, keys set twice) with its field path and line. Semantic rules live in {@code FleetValidator}.
 */
public final class FleetLoader {
    /** Far above any real fleet (1000 tenants render from ~1 MiB); stops a wrong file before it is parsed. */
    public static final int MAX_FILE_BYTES = InputFiles.MAX_CONFIG_BYTES;

    private static final Set<String> FLEET_FIELDS = Set.of("apiVersion", "kind", "config", "tenants");
    private static final Set<String> TENANT_FIELDS = Set.of("apiVersion", "kind", "metadata", "spec", "status");
    private static final Set<String> METADATA_FIELDS = Set.of("name", "labels", "annotations");

    private FleetLoader() {
    }

    /**
     * A fleet as far as it could be read, and what could not be; a null tenant is one that could not be read.
     * {@code source} knows the line of every field, for problems found later.
     */
    public record Loaded(Fleet fleet, List<Problem> problems, YamlTree source) {
        /** {@code problems}, each placed at the line of its field in this file. */
        public List<Problem> placed(List<Problem> problems) {
            return source.placed(problems);
        }
    }

    /** The operator's config file as far as it could be read; see {@link Loaded}. */
    public record LoadedConfig(FleetConfig config, List<Problem> problems, YamlTree source) {
        public List<Problem> placed(List<Problem> problems) {
            return source.placed(problems);
        }
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
     *
     * @throws UnreadableFileException when the file cannot be read as a file (missing, not a regular file, too large)
     */
    public static Loaded read(Path file) {
        return parse(text(file, InputFiles.read(file, MAX_FILE_BYTES)));
    }

    /** A fleet from the bytes of a file, which must be UTF-8 text. */
    public static Loaded parse(byte[] bytes) {
        return parse(text("the file", bytes));
    }

    public static Loaded parse(String text) {
        List<Problem> problems = new ArrayList<>();
        YamlTree tree = YamlTree.parse(text, problems);
        JsonNode root = tree.root();
        if (root == null || root.isNull()) {
            throw invalid("the file is empty; expected a fleet: apiVersion: " + BuildTenant.API_VERSION
                    + ", kind: Fleet, config: {...}, tenants: [...]");
        }
        if (!root.isObject()) {
            throw invalid("not a fleet: expected a mapping with apiVersion: " + BuildTenant.API_VERSION
                    + " and kind: Fleet, found " + (root.isArray() ? "a list" : "a single value"));
        }
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
            if (!FLEET_FIELDS.contains(name)) {
                problems.add(new Problem(name, "unknown field; a fleet has apiVersion, kind, config and tenants"));
            }
        });
        if (!problems.isEmpty() && !Fleet.KIND.equals(kind)) {
            throw new InvalidInputException(tree.placed(problems));
        }

        FleetConfig config = null;
        JsonNode configNode = root.get("config");
        if (configNode == null || configNode.isNull()) {
            problems.add(new Problem("config", "missing; the platform settings (gitlab, kubernetesApi, ceph, ...) "
                    + "go here"));
        } else {
            config = StrictBinder.bind(configNode, FleetConfig.class, "config", problems);
        }

        List<BuildTenant> tenants = null;
        JsonNode tenantsNode = root.get("tenants");
        if (tenantsNode == null || tenantsNode.isNull()) {
            problems.add(new Problem("tenants", "missing; list at least one BuildTenant"));
        } else if (!tenantsNode.isArray()) {
            problems.add(new Problem("tenants", "must be a list of BuildTenant objects"));
        } else {
            tenants = new ArrayList<>();
            for (int i = 0; i < tenantsNode.size(); i++) {
                tenants.add(tenant(tenantsNode.get(i), "tenants[" + i + "]", problems));
            }
        }
        return new Loaded(new Fleet(apiVersion, kind, config, tenants), tree.placed(problems), tree);
    }

    /** Reads the operator's config file: the {@code config:} part of a fleet, as one YAML document. */
    public static LoadedConfig readConfig(Path file) {
        return parseConfigText(text(file, InputFiles.read(file, MAX_FILE_BYTES)));
    }

    /** The operator's config file from its bytes, which must be UTF-8 text; see {@link #readConfig}. */
    public static LoadedConfig parseConfig(byte[] bytes) {
        return parseConfigText(text("the file", bytes));
    }

    /** Reads a single FleetConfig YAML document; throws with every structural problem. */
    public static FleetConfig parseConfig(String text) {
        LoadedConfig loaded = parseConfigText(text);
        if (!loaded.problems().isEmpty()) {
            throw new InvalidInputException(loaded.problems());
        }
        return loaded.config();
    }

    private static LoadedConfig parseConfigText(String text) {
        List<Problem> problems = new ArrayList<>();
        YamlTree tree = YamlTree.parse(text, problems);
        if (tree.root() == null || !tree.root().isObject()) {
            throw invalid("expected a FleetConfig mapping (gitlab, kubernetesApi, ceph, ...)");
        }
        FleetConfig config = StrictBinder.bind(tree.root(), FleetConfig.class, "", problems);
        return new LoadedConfig(config, tree.placed(problems), tree);
    }

    /** Reads a BuildTenant from a tree, reporting unknown or mistyped fields under {@code prefix}. */
    private static BuildTenant tenant(JsonNode node, String prefix, List<Problem> problems) {
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
            if (!TENANT_FIELDS.contains(name)) {
                problems.add(new Problem(prefix + "." + name, "unknown field; a BuildTenant has apiVersion, kind, "
                        + "metadata and spec"));
            }
        });
        JsonNode metadata = node.path("metadata");
        metadata.fieldNames().forEachRemaining(name -> {
            if (!METADATA_FIELDS.contains(name)) {
                problems.add(new Problem(prefix + ".metadata." + name, "not allowed in a fleet file; "
                        + "set name, labels or annotations"));
            }
        });
        return StrictBinder.bind(node, BuildTenant.class, prefix, problems);
    }

    private static String text(Object source, byte[] bytes) {
        try {
            return InputFiles.utf8(bytes);
        } catch (CharacterCodingException e) {
            throw invalid(source + ": not UTF-8 text (is this a YAML file?)");
        }
    }

    private static InvalidInputException invalid(String message) {
        return new InvalidInputException(List.of(new Problem("", message)));
    }
}
