package dev.buildfleet.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedClass;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/** Deterministic YAML: keys sorted at every level, no document marker, nulls dropped. */
public final class Yaml {
    private static final ObjectMapper MAPPER = builder().build();
    /** Builds trees whose mappings keep their keys sorted, and writes them without null fields. */
    private static final ObjectMapper SORTED_WRITER = builder()
            .nodeFactory(new SortedNodeFactory())
            .configure(JsonNodeFeature.WRITE_NULL_PROPERTIES, false)
            .build();

    /**
     * Writes beans as {@link #SORTED_WRITER} writes their trees, without building the tree: properties sorted by
     * name (the models' declared order ignored), map entries by key, nulls left out.
     */
    private static final ObjectMapper SORTED_BEAN_WRITER = builder()
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public String[] findSerializationPropertyOrder(AnnotatedClass ac) {
                    return null;
                }

                @Override
                public Boolean findSerializationSortAlphabetically(Annotated ann) {
                    return Boolean.TRUE;
                }
            })
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
                    JsonInclude.Include.NON_NULL))
            .build();

    private static YAMLMapper.Builder builder() {
        return YAMLMapper.builder(YAMLFactory.builder()
                        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                        .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                        .stringQuotingChecker(new Yaml11QuotingChecker())
                        .build())
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    }

    /** Mappings backed by a sorted map: the tree is in output order as it is built, with no second copy. */
    private static final class SortedNodeFactory extends JsonNodeFactory {
        @Override
        public ObjectNode objectNode() {
            return new ObjectNode(this, new TreeMap<>());
        }
    }

    private Yaml() {
    }

    /**
     * Also quotes what a YAML 1.1 reader (PyYAML, Go's yaml.v2, older kubectl) resolves to a number or a boolean:
     * sexagesimal numbers such as dumb-init's {@code 15:3} (read as 903), numbers with underscores, octal, binary and
     * hexadecimal forms, {@code ~} and the one-letter booleans.
     */
    static final class Yaml11QuotingChecker extends com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker
            .Default {
        private static final java.util.regex.Pattern YAML11_NON_STRING = java.util.regex.Pattern.compile(
                "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?"       // sexagesimal int or float
                        + "|[-+]?(0|[1-9][0-9_]*)|[-+]?0[0-7_]+|[-+]?0b[0-1_]+|[-+]?0x[0-9a-fA-F_]+"
                        + "|[-+]?([0-9][0-9_]*)?\\.[0-9_]*([eE][-+][0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
                        + "|~|[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE"
                        + "|null|Null|NULL");

        @Override
        public boolean needToQuoteValue(String value) {
            return super.needToQuoteValue(value) || mayBeYaml11NonString(value)
                    && YAML11_NON_STRING.matcher(value).matches();
        }

        /** What the pattern can match starts with one of these and has no line break: most values skip it. */
        private static boolean mayBeYaml11NonString(String value) {
            return !value.isEmpty() && "+-.0123456789~yYnNoOtTfF".indexOf(value.charAt(0)) >= 0
                    && value.indexOf('\n') < 0;
        }
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String write(Object value) {
        // A generic resource keeps its fields in "additional properties", which a bean writer puts last, unsorted.
        if (value instanceof GenericKubernetesResource || value instanceof JsonNode) {
            return writeTree(value);
        }
        try {
            return SORTED_BEAN_WRITER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #write} through a sorted tree: the reference the direct bean writer must match byte for byte. */
    static String writeTree(Object value) {
        try {
            return SORTED_WRITER.writeValueAsString(SORTED_WRITER.valueToTree(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one YAML document into a tree; used by tests and by `crd`. */
    public static JsonNode read(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(String text) {
        try {
            return MAPPER.readValue(text, Map.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
