package dev.buildfleet.model;

import org.junit.jupiter.api.Test;

import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** One description rule for the operator and the CLI: it finds a tenant's runner and never another tenant's. */
class RunnerDescriptionTest {
    static final String UID = "0b7e6c1a-3f2d-4c5e-9a8b-1234567890ab";

    @Test
    void bothSidesComputeTheSameDescriptionFromTheTenantNameAlone() {
        assertThat(RunnerDescription.of("java", null)).isEqualTo("buildfleet java");
        assertThat(RunnerDescription.of("java", "Java team")).isEqualTo("Java team (buildfleet java)");
    }

    @Test
    void matchesEveryDescriptionMadeForTheTenantIncludingTheOperatorsOlderOneWithTheUid() {
        Predicate<String> java = RunnerDescription.matches("java");
        assertThat(java).accepts("buildfleet java", "Java team (buildfleet java)", "renamed (buildfleet java)",
                "buildfleet java " + UID, "Java team (buildfleet java " + UID + ")");
    }

    @Test
    void neverMatchesAnotherTenantNorAHandMadeRunner() {
        assertThat(RunnerDescription.matches("a")).rejects("buildfleet a-b", "buildfleet ab", "x (buildfleet a-b)",
                "buildfleet a-b " + UID, "buildfleet a not-a-uid", "buildfleet a (buildfleet b)", "xbuildfleet a",
                "buildfleet a)", "(buildfleet a)x", "buildfleet A", "", null);
        assertThat(RunnerDescription.matches("a-b")).rejects("buildfleet a", "buildfleet a-bc", "x (buildfleet a)");
    }
}
