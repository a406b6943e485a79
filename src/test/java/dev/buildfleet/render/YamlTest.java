package dev.buildfleet.render;

import dev.buildfleet.Fixtures;
import dev.buildfleet.model.RunnerDeployment;
import dev.buildfleet.model.RunnerConfigToml;
import org.junit.jupiter.api.Test;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.model.TenantObjects;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.validation.FleetValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class YamlTest {
    @Test
    void stringsAYaml11ReaderWouldTakeForNumbersOrBooleansAreQuoted() {
        for (String value : List.of("15:3", "1:20:30", "190:20:30.15", "1_000", "0777", "0b101", "0x1F", "y", "N",
                "yes", "Off", "~", "3.", ".5", "12", "+1", "-12", "On", "TRUE", "False", "null", "NULL", ".inf", "-.Inf",
                ".NaN")) {
            assertThat(Yaml.write(Map.of("v", value))).as(value).isIn("v: \"" + value + "\"\n", "v: '" + value + "'\n");
        }
        for (String value : List.of("gitlab-runner", "run", "--rewrite", "15:3x", "a:b", "http://x:80", "yesterday",
                "1.2.3", "nginx", "ttl", "off-peak", "Tuesday", "no-cache")) {
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

    /** Beans are written without a tree in between; the bytes must be what the sorted tree gives. */
    @Test
    void everyRenderedObjectIsWrittenAsItsSortedTreeWouldBe() {
        Fleet fleet = FleetValidator.loadValid(Path.of("examples/fleet.yaml"));
        int objects = 0;
        for (BuildTenant tenant : fleet.tenants()) {
            for (HasMetadata object : TenantObjects.build(TenantResolver.resolve(fleet.config(), tenant))) {
                assertThat(Yaml.write(object)).as(tenant.getMetadata().getName() + " " + object.getKind())
                        .isEqualTo(Yaml.writeTree(object));
                objects++;
            }
        }
        assertThat(objects).isGreaterThan(40);
        Map<String, Object> withNulls = new HashMap<>();
        withNulls.put("b", null);
        withNulls.put("a", List.of());
        withNulls.put("c", new TreeMap<>(Map.of("z", 1, "y", "2")));
        assertThat(Yaml.write(withNulls)).isEqualTo(Yaml.writeTree(withNulls)).isEqualTo("""
                a: []
                c:
                  "y": "2"
                  z: 1
                """);
    }
}
