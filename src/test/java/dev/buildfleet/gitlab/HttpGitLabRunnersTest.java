package dev.buildfleet.gitlab;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The JDK-HttpClient GitLab client against {@link FakeGitLab}: the lifecycle calls and how failures are named. */
class HttpGitLabRunnersTest {
    static final String PAT = "glpat-secret-access-token";
    final FakeGitLab gitlab = new FakeGitLab().accessToken(PAT, "create_runner", "manage_runner", "read_api")
            .accessToken("glpat-create-only", "create_runner");
    final GitLabRunners.RunnerSettings settings = new GitLabRunners.RunnerSettings("group_type", 42L, null,
            "buildfleet java 1234", List.of("kaniko", "java"), false, "ref_protected", true, false, 3600);

    HttpGitLabRunnersTest() throws Exception {
    }

    @AfterEach
    void close() {
        gitlab.close();
    }

    GitLabRunners client(String token, Duration timeout) {
        return new HttpGitLabRunners(new HttpGitLabRunners.Connection(gitlab.url(), null, null, timeout), token);
    }

    @Test
    void createVerifyFindResetUpdateDelete() {
        GitLabRunners c = client(PAT, Duration.ofSeconds(5));
        GitLabRunners.RunnerToken created = c.create(settings);
        assertThat(created.token()).startsWith("glrt-");
        assertThat(created.expiresAt()).isNotNull();
        assertThat(created.toString()).doesNotContain(created.token());
        FakeGitLab.Runner r = gitlab.runners().get(created.id());
        assertThat(r.groupId).isEqualTo(42L);
        assertThat(r.tags).containsExactly("kaniko", "java");
        assertThat(r.accessLevel).isEqualTo("ref_protected");

        assertThat(c.verify(created.token())).isEqualTo(created);
        assertThat(c.get(created.id()).orElseThrow().tags()).containsExactly("kaniko", "java");
        assertThat(c.find(settings, settings.description()::equals)).contains(created.id());

        GitLabRunners.RunnerToken reset = c.resetToken(created.id());
        assertThat(reset.id()).isEqualTo(created.id());
        assertThat(reset.token()).isNotEqualTo(created.token());
        GitLabFault old = catchThrowableOfType(GitLabFault.class, () -> c.verify(created.token()));
        assertThat(old.reason()).isEqualTo(GitLabFault.Reason.RunnerOrphaned);
        c.verify(reset.token());

        c.update(created.id(), new GitLabRunners.RunnerSettings("group_type", 42L, null, settings.description(),
                List.of("kaniko"), true, "not_protected", true, true, 7200));
        assertThat(r.tags).containsExactly("kaniko");
        assertThat(r.runUntagged).isTrue();
        assertThat(r.paused).isTrue();

        c.delete(created.id());
        assertThat(gitlab.runners()).isEmpty();
        c.delete(created.id()); // already gone: fine
        assertThat(c.get(created.id())).isEmpty();
        assertThat(c.find(settings, settings.description()::equals)).isEmpty();
    }

    @Test
    void faultsAreNamedAndNeverCarryATokenOrTheAccessToken() {
        GitLabRunners c = client(PAT, Duration.ofSeconds(5));
        GitLabRunners.RunnerToken created = c.create(settings);

        GitLabFault denied = catchThrowableOfType(GitLabFault.class, () -> client("glpat-wrong", Duration.ofSeconds(5))
                .create(settings));
        assertThat(denied.reason()).isEqualTo(GitLabFault.Reason.GitLabAccessDenied);
        assertThat(denied.getMessage()).contains("unknown, expired or revoked");

        GitLabFault scope = catchThrowableOfType(GitLabFault.class, () -> client("glpat-create-only",
                Duration.ofSeconds(5)).delete(created.id()));
        assertThat(scope.reason()).isEqualTo(GitLabFault.Reason.GitLabAccessDenied);
        assertThat(scope.getMessage()).contains("manage_runner");

        gitlab.failWith(410);
        assertThat(catchThrowableOfType(GitLabFault.class, () -> c.create(settings)).reason())
                .isEqualTo(GitLabFault.Reason.LegacyRegistrationRemoved);
        gitlab.failWith(422);
        assertThat(catchThrowableOfType(GitLabFault.class, () -> c.verify(created.token())).reason())
                .isEqualTo(GitLabFault.Reason.RunnerOrphaned);
        gitlab.failWith(500);
        GitLabFault failing = catchThrowableOfType(GitLabFault.class, () -> c.resetToken(created.id()));
        assertThat(failing.reason()).isEqualTo(GitLabFault.Reason.GitLabUnreachable);
        assertThat(failing.getMessage()).contains("HTTP 500", "server error").doesNotContain("retr");
        gitlab.failWith(null);

        gitlab.down(true);
        GitLabFault down = catchThrowableOfType(GitLabFault.class, () -> c.verify(created.token()));
        assertThat(down.reason()).isEqualTo(GitLabFault.Reason.GitLabUnreachable);
        gitlab.down(false);

        gitlab.slow(Duration.ofSeconds(2));
        GitLabFault slow = catchThrowableOfType(GitLabFault.class, () -> client(PAT, Duration.ofMillis(300))
                .resetToken(created.id()));
        assertThat(slow.reason()).isEqualTo(GitLabFault.Reason.GitLabUnreachable);
        gitlab.slow(Duration.ZERO);

        for (GitLabFault f : List.of(denied, scope, down, slow)) {
            assertThat(f.toString()).doesNotContain(PAT).doesNotContain(created.token()).doesNotContain("glpat-");
        }
    }

    @Test
    void eachCallTakesTheScopesGitLabGrantsIt() {
        gitlab.accessToken("glpat-manage", "manage_runner").accessToken("glpat-read", "read_api")
                .accessToken("glpat-api", "api");
        GitLabRunners create = client("glpat-create-only", Duration.ofSeconds(5));
        GitLabRunners manage = client("glpat-manage", Duration.ofSeconds(5));
        GitLabRunners read = client("glpat-read", Duration.ofSeconds(5));
        GitLabRunners api = client("glpat-api", Duration.ofSeconds(5));
        long id = create.create(settings).id();

        // manage_runner reaches /runners/:id, reading included, but not the runner lists.
        assertThat(manage.get(id)).isPresent();
        manage.update(id, settings);
        manage.resetToken(id);
        assertThat(deniedMessage(() -> manage.find(settings, settings.description()::equals)))
                .contains("could not list runners", "lacks the scope this call needs: read_api or api");
        assertThat(deniedMessage(() -> manage.create(settings))).contains("create_runner or api");

        // read_api reads, lists, and changes nothing.
        assertThat(read.find(settings, settings.description()::equals)).contains(id);
        assertThat(read.get(id)).isPresent();
        assertThat(deniedMessage(() -> read.update(id, settings))).contains("manage_runner or api");
        assertThat(deniedMessage(() -> read.resetToken(id))).contains("manage_runner or api");
        assertThat(deniedMessage(() -> read.delete(id))).contains("manage_runner or api");

        // create_runner creates only.
        assertThat(deniedMessage(() -> create.get(id))).contains("manage_runner or read_api or api");

        // api covers every call.
        assertThat(api.find(settings, settings.description()::equals)).contains(id);
        api.update(id, settings);
        api.resetToken(id);
        api.delete(id);
        assertThat(api.create(settings).token()).startsWith("glrt-");
    }

    @Test
    void anUnknownAccessTokenIsSaidToBeUnknownExpiredOrRevokedNotShortOfAScope() {
        String message = deniedMessage(() -> client("glpat-revoked", Duration.ofSeconds(5)).find(settings, settings.description()::equals));
        assertThat(message).contains("HTTP 401", "unknown, expired or revoked")
                .doesNotContain("manage_runner").doesNotContain("read_api").doesNotContain("scope")
                .doesNotContain("glpat-");
    }

    private static String deniedMessage(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        GitLabFault fault = catchThrowableOfType(GitLabFault.class, call);
        assertThat(fault).as("a GitLabFault").isNotNull();
        assertThat(fault.reason()).isEqualTo(GitLabFault.Reason.GitLabAccessDenied);
        return fault.getMessage();
    }

    @Test
    void aCaBundleWithoutCertificatesIsACleanError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path pem = java.nio.file.Files.writeString(tmp.resolve("ca.pem"), "not a certificate\n");
        assertThatThrownBy(() -> new HttpGitLabRunners(new HttpGitLabRunners.Connection(gitlab.url(), pem, null,
                Duration.ofSeconds(1)), PAT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ca.pem");
    }

    @Test
    void aMissingAccessTokenIsRefusedUpFront() {
        assertThatThrownBy(() -> client(" ", Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
