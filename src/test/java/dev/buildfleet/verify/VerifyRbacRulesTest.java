package dev.buildfleet.verify;

import io.fabric8.kubernetes.api.model.rbac.AggregationRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleRefBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rule matching as the RBAC authorizer does it (k8s.io/kubernetes pkg/apis/rbac/v1 evaluation helpers).
 * {@link VerifyRealClusterTest} checks a Role on Secrets and an aggregated wildcard on {@code pods} and
 * {@code *}/exec against the real authorizer with `kubectl auth can-i`.
 */
class VerifyRbacRulesTest {

    static PolicyRule rule(List<String> groups, List<String> resources, List<String> verbs, String... names) {
        return new PolicyRuleBuilder().withApiGroups(groups).withResources(resources).withVerbs(verbs)
                .withResourceNames(names).build();
    }

    @Test
    void wildcardsMatchEveryVerbGroupAndResourceIncludingSubresources() {
        PolicyRule all = rule(List.of("*"), List.of("*"), List.of("*"));
        assertThat(RbacRules.allows(all, "get", "", "secrets", null)).isEmpty();
        assertThat(RbacRules.allows(all, "create", "", "pods", "exec")).isEmpty();
    }

    @Test
    void starSlashSubresourceMatchesThatSubresourceOfEveryResourceButPodsSlashStarMatchesNothing() {
        assertThat(RbacRules.allows(rule(List.of(""), List.of("*/exec"), List.of("create")), "create", "", "pods",
                "exec")).isEmpty();
        assertThat(RbacRules.allows(rule(List.of(""), List.of("*/exec"), List.of("create")), "create", "", "pods",
                null)).isNull();
        assertThat(RbacRules.allows(rule(List.of(""), List.of("pods/*"), List.of("create")), "create", "", "pods",
                "exec")).isNull();
        assertThat(RbacRules.allows(rule(List.of(""), List.of("pods"), List.of("create")), "create", "", "pods",
                "exec")).as("pods does not grant pods/exec").isNull();
    }

    @Test
    void theGroupMustMatch() {
        assertThat(RbacRules.allows(rule(List.of("apps"), List.of("*"), List.of("*")), "get", "", "secrets", null))
                .isNull();
    }

    @Test
    void resourceNamesLimitReadsToThoseNamesAndNeverAllowACreate() {
        PolicyRule named = rule(List.of(""), List.of("secrets", "pods", "pods/exec"), List.of("get", "create"),
                "runner-token");
        assertThat(RbacRules.allows(named, "get", "", "secrets", null)).containsExactly("runner-token");
        assertThat(RbacRules.allows(named, "create", "", "pods", null)).isNull();
        assertThat(RbacRules.allows(named, "create", "", "pods", "exec")).containsExactly("runner-token");
    }

    @Test
    void discoveryAndSelfReviewsAreHarmlessAndAWildcardIsNot() {
        assertThat(RbacRules.harmless(new PolicyRuleBuilder().withNonResourceURLs("/api", "/version")
                .withVerbs("get").build())).isTrue();
        assertThat(RbacRules.harmless(rule(List.of("authorization.k8s.io"), List.of("selfsubjectaccessreviews",
                "selfsubjectrulesreviews"), List.of("create")))).isTrue();
        assertThat(RbacRules.harmless(rule(List.of("*"), List.of("selfsubjectaccessreviews"), List.of("create"))))
                .isFalse();
        assertThat(RbacRules.harmless(rule(List.of(""), List.of("configmaps"), List.of("get")))).isFalse();
    }

    @Test
    void anAggregatedClusterRoleHoldsTheRulesOfEveryRoleItSelectsEvenBeforeTheControllerFillsThemIn() {
        ClusterRole parent = new ClusterRoleBuilder().withNewMetadata().withName("parent").endMetadata()
                .withAggregationRule(new AggregationRuleBuilder().addNewClusterRoleSelector()
                        .withMatchLabels(Map.of("aggregate-to", "parent")).endClusterRoleSelector().build())
                .build();
        ClusterRole child = new ClusterRoleBuilder().withNewMetadata().withName("child")
                .withLabels(Map.of("aggregate-to", "parent")).endMetadata()
                .withRules(rule(List.of(""), List.of("secrets"), List.of("list"))).build();
        ClusterRole other = new ClusterRoleBuilder().withNewMetadata().withName("other").endMetadata()
                .withRules(rule(List.of("*"), List.of("*"), List.of("*"))).build();
        ClusterState cluster = new ClusterState(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(parent, child, other), List.of());
        RoleResolver.ResolvedRole resolved = new RoleResolver(cluster).resolve(new RoleRefBuilder()
                .withKind("ClusterRole").withName("parent").build(), "bf-java");
        assertThat(resolved.rules()).singleElement().satisfies(r -> {
            assertThat(r.source()).isEqualTo("ClusterRole child");
            assertThat(RbacRules.allows(r.rule(), "list", "", "secrets", null)).isEmpty();
        });
        assertThat(new RoleResolver(cluster).resolve(new RoleRefBuilder().withKind("Role").withName("parent")
                .build(), "bf-java").exists()).as("a Role of that name does not exist").isFalse();
    }
}
