package dev.buildfleet.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Drift is judged on the fields the model sets only, with paths and values a person can act on. */
class VerifyFieldDiffTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void whatTheServerAddsIsNoDriftAndEveryDifferingFieldIsNamed() throws Exception {
        JsonNode desired = json("{'metadata': {'name': 'q', 'labels': {'app.kubernetes.io/managed-by': 'buildfleet'}},"
                + " 'spec': {'hard': {'limits.cpu': '46', 'pods': '22'}}}");
        JsonNode same = json("{'metadata': {'name': 'q', 'uid': 'u', 'resourceVersion': '7', 'labels': "
                + "{'app.kubernetes.io/managed-by': 'buildfleet', 'extra': 'x'}, 'annotations': {'kubectl."
                + "kubernetes.io/last-applied-configuration': '{}'}}, 'spec': {'hard': {'limits.cpu': '46', "
                + "'pods': '22'}}, 'status': {'used': {}}}");
        assertThat(FieldDiff.between(desired, same)).isEmpty();

        JsonNode changed = json("{'metadata': {'name': 'q'}, 'spec': {'hard': {'limits.cpu': '13', 'pods': '22'}}}");
        List<FieldDifference> diff = FieldDiff.between(desired, changed);
        assertThat(diff).extracting(FieldDifference::path)
                .containsExactly("metadata.labels", "spec.hard[\"limits.cpu\"]");
        assertThat(diff.get(1).describe()).isEqualTo("\"13\" -> \"46\" (live -> desired)");
    }

    @Test
    void listsMustMatchElementByElement() throws Exception {
        JsonNode desired = json("{'rules': [{'ports': [443]}, {'ports': [80]}]}");
        assertThat(FieldDiff.between(desired, json("{'rules': [{'ports': [443], 'x': 1}, {'ports': [8080]}]}")))
                .extracting(FieldDifference::path).containsExactly("rules[1].ports[0]");
        assertThat(FieldDiff.between(desired, json("{'rules': [{'ports': [443]}]}")))
                .extracting(FieldDifference::path).containsExactly("rules");
    }

    @Test
    void multiLineTextNamesEachDifferingLine() throws Exception {
        FieldDifference d = FieldDiff.between(json("{'data': {'config.toml': 'concurrent = 20\\ncheck_interval = 3"
                + "\\nlimit = 20'}}"), json("{'data': {'config.toml': 'concurrent = 5\\ncheck_interval = 3"
                + "\\nlimit = 5'}}")).get(0);
        assertThat(d.path()).isEqualTo("data[\"config.toml\"]");
        assertThat(d.describe()).isEqualTo("line 1: \"concurrent = 5\" -> \"concurrent = 20\"; line 3: "
                + "\"limit = 5\" -> \"limit = 20\" (live -> desired)");
    }
}
