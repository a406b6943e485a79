package dev.buildfleet.cli;

import dev.buildfleet.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * How the fleet file's YAML is read: one document, each key once, integers only where an integer is meant,
 * anchors and merge keys as YAML 1.1 users write them, within caps. Each refusal names the field and its line,
 * `validate` and `render` exit 1 and `render` writes nothing.
 */
class FleetYamlTest {
    @TempDir
    Path tmp;

    /** The example fleet with the first occurrence of {@code from} replaced. */
    private static String example(String from, String to) {
        String text = Fixtures.exampleText();
        assertThat(text).contains(from);
        return text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                arguments("a second document", Fixtures.exampleText() + "---\n" + Fixtures.exampleText(),
                        "line 73: a second YAML document starts here"),
                arguments("a key set twice", example("      concurrency: 20\n",
                        "      concurrency: 20\n      concurrency: 200\n"),
                        "line 34: tenants[0].spec.concurrency: set twice in one mapping (first at line 33)"),
                arguments("a key set twice in a flow mapping", example("""
                                - name: harbor
                                  cidr: 10.20.0.0/16
                                  ports: [443]
                        """, "        - {name: harbor, cidr: 10.20.0.0/16, ports: [443], name: harbour}\n"),
                        "line 40: tenants[0].spec.egress[0].name: set twice in one mapping (first at line 40, column 12)"),
                arguments("a fraction where a whole number is meant", example("concurrency: 20", "concurrency: 20.7"),
                        "line 33: tenants[0].spec.concurrency: '20.7' is not a whole number"),
                arguments("a whole number written as text", example("concurrency: 20", "concurrency: \"20\""),
                        "line 33: tenants[0].spec.concurrency: expected a whole number, found the text '20'"),
                arguments("a number too large for its field", example("groupId: 12", "groupId: 99999999999999999999"),
                        "line 31: tenants[0].spec.gitlab.runner.create.groupId: the number 99999999999999999999 is "
                                + "out of range"),
                arguments("a number where text is meant", example("tags: [java, kaniko]", "tags: [java, 21]"),
                        "line 32: tenants[0].spec.gitlab.runner.create.tags[1]: expected text, found 21: quote it "
                                + "(\"21\")"),
                arguments("text where true or false is meant", example("groupId: 12", "groupId: 12\n"
                        + "            runUntagged: \"true\""), "line 32: tenants[0].spec.gitlab.runner.create"
                        + ".runUntagged: expected true or false, found the text 'true'"),
                arguments("an enum given by number", example("runnerType: group_type", "runnerType: 1"),
                        "line 30: tenants[0].spec.gitlab.runner.create.runnerType: '1' is not one of instance_type"),
                arguments("an unknown key holding a list", example("tags: [java, kaniko]",
                        "tags: [java, kaniko]\n            tagz: [a, b]"),
                        "line 33: tenants[0].spec.gitlab.runner.create.tagz: unknown field"),
                arguments("an unknown key holding a mapping", example("      concurrency: 20\n",
                        "      concurrency: 20\n      nodez: {selector: {a: b}}\n"),
                        "line 34: tenants[0].spec.nodez: unknown field"),
                arguments("a quota beyond any bucket", example("maxSize: 200Gi", "maxSize: 9000000000000000000Ei"),
                        "line 37: tenants[0].spec.cache.quota.maxSize: '9000000000000000000Ei' is more than 1Ei"),
                arguments("an exponent no quantity needs", example("maxSize: 200Gi", "maxSize: 1e999999999"),
                        "line 37: tenants[0].spec.cache.quota.maxSize: '1e999999999' is not a quantity"),
                arguments("a job bigger than any node", example("request: 3Gi", "request: 2Ei"),
                        "tenants[1].spec.jobResources.memory.request: '2Ei' is more than 1Pi"),
                arguments("a CPU amount beyond any cluster", example("      concurrency: 20\n",
                        "      concurrency: 20\n      jobResources: {cpu: {limit: 1e20}}\n"),
                        "line 34: tenants[0].spec.jobResources.cpu.limit: '1.0E20' is more than 1000000"),
                arguments("a TTL longer than Go reads", example("ttl: 336h", "ttl: 99999999999999999999h"),
                        "line 35: tenants[0].spec.cache.ttl: '99999999999999999999h' is longer than 2562047h47m16s"),
                arguments("an RGW endpoint with an empty path", example("endpoint: https://rgw.example.com",
                        "endpoint: https://rgw.example.com//"), "line 12: config.ceph.endpoint: "
                        + "'https://rgw.example.com//' has the path '//'; give the RGW endpoint without a path"),
                arguments("an alias of the list that holds it", example("tags: [java, kaniko]",
                        "tags: &tags [java, *tags]"), "line 32: tenants[0].spec.gitlab.runner.create.tags[1]: "
                        + "an alias refers to a list or mapping that contains it"),
                arguments("a tag buildfleet does not read", example("concurrency: 20", "concurrency: !big 20"),
                        "line 33: tenants[0].spec.concurrency: the YAML tag !big is not one buildfleet reads"),
                arguments("a merge of something that is no mapping", example("      concurrency: 20\n",
                        "      concurrency: 20\n      nodes: {<<: [a, b]}\n"), "line 34: tenants[0].spec.nodes: << "
                        + "merges a mapping or a list of mappings"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedWithItsFieldAndLineAndNothingIsWritten(String name, String yaml, String expected) throws IOException {
        Path file = Files.writeString(tmp.resolve("fleet.yaml"), yaml);
        Path out = tmp.resolve("out");
        Cli validate = Cli.run("validate", "-f", file.toString());
        assertThat(validate.exitCode()).as(validate.err()).isEqualTo(1);
        assertThat(validate.err()).contains(expected);

        Cli render = Cli.run("render", "-f", file.toString(), "-o", out.toString());
        assertThat(render.exitCode()).isEqualTo(1);
        assertThat(out).doesNotExist();
    }

    @Test
    void anchorsAliasesAndMergeKeysRenderWhatTheExpandedFileRenders() throws IOException {
        String expanded = example("""
                      cache:
                        ttl: 168h
                        quota:
                          maxSize: 100Gi
                """, """
                      cache:
                        ttl: 168h
                        quota:
                          maxSize: 200Gi
                          maxObjects: 2000000
                """);
        String anchored = expanded
                .replaceFirst("      cache:\n        ttl: 336h\n        quota:", "      cache:\n        ttl: 336h\n"
                        + "        quota: &quota")
                .replaceFirst("      cache:\n        ttl: 168h\n        quota:\n          maxSize: 200Gi\n"
                        + "          maxObjects: 2000000\n", "      cache: {<<: {quota: *quota}, ttl: 168h}\n")
                .replaceFirst("          cidr: 10.20.0.0/16", "          cidr: &harbor 10.20.0.0/16")
                .replaceFirst("(?s)(- name: nuget-mirror.*?)          cidr: 10.20.0.0/16", "$1          cidr: *harbor")
                .replace("        - name: harbor\n          cidr: 10.20.0.0/16\n          ports: [443]\n",
                        "        - {<<: &harborRule {name: harbor, ports: [443]}, cidr: *harbor}\n");
        assertThat(anchored).contains("<<: {quota: *quota}", "*harbor", "&harborRule");

        Path plain = tmp.resolve("plain");
        Path withAnchors = tmp.resolve("anchors");
        assertThat(render(expanded, "expanded.yaml", plain).exitCode()).isZero();
        Cli render = render(anchored, "anchored.yaml", withAnchors);
        assertThat(render.exitCode()).as(render.err()).isZero();
        try (Stream<Path> files = Files.walk(plain)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(withAnchors.resolve(plain.relativize(file))).hasSameTextualContentAs(file);
            }
        }
    }

    @Test
    void aliasesThatWouldExpandIntoMillionsOfValuesAreRefusedQuickly() throws IOException {
        StringBuilder laughs = new StringBuilder("    x0: &a0 [" + "lol, ".repeat(19) + "lol]\n");
        for (int i = 1; i < 9; i++) {
            int previous = i - 1;
            laughs.append("    x").append(i).append(": &a").append(i).append(" [")
                    .append(IntStream.range(0, 10).mapToObj(n -> "*a" + previous).collect(Collectors.joining(", ")))
                    .append("]\n");
        }
        String yaml = example("  monitoring:", "  laughs:\n" + laughs + "  monitoring:");
        Path file = Files.writeString(tmp.resolve("fleet.yaml"), yaml);
        Cli validate = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> Cli.run("validate", "-f", file.toString()));
        assertThat(validate.exitCode()).isEqualTo(1);
        assertThat(validate.err()).contains("aliases and merge keys expand the document to more than 200000 copied "
                + "values");
    }

    @Test
    void theOperatorsConfigNamesTheLineOfEachProblem() throws IOException {
        Path config = Files.writeString(tmp.resolve("fleet-config.yaml"), """
                gitlab:
                  url: https://gitlab.example.com
                  cidrs: [10.10.0.10/32]
                  cidrs: [10.10.0.11/32]
                kubernetesApi: {cidrs: [10.96.0.1/32]}
                ceph: {endpoint: "https://rgw.example.com//", cidrs: [10.10.1.0/24]}
                """);
        Cli cli = Cli.run("operator", "--config", config.toString());
        assertThat(cli.exitCode()).isEqualTo(1);
        assertThat(cli.err()).contains("line 4: gitlab.cidrs: set twice in one mapping (first at line 3)",
                "line 6: ceph.endpoint: 'https://rgw.example.com//' has the path '//'");
    }

    @Test
    void semanticProblemsNameTheirLineToo() throws IOException {
        Path file = Files.writeString(tmp.resolve("fleet.yaml"), example("concurrency: 20", "concurrency: 500"));
        Cli validate = Cli.run("validate", "-f", file.toString());
        assertThat(validate.exitCode()).isEqualTo(1);
        assertThat(validate.err()).contains("line 33: tenants[0].spec.concurrency: 500 exceeds the maximum 200");
    }

    private Cli render(String yaml, String name, Path out) throws IOException {
        return Cli.run("render", "-f", Files.writeString(tmp.resolve(name), yaml).toString(), "-o", out.toString());
    }
}
