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
                        .add("IfNotPresent"), "tenants[0].spec.imagePolicy.pullPolicy[0]: 'IfNotPresent' is not one "
                        + "of always, if-not-present, never"),
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

    static ObjectNode alias(ObjectNode root, int tenant, String ip, String... hostnames) {
        ObjectNode alias = (tenant < 0 ? ((ObjectNode) root.get("config")).withArray("hostAliases")
                : tenantSpec(root, tenant).withArray("hostAliases")).addObject().put("ip", ip);
        for (String hostname : hostnames) {
            alias.withArray("hostnames").add(hostname);
        }
        return alias;
    }

    static Stream<Arguments> badNames() {
        return Stream.of(
                bad("a host name for an IP", root -> alias(root, 0, "gitlab.example.com", "gitlab.example.com"),
                        "tenants[0].spec.hostAliases[0].ip: 'gitlab.example.com' is not an IP address"),
                bad("an IPv4 address with leading zeros", root -> alias(root, 0, "10.010.0.1", "gitlab"),
                        "tenants[0].spec.hostAliases[0].ip: '10.010.0.1' is not an IP address"),
                bad("an IPv4 part above 255", root -> alias(root, -1, "10.256.0.1", "gitlab"),
                        "config.hostAliases[0].ip: '10.256.0.1' is not an IP address"),
                bad("a broken IPv6 address", root -> alias(root, 0, "fd00::1::2", "gitlab"),
                        "tenants[0].spec.hostAliases[0].ip: 'fd00::1::2' is not an IP address"),
                bad("the unspecified address", root -> alias(root, 0, "0.0.0.0", "gitlab"),
                        "tenants[0].spec.hostAliases[0].ip: '0.0.0.0' is the unspecified address"),
                bad("no IP", root -> tenantSpec(root, 0).putArray("hostAliases").addObject().putArray("hostnames")
                        .add("gitlab"), "tenants[0].spec.hostAliases[0].ip: missing"),
                bad("no host names", root -> alias(root, 0, "10.10.0.10"),
                        "tenants[0].spec.hostAliases[0].hostnames: empty; list the names that resolve to 10.10.0.10"),
                bad("a wildcard host name", root -> alias(root, 0, "10.10.0.10", "*.example.com"),
                        "tenants[0].spec.hostAliases[0].hostnames[0]: '*.example.com' is a wildcard"),
                bad("a host name with capitals", root -> alias(root, 0, "10.10.0.10", "GitLab.example.com"),
                        "tenants[0].spec.hostAliases[0].hostnames[0]: 'GitLab.example.com' is not a DNS name"),
                bad("a host name with a trailing dot", root -> alias(root, 0, "10.10.0.10", "gitlab.example.com."),
                        "'gitlab.example.com.' is not a DNS name"),
                bad("a host name with an underscore", root -> alias(root, 0, "10.10.0.10", "git_lab"),
                        "'git_lab' is not a DNS name"),
                bad("a label over 63 characters", root -> alias(root, 0, "10.10.0.10", "a".repeat(64) + ".example"),
                        "is not a DNS name"),
                bad("one name on two IPs in one list", root -> {
                    alias(root, 0, "10.20.0.7", "harbor");
                    alias(root, 0, "10.20.0.8", "harbor");
                }, "tenants[0].spec.hostAliases[1].hostnames[0]: 'harbor' is already mapped by "
                        + "tenants[0].spec.hostAliases[0]"),
                bad("a tenant pointing the platform's GitLab name elsewhere", root -> {
                    alias(root, -1, "10.10.0.10", "gitlab.example.com");
                    alias(root, 1, "10.99.0.1", "gitlab.example.com");
                }, "tenants[1].spec.hostAliases[0].hostnames[0]: 'gitlab.example.com' is mapped to 10.10.0.10 by "
                        + "config.hostAliases[0]; a tenant cannot point a platform name elsewhere"),
                bad("an unknown host alias field", root -> alias(root, 0, "10.10.0.10", "gitlab").put("hostname", "x"),
                        "tenants[0].spec.hostAliases[0].hostname: unknown field"),
                bad("a wildcard search domain", root -> tenantSpec(root, 0).putObject("dnsConfig")
                        .putArray("searches").add("*.example.com"), "tenants[0].spec.dnsConfig.searches[0]: "
                        + "'*.example.com' is a wildcard"),
                bad("a search domain listed twice", root -> tenantSpec(root, 0).putObject("dnsConfig")
                        .putArray("searches").add("example.com").add("example.com"),
                        "tenants[0].spec.dnsConfig.searches[1]: 'example.com' is listed twice"),
                bad("nameservers, which the NetworkPolicies would block", root -> tenantSpec(root, 0)
                        .putObject("dnsConfig").put("nameservers", "10.0.0.53"),
                        "tenants[0].spec.dnsConfig.nameservers: unknown field"),
                bad("an option without a name", root -> tenantSpec(root, 0).putObject("dnsConfig")
                        .putArray("options").addObject().put("value", "2"),
                        "tenants[0].spec.dnsConfig.options[0].name: 'null' is not a resolv.conf option name"),
                bad("an option value with a space", root -> tenantSpec(root, 0).putObject("dnsConfig")
                        .putArray("options").addObject().put("name", "ndots").put("value", "2 rotate"),
                        "tenants[0].spec.dnsConfig.options[0].value: '2 rotate' is not an option value"),
                bad("an option listed twice", root -> {
                    var options = ((ObjectNode) root.get("config")).putObject("dnsConfig").putArray("options");
                    options.addObject().put("name", "ndots").put("value", "2");
                    options.addObject().put("name", "ndots").put("value", "3");
                }, "config.dnsConfig.options[1].name: 'ndots' is listed twice"),
                bad("more search domains than a pod takes", root -> {
                    var fleet = ((ObjectNode) root.get("config")).putObject("dnsConfig").putArray("searches");
                    var tenant = tenantSpec(root, 0).putObject("dnsConfig").putArray("searches");
                    for (int i = 0; i < 20; i++) {
                        fleet.add("fleet" + i + ".example.com");
                        tenant.add("tenant" + i + ".example.com");
                    }
                }, "tenants[0].spec.dnsConfig.searches: 40 search domains of"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badNames")
    void badHostAliasOrDnsSettingIsRefusedNamingItsField(String name, Consumer<ObjectNode> change,
                                                         String expected) {
        assertThat(problems(change)).anySatisfy(problem -> assertThat(problem).contains(expected));
    }

    @Test
    void internalNamesAndResolverSettingsAreAccepted() {
        assertThat(problems(root -> {
            alias(root, -1, "10.10.0.10", "gitlab.example.com", "registry.gitlab.example.com");
            alias(root, -1, "fd00:10::5", "rgw.example.com");
            alias(root, 0, "10.10.0.10", "gitlab.example.com", "gitlab-ssh.example.com");
            alias(root, 1, "10.20.0.7", "harbor", "harbor.dotnet.example.com");
            var dns = tenantSpec(root, 0).putObject("dnsConfig");
            dns.putArray("searches").add("internal.example.com");
            dns.putArray("options").addObject().put("name", "single-request-reopen");
        })).isEmpty();
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
