package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.Fixtures;
import dev.buildfleet.gitlab.FakeGitLab;
import dev.buildfleet.gitlab.GitLabRunners;
import dev.buildfleet.gitlab.HttpGitLabRunners;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantResolver;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the operator's runner step calls POST /runners/verify, which GitLab counts as contact from the runner: once
 * for a new token, after a failed pass, once a day, near the expiry; every other pass only reads the runner.
 */
class RunnerStepVerifyTest {
    static final String PAT = "glpat-step-token";
    final FakeGitLab gitlab = FakeGitLab.started().accessToken(PAT, "create_runner", "manage_runner", "read_api");
    final GitLabRunners client = new HttpGitLabRunners(new HttpGitLabRunners.Connection(gitlab.url(), null, null,
            Duration.ofSeconds(5)), PAT);
    final MovableClock clock = new MovableClock();
    final RunnerStep step = new RunnerStep(client, clock, Duration.ofDays(7), Duration.ofSeconds(30));
    final Fleet fleet = Fixtures.example();
    final BuildTenant tenant = fleet.tenants().stream().filter(t -> t.getMetadata().getName().equals("java"))
            .findFirst().orElseThrow();
    final ResolvedTenant resolved = TenantResolver.resolve(fleet.config(), tenant);

    @AfterEach
    void close() {
        gitlab.close();
    }

    @Test
    void aHealthyTenantIsVerifiedOnceThenOnlyReadUntilADayHasGone() {
        RunnerStep.Result created = pass(null, secret(null));
        assertThat(created.condition().getReason()).isEqualTo("Created");
        Secret secret = created.tokenSecret();
        FakeGitLab.Runner runner = gitlab.runners().get(created.runnerId());
        assertThat(runner.contactedAt).isNull();

        RunnerStep.Result last = pass(created, secret);
        assertThat(last.condition().getReason()).isEqualTo("Verified");
        assertThat(verifies()).isEqualTo(1);
        Instant contacted = runner.contactedAt;
        assertThat(contacted).isNotNull();

        long reads = gitlab.count("GET /api/v4/runners/" + runner.id);
        for (int i = 0; i < 12; i++) {
            clock.advance(Duration.ofMinutes(5));
            RunnerStep.Result next = pass(last, secret);
            assertThat(next.registered()).isTrue();
            assertThat(next.tokenSecret()).isNull();
            assertThat(next.condition()).isEqualTo(last.condition()); // no status write per pass
            last = next;
        }
        assertThat(verifies()).isEqualTo(1);
        assertThat(runner.contactedAt).isEqualTo(contacted);
        assertThat(gitlab.count("GET /api/v4/runners/" + runner.id)).isEqualTo(reads + 12);

        clock.advance(Duration.ofHours(24));
        pass(last, secret);
        assertThat(verifies()).isEqualTo(2);
        assertThat(gitlab.count("POST /api/v4/user/runners")).isEqualTo(1);
    }

    @Test
    void aChangedTokenANearExpiryAndAFailedPassAreVerifiedAtTheNextPass() {
        RunnerStep.Result created = pass(null, secret(null));
        RunnerStep.Result last = pass(created, created.tokenSecret());
        assertThat(verifies()).isEqualTo(1);

        Secret replaced = secret(client.resetToken(last.runnerId()).token());
        last = pass(last, replaced);
        assertThat(last.condition().getReason()).isEqualTo("Verified");
        assertThat(verifies()).isEqualTo(2);

        String nearExpiry = Instant.now(clock).plus(Duration.ofDays(6)).toString();
        last = step.run(tenant, resolved, last.runnerId(), nearExpiry, last.verification(), replaced);
        assertThat(verifies()).isEqualTo(3); // GitLab's expiry is 30 days away: no rotation
        assertThat(last.condition().getReason()).isEqualTo("Verified");

        gitlab.failWith(500);
        RunnerStep.Result failed = pass(last, replaced);
        assertThat(failed.registered()).isFalse();
        gitlab.failWith(null);
        long before = verifies();
        assertThat(pass(failed, replaced).condition().getReason()).isEqualTo("Verified");
        assertThat(verifies()).isEqualTo(before + 1);
    }

    @Test
    void aRunnerDeletedInGitLabIsFoundGoneWithoutVerifyingAndCreatedAgain() {
        RunnerStep.Result created = pass(null, secret(null));
        RunnerStep.Result last = pass(created, created.tokenSecret());
        client.delete(last.runnerId());

        RunnerStep.Result again = pass(last, created.tokenSecret());
        assertThat(again.condition().getReason()).isEqualTo("Created");
        assertThat(again.runnerId()).isNotEqualTo(last.runnerId());
        assertThat(again.events()).anyMatch(e -> e.startsWith("RunnerTokenInvalid:runner " + last.runnerId()
                + " no longer exists"));
        assertThat(verifies()).isEqualTo(1);
        assertThat(gitlab.runners()).containsOnlyKeys(again.runnerId());
    }

    private RunnerStep.Result pass(RunnerStep.Result last, Secret secret) {
        return step.run(tenant, resolved, last == null ? null : last.runnerId(),
                last == null ? null : last.tokenExpiresAt(), last == null ? null : last.verification(), secret);
    }

    private long verifies() {
        return gitlab.count("POST /api/v4/runners/verify");
    }

    /** The token Secret as the reconciler reads it; without a token when {@code token} is null. */
    private static Secret secret(String token) {
        SecretBuilder secret = new SecretBuilder().withNewMetadata().withName(Names.RUNNER_TOKEN_SECRET)
                .withNamespace("bf-java").endMetadata();
        if (token != null) {
            secret.addToData(Names.RUNNER_TOKEN_KEY, Base64.getEncoder().encodeToString(
                    token.getBytes(StandardCharsets.UTF_8)));
        }
        return secret.build();
    }
}
