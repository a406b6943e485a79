package dev.buildfleet.validation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.buildfleet.Fixtures;
import dev.buildfleet.config.FleetLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.buildfleet.Fixtures.tenantSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** What job and runner pods are given (image rules, pull Secrets, host aliases, DNS): bad input names its field. */
class PodSettingsValidatorTest {
    static List<String> problems(Consumer<ObjectNode> change) {
        FleetLoader.Loaded loaded = FleetLoader.parse(Fixtures.exampleWith(change));
        List<Problem> problems = new ArrayList<>(loaded.problems());
        problems.addAll(FleetValidator.validate(loaded.fleet()));
        return problems.stream().map(Problem::toString).toList();
    }

    static ObjectNode tenantImages(ObjectNode root) {
        return tenantSpec(root, 0).putObject("imagePolicy");
    }

    static ObjectNode fleetImages(ObjectNode root) {
        return ((ObjectNode) root.get("config")).putObject("defaults").putObject("imagePolicy");
    }

    static Stream<Arguments> badImagePolicies() {
        return Stream.of(
                bad("an empty pattern", root -> tenantImages(root).putArray("allowedImages").add(""),
                        "tenants[0].spec.imagePolicy.allowedImages[0]: is empty"),
                bad("a space in a pattern", root -> tenantImages(root).putArray("allowedImages")
                        .add("registry.example.com/java/* "), "tenants[0].spec.imagePolicy.allowedImages[0]: "
                        + "'registry.example.com/java/* ' holds a character"),
                bad("a variable, which gitlab-runner never expands in the list", root -> tenantImages(root)
                        .putArray("allowedServices").add("$CI_REGISTRY/postgres:16"),
                        "tenants[0].spec.imagePolicy.allowedServices[0]: '$CI_REGISTRY/postgres:16' holds a character"),
                bad("an unclosed class", root -> tenantImages(root).putArray("allowedImages")
                        .add("registry.example.com/java/[abc:1"), "tenants[0].spec.imagePolicy.allowedImages[0]: "
                        + "'registry.example.com/java/[abc:1' is not a pattern gitlab-runner can match"),
                bad("an empty class", root -> tenantImages(root).putArray("allowedImages").add("node:[]"),
                        "'node:[]' is not a pattern gitlab-runner can match"),
                bad("an unclosed alternative", root -> tenantImages(root).putArray("allowedImages")
                        .add("node:{20,22"), "'node:{20,22' is not a pattern gitlab-runner can match"),
                bad("a trailing backslash", root -> tenantImages(root).putArray("allowedImages").add("node:20\\"),
                        "'node:20\\' is not a pattern gitlab-runner can match"),
                bad("a pattern listed twice", root -> tenantImages(root).putArray("allowedImages")
                        .add("node:22").add("node:22"), "tenants[0].spec.imagePolicy.allowedImages[1]: 'node:22' "
                        + "is listed twice"),
                bad("a pull policy gitlab-runner does not know", root -> tenantImages(root).putArray("pullPolicy")
                        .add("IfNotPresent"), "tenants[0].spec.imagePolicy.pullPolicy[0]: 'IfNotPresent' is not a "
                        + "valid one of always, if-not-present, never"),
                bad("an empty pull policy list", root -> tenantImages(root).putArray("pullPolicy"),
                        "tenants[0].spec.imagePolicy.pullPolicy: empty; list at least one of always"),
                bad("a pull policy outside the built-in allowed ones", root -> tenantImages(root)
                        .putArray("pullPolicy").add("never"), "tenants[0].spec.imagePolicy.pullPolicy: [never] is "
                        + "not among allowedPullPolicies [always, if-not-present]"),
                bad("a tenant's allowed pull policies that leave out the fleet's pull policy", root -> {
                    fleetImages(root).putArray("pullPolicy").add("always");
                    tenantImages(root).putArray("allowedPullPolicies").add("if-not-present");
                }, "tenants[0].spec.imagePolicy.pullPolicy: [always] is not among allowedPullPolicies "
                        + "[if-not-present]"),
                bad("a fleet default pull policy its own allowed list refuses", root -> {
                    ObjectNode fleet = fleetImages(root);
                    fleet.putArray("pullPolicy").add("never");
                    fleet.putArray("allowedPullPolicies").add("always");
                }, "config.defaults.imagePolicy.pullPolicy: [never] is not among allowedPullPolicies [always]"),
                bad("a bad fleet default pattern", root -> fleetImages(root).putArray("allowedServices")
                        .add("postgres:{16"), "config.defaults.imagePolicy.allowedServices[0]: 'postgres:{16' is "
                        + "not a pattern"),
                bad("an unknown image policy field", root -> tenantImages(root).put("allowedImage", "node:22"),
                        "tenants[0].spec.imagePolicy.allowedImage: unknown field"));
    }

    static Stream<Arguments> badPullSecrets() {
        return Stream.of(
                bad("a pull Secret name with capitals", root -> tenantSpec(root, 1).putArray("imagePullSecrets")
                        .add("Harbor_Pull"), "tenants[1].spec.imagePullSecrets[0]: 'Harbor_Pull' is not a Secret name"),
                bad("a pull Secret listed twice", root -> tenantSpec(root, 1).putArray("imagePullSecrets")
                        .add("harbor").add("harbor"), "tenants[1].spec.imagePullSecrets[1]: 'harbor' is listed twice"),
                bad("an empty pull Secret entry", root -> tenantSpec(root, 1).putArray("imagePullSecrets").addNull(),
                        "tenants[1].spec.imagePullSecrets[0]: 'null' is not a Secret name"),
                bad("a bad fleet default pull Secret", root -> ((ObjectNode) root.get("config")).putObject("defaults")
                        .putArray("imagePullSecrets").add("mirror pull"), "config.defaults.imagePullSecrets[0]: "
                        + "'mirror pull' is not a Secret name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPullSecrets")
    void badPullSecretIsRefusedNamingItsField(String name, Consumer<ObjectNode> change, String expected) {
        assertThat(problems(change)).anySatisfy(problem -> assertThat(problem).contains(expected));
    }

    static Arguments bad(String name, Consumer<ObjectNode> change, String expected) {
        return arguments(name, change, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badImagePolicies")
    void badImagePolicyIsRefusedNamingItsField(String name, Consumer<ObjectNode> change, String expected) {
        assertThat(problems(change)).anySatisfy(problem -> assertThat(problem).contains(expected));
    }

    @Test
    void globsAndAPullPolicyTheTenantAllowsAreAccepted() {
        assertThat(problems(root -> {
            ObjectNode policy = tenantImages(root);
            policy.putArray("allowedImages").add("registry.example.com:5000/java/**").add("node:{20,22}-alpine")
                    .add("eclipse-temurin:2[15]-jdk").add("docker.io/library/*:*")
                    .add("ghcr.io/osscontainertools/kaniko@sha256:*");
            policy.putArray("allowedServices").add("postgres:16.?");
            policy.putArray("pullPolicy").add("never");
            policy.putArray("allowedPullPolicies").add("never").add("if-not-present");
        })).isEmpty();
    }
}
