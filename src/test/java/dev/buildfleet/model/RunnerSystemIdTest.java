package dev.buildfleet.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RunnerSystemIdTest {
    @Test
    void oneStableIdPerTenantInTheFormGitLabRunnerAccepts() {
        assertThat(RunnerSystemId.of("java")).matches("^[sr]_[0-9a-zA-Z]{12}$")
                .isEqualTo(RunnerSystemId.of("java"))
                .isNotEqualTo(RunnerSystemId.of("dotnet"));
    }
}
