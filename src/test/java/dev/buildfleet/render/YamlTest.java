package dev.buildfleet.render;

import dev.buildfleet.Fixtures;
import dev.buildfleet.model.RunnerDeployment;
import dev.buildfleet.model.RunnerConfigToml;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class YamlTest {
    @Test
    void stringsAYaml11ReaderWouldTakeForNumbersOrBooleansAreQuoted() {
        for (String value : List.of("15:3", "1:20:30", "190:20:30.15", "1_000", "0777", "0b101", "0x1F", "y", "N",
                "yes", "Off", "~", "3.", ".5", "12")) {
            assertThat(Yaml.write(Map.of("v", value))).as(value).isIn("v: \"" + value + "\"\n", "v: '" + value + "'\n");
        }
        for (String value : List.of("gitlab-runner", "run", "--rewrite", "15:3x", "a:b", "http://x:80", "yesterday",
                "1.2.3")) {
            assertThat(Yaml.write(Map.of("v", value))).as(value).isEqualTo("v: " + value + "\n");
        }
    }

    @Test
    void theRunnersSignalRewriteIsQuotedInTheRenderedDeployment() {
        var tenant = Fixtures.resolved("java");
        String yaml = Yaml.write(RunnerDeployment.build(tenant, RunnerConfigToml.build(tenant)));
        assertThat(yaml).contains("- \"15:3\"").doesNotContain("- 15:3\n");
        assertThat(Yaml.read(yaml).at("/spec/template/spec/containers/0/command/2").asText()).isEqualTo("15:3");
    }
}
