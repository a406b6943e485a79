package dev.buildfleet.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.validation.Problem;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.StringReader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One YAML document as a Jackson tree, read as YAML 1.1 users expect (anchors, aliases of scalars, lists and
 * mappings, merge keys {@code <<}), with the line of every value so that each problem can name its line.
 * Refused with their line: a second document, a key set twice in one mapping, a key that is not text, a tag
 * buildfleet does not read. Bounded: SnakeYAML's limits on aliases, nesting and size, and a cap on the values
 * aliases and merges copy, so a small file cannot expand into millions of values ("billion laughs").
 */
public final class YamlTree {
    /** Aliases of lists and mappings in one document (SnakeYAML's maxAliasesForCollections). */
    public static final int MAX_ALIASES = 10_000;
    /** Values that aliases and merge keys may copy, all together. */
    public static final int MAX_ALIASED_VALUES = 200_000;
    /** Lists and mappings inside each other, counted after aliases are expanded. */
    public static final int MAX_DEPTH = 50;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JsonNode root;
    private final Map<String, Integer> lines;

    private YamlTree(JsonNode root, Map<String, Integer> lines) {
        this.root = root;
        this.lines = lines;
    }

    /**
     * Reads {@code text}; problems that leave the rest readable (a key set twice, an unknown tag) are added to
     * {@code problems}, the others are thrown.
     *
     * @return the tree; its root is null when the document is empty
     * @throws InvalidInputException for text that is no single YAML document
     */
    public static YamlTree parse(String text, List<Problem> problems) {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        Node node;
        try {
            node = new Yaml(loaderOptions()).compose(new StringReader(body));
        } catch (MarkedYAMLException e) {
            throw new InvalidInputException(List.of(syntaxProblem(e)));
        } catch (YAMLException e) {
            throw new InvalidInputException(List.of(new Problem("", "not read: " + e.getMessage()
                    + " (limits: " + MAX_ALIASES + " aliases of lists and mappings, nesting depth " + MAX_DEPTH + ")")));
        }
        Map<String, Integer> lines = new HashMap<>();
        JsonNode root = node == null ? null : new Converter(lines, problems).value(node, "", 0);
        return new YamlTree(root, lines);
    }

    public JsonNode root() {
        return root;
    }

    /** The line of the value at {@code path}, or of the nearest enclosing field the file holds; 0 if none. */
    public int lineOf(String path) {
        String p = path;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                return 0;
            }
            p = p.substring(0, cut);
        }
    }

    /** Each problem without a line, placed at the line of its path. */
    public List<Problem> placed(List<Problem> problems) {
        List<Problem> out = new ArrayList<>(problems.size());
        for (Problem problem : problems) {
            int line = problem.line() > 0 || problem.path().isEmpty() ? 0 : lineOf(problem.path());
            out.add(line > 0 ? problem.atLine(line) : problem);
        }
        return out;
    }

    static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(InputFiles.MAX_CONFIG_BYTES);
        options.setAllowRecursiveKeys(false);
        options.setMergeOnCompose(false);
        return options;
    }

    private static Problem syntaxProblem(MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        int line = mark == null ? 0 : mark.getLine() + 1;
        String context = e.getContext() == null ? "" : e.getContext();
        if (context.contains("expected a single document")) {
            return new Problem("", "a second YAML document starts here; the file must hold exactly one (no ---"
                    + " between documents)", line);
        }
        String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
        String column = mark == null ? "" : " (column " + (mark.getColumn() + 1) + ")";
        return new Problem("", "not valid YAML" + column + ": " + (context.isEmpty() ? "" : context + ": ")
                + problem, line);
    }

    static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Walks SnakeYAML's node graph once, expanding aliases and merge keys within the caps. */
    private static final class Converter {
        private final Map<String, Integer> lines;
        private final List<Problem> problems;
        private final Scalars scalars = new Scalars();
        private final Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Set<Node> open = Collections.newSetFromMap(new IdentityHashMap<>());
        private int aliasedDepth;
        private long aliasedValues;

        Converter(Map<String, Integer> lines, List<Problem> problems) {
            this.lines = lines;
            this.problems = problems;
        }

        JsonNode value(Node node, String path, int depth) {
            lines.putIfAbsent(path, line(node));
            if (aliasedDepth > 0 && ++aliasedValues > MAX_ALIASED_VALUES) {
                throw invalid(path, node, "aliases and merge keys expand the document to more than "
                        + MAX_ALIASED_VALUES + " copied values; write the values out or use fewer aliases");
            }
            if (node instanceof ScalarNode scalar) {
                return scalar(scalar, path);
            }
            if (depth >= MAX_DEPTH) {
                throw invalid(path, node, "lists and mappings nest deeper than " + MAX_DEPTH + " levels");
            }
            if (!open.add(node)) {
                throw invalid(path, node, "an alias refers to a list or mapping that contains it");
            }
            boolean repeated = !seen.add(node);
            if (repeated) {
                aliasedDepth++;
            }
            try {
                return node instanceof SequenceNode sequence ? sequence(sequence, path, depth)
                        : mapping((MappingNode) node, path, depth);
            } finally {
                if (repeated) {
                    aliasedDepth--;
                }
                open.remove(node);
            }
        }

        private ArrayNode sequence(SequenceNode node, String path, int depth) {
            ArrayNode array = NODES.arrayNode(node.getValue().size());
            List<Node> items = node.getValue();
            for (int i = 0; i < items.size(); i++) {
                array.add(value(items.get(i), path + "[" + i + "]", depth + 1));
            }
            return array;
        }

        private ObjectNode mapping(MappingNode node, String path, int depth) {
            ObjectNode object = NODES.objectNode();
            Map<String, Mark> keyMarks = new HashMap<>();
            List<NodeTuple> merges = new ArrayList<>();
            for (NodeTuple entry : node.getValue()) {
                Node keyNode = entry.getKeyNode();
                if (!(keyNode instanceof ScalarNode key)) {
                    report(new Problem(path, "a key must be a name, not a list or mapping", line(keyNode)));
                    continue;
                }
                if (key.getTag().equals(Tag.MERGE)) {
                    merges.add(entry);
                    continue;
                }
                String name = key.getValue();
                String childPath = child(path, name);
                Mark first = keyMarks.putIfAbsent(name, key.getStartMark());
                if (first != null) {
                    String where = "line " + (first.getLine() + 1) + (first.getLine() == key.getStartMark().getLine()
                            ? ", column " + (first.getColumn() + 1) : "");
                    report(new Problem(childPath, "set twice in one mapping (first at " + where
                            + "); YAML would silently keep only one: remove the other", line(key)));
                    continue;
                }
                lines.putIfAbsent(childPath, line(key));
                object.set(name, value(entry.getValueNode(), childPath, depth + 1));
            }
            for (NodeTuple merge : merges) {
                merge(object, merge.getValueNode(), path, depth);
            }
            return object;
        }

        /** YAML's merge key: the keys of the merged mappings that the mapping does not set itself, earlier first. */
        private void merge(ObjectNode into, Node source, String path, int depth) {
            List<Node> sources = source instanceof SequenceNode list ? list.getValue() : List.of(source);
            for (Node each : sources) {
                if (!(each instanceof MappingNode)) {
                    report(new Problem(path, "<< merges a mapping or a list of mappings (e.g. <<: *defaults)",
                            line(each)));
                    continue;
                }
                JsonNode merged = value(each, path, depth);
                merged.properties().forEach(field -> {
                    if (!into.has(field.getKey())) {
                        into.set(field.getKey(), field.getValue());
                    }
                });
            }
        }

        private JsonNode scalar(ScalarNode node, String path) {
            Tag tag = node.getTag();
            String text = node.getValue();
            boolean sexagesimal = text.indexOf(':') >= 0;
            try {
                if (tag.equals(Tag.NULL)) {
                    return NODES.nullNode();
                }
                if (tag.equals(Tag.BOOL)) {
                    return NODES.booleanNode((Boolean) scalars.value(node));
                }
                if (tag.equals(Tag.INT) && !sexagesimal) {
                    Object number = scalars.value(node);
                    return number instanceof Integer i ? NODES.numberNode(i)
                            : number instanceof Long l ? NODES.numberNode(l) : NODES.numberNode((BigInteger) number);
                }
                if (tag.equals(Tag.FLOAT) && !sexagesimal) {
                    double number = (Double) scalars.value(node);
                    // 1e999 is too large for a double, not infinite: left as written, each field says what it takes
                    boolean overflow = Double.isInfinite(number) && !text.toLowerCase().contains("inf");
                    return overflow ? NODES.textNode(text) : NODES.numberNode(number);
                }
            } catch (RuntimeException e) {
                report(new Problem(path, "'" + text + "' is tagged " + tag.getValue().replace(Tag.PREFIX, "!!")
                        + " but is not one", line(node)));
                return NODES.nullNode();
            }
            if (tag.equals(Tag.STR) || tag.equals(Tag.TIMESTAMP) || tag.equals(Tag.MERGE) || tag.equals(Tag.INT)
                    || tag.equals(Tag.FLOAT) || tag.equals(Tag.BINARY)) {
                return NODES.textNode(text);
            }
            report(new Problem(path, "the YAML tag " + tag.getValue() + " is not one buildfleet reads; "
                    + "remove it", line(node)));
            return NODES.nullNode();
        }

        /** A problem inside an aliased list or mapping is reported once, where it is first read. */
        private void report(Problem problem) {
            if (aliasedDepth == 0) {
                problems.add(problem);
            }
        }

        private static InvalidInputException invalid(String path, Node node, String message) {
            return new InvalidInputException(List.of(new Problem(path, message, line(node))));
        }
    }

    /** SnakeYAML's own YAML 1.1 readings of booleans, integers (0x, 0o, 1_000) and floats (.inf). */
    private static final class Scalars extends SafeConstructor {
        Scalars() {
            super(new LoaderOptions());
        }

        Object value(ScalarNode node) {
            return yamlConstructors.get(node.getTag()).construct(node);
        }
    }
}
