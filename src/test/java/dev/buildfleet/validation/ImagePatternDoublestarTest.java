package dev.buildfleet.validation;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image patterns against the matcher gitlab-runner itself uses for allowed_images and allowed_services (doublestar
 * v4.10.0, the version its go.mod pins), run by test-infra/doublestar: what the validator accepts is exactly what
 * doublestar can match, and the README's examples match what it says they match.
 */
class ImagePatternDoublestarTest {
    record Case(String pattern, String image, boolean matches) {
    }

    static final List<Case> CASES = List.of(
            new Case("registry.example.com/java/**", "registry.example.com/java/tools/jdk:21", true),
            new Case("registry.example.com/java/**", "registry.example.com/java/jdk:21", true),
            new Case("registry.example.com/java/**", "registry.example.com/javax/jdk:21", false),
            new Case("registry.example.com/java/*", "registry.example.com/java/jdk:21", true),
            new Case("registry.example.com/java/*", "registry.example.com/java/tools/jdk:21", false),
            new Case("node:{20,22}-alpine", "node:22-alpine", true),
            new Case("node:{20,22}-alpine", "node:18-alpine", false),
            new Case("eclipse-temurin:2[15]-jdk", "eclipse-temurin:25-jdk", true),
            new Case("postgres:16.?", "postgres:16.4", true),
            // Names are compared as written: Docker Hub's short form is another string than its full one.
            new Case("docker.io/library/alpine:*", "alpine:3.22", false),
            new Case("ghcr.io/osscontainertools/kaniko:v1.26.5-debug",
                    "ghcr.io/osscontainertools/kaniko:v1.26.5-debug", true));

    static final List<String> SYNTAX = List.of("node:[]", "node:[!]", "node:[abc", "node:[a\\]", "node:{20,22",
            "node:20}", "node:20\\", "node:\\*", "a/[^x]/b", "a/{b,{c,d}}", "a/[]]", "**", "x:[\\]]");

    @Test
    void validatorAndReadmeAgreeWithGitLabRunnersMatcher() throws Exception {
        StringBuilder input = new StringBuilder();
        CASES.forEach(c -> input.append(c.pattern()).append('\t').append(c.image()).append('\n'));
        SYNTAX.forEach(p -> input.append(p).append("\tx\n"));
        List<String> answers = doublestar(input.toString());
        assertThat(answers).hasSize(CASES.size() + SYNTAX.size());
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            assertThat(answers.get(i)).as(c.toString()).isEqualTo("true\t" + c.matches());
            assertThat(ImagePolicyRules.pattern(c.pattern())).as(c.pattern()).isNull();
        }
        for (int i = 0; i < SYNTAX.size(); i++) {
            String pattern = SYNTAX.get(i);
            boolean valid = answers.get(CASES.size() + i).startsWith("true");
            assertThat(ImagePolicyRules.pattern(pattern) == null).as(pattern).isEqualTo(valid);
        }
    }

    private static List<String> doublestar(String input) throws IOException, InterruptedException {
        Path log = Files.createTempFile("doublestar", ".log");
        ProcessBuilder pb = new ProcessBuilder("go", "run", ".").directory(Path.of("test-infra/doublestar").toFile())
                .redirectError(log.toFile());
        pb.environment().put("GOFLAGS", "-mod=mod");
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("go run test-infra/doublestar: " + Files.readString(log)).isZero();
        return out.lines().toList();
    }
}
