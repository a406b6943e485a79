package dev.buildfleet.cache;

import dev.buildfleet.cli.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `buildfleet cache prune` in-process: usage errors, and a real Distribution 2.8 (filesystem storage, htpasswd)
 * holding an old and a fresh cache entry. The same command prunes a registry on the real RGW in
 * {@link CacheBuildE2eTest}.
 */
class CachePruneCliTest {
    static final SecureRandom RANDOM = new SecureRandom();
    static final CacheCredentials CREDENTIALS = CacheCredentials.generate(RANDOM);
    static final Map<String, String> ENV = Map.of("CACHE_REGISTRY_USERNAME", CREDENTIALS.username(),
            "CACHE_REGISTRY_PASSWORD", CREDENTIALS.password());
    static DistributionProcess registry;
    static String oldDigest;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        registry = DistributionProcess.startOnFilesystem("cli-registry", CREDENTIALS, dir);
        RawRegistry raw = RawRegistry.of(registry.base(), CREDENTIALS);
        oldDigest = raw.pushImage("kaniko-cache", "old", HttpCacheRegistry.OCI_MANIFEST, "2026-01-01T00:00:00Z");
        raw.pushImage("kaniko-cache", "fresh", HttpCacheRegistry.DOCKER_MANIFEST,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    static Cli prune(Map<String, String> env, String... options) {
        String[] args = new String[options.length + 2];
        args[0] = "cache";
        args[1] = "prune";
        System.arraycopy(options, 0, args, 2, options.length);
        return Cli.runWithEnv(env, args);
    }

    @Test
    void aDryRunNamesTheExpiredEntryAndDeletesNothingThenPruneDeletesOnlyIt() {
        Cli dry = prune(ENV, "--registry", registry.base().toString(), "--ttl", "336h", "--dry-run");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("would delete kaniko-cache:old  " + oldDigest + "  created 2026-01-01T00:00:00Z",
                "dry run: 1 repository; would delete 1 tag (1 manifest) older than 336h; kept 1 younger, "
                        + "0 without a creation time");
        assertThat(new HttpCacheRegistry(registry.base(), CREDENTIALS).tags("kaniko-cache")).hasSize(2);

        Cli real = prune(ENV, "--registry", registry.base().toString(), "--ttl", "336h");
        assertThat(real.exitCode()).as(real.err()).isZero();
        assertThat(real.out()).contains("deleted kaniko-cache:old  " + oldDigest,
                "1 repository; deleted 1 tag (1 manifest) older than 336h; kept 1 younger",
                "registry garbage-collect --delete-untagged");
        assertThat(new HttpCacheRegistry(registry.base(), CREDENTIALS).tags("kaniko-cache"))
                .extracting(CachedTag::tag).containsExactly("fresh");
        assertThat(real.out() + real.err()).doesNotContain(CREDENTIALS.password());
    }

    @Test
    void aBadTtlIsAUsageErrorNamingTheOption() {
        Cli words = prune(ENV, "--registry", "http://127.0.0.1:5000", "--ttl", "two weeks");
        assertThat(words.exitCode()).isEqualTo(2);
        assertThat(words.err()).contains("--ttl: 'two weeks' is not a duration like 336h, 90m or 1h30m");

        Cli days = prune(ENV, "--registry", "http://127.0.0.1:5000", "--ttl", "14d");
        assertThat(days.exitCode()).isEqualTo(2);
        assertThat(days.err()).contains("--ttl: '14d' is not a duration");

        Cli zero = prune(ENV, "--registry", "http://127.0.0.1:5000", "--ttl", "0s");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).contains("--ttl: must be more than 0");
    }

    @Test
    void credentialsComeOnlyFromTheEnvironment() {
        Cli none = prune(Map.of(), "--registry", "http://127.0.0.1:5000", "--ttl", "336h");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("CACHE_REGISTRY_USERNAME is not set");

        Cli noPassword = prune(Map.of("CACHE_REGISTRY_USERNAME", "kaniko"), "--registry", "http://127.0.0.1:5000",
                "--ttl", "336h");
        assertThat(noPassword.exitCode()).isEqualTo(2);
        assertThat(noPassword.err()).contains("CACHE_REGISTRY_PASSWORD is not set");

        Cli inUrl = prune(ENV, "--registry", "http://kaniko:secret@127.0.0.1:5000", "--ttl", "336h");
        assertThat(inUrl.exitCode()).isEqualTo(2);
        assertThat(inUrl.err()).contains("--registry: put no credentials in the URL").doesNotContain("secret");

        Cli notUrl = prune(ENV, "--registry", "cache-registry:5000", "--ttl", "336h");
        assertThat(notUrl.exitCode()).isEqualTo(2);
        assertThat(notUrl.err()).contains("--registry: 'cache-registry:5000' is not a URL like http://");
    }

    @Test
    void aRegistryFaultExitsSixNamingTheRequestAndStatus() throws IOException {
        Map<String, String> wrong = Map.of("CACHE_REGISTRY_USERNAME", "kaniko", "CACHE_REGISTRY_PASSWORD",
                "wrong-password-" + RANDOM.nextInt(1_000_000));
        Cli refused = prune(wrong, "--registry", registry.base().toString(), "--ttl", "336h");
        assertThat(refused.exitCode()).isEqualTo(6);
        assertThat(refused.err()).contains("buildfleet: CacheRegistryFault: GET /v2/_catalog?n=100 at "
                + registry.hostPort() + ": HTTP 401").doesNotContain(wrong.get("CACHE_REGISTRY_PASSWORD"));

        String nobody = "http://127.0.0.1:" + DistributionProcess.freePort();
        Cli down = prune(ENV, "--registry", nobody, "--ttl", "336h");
        assertThat(down.exitCode()).isEqualTo(6);
        assertThat(down.err()).contains("GET /v2/_catalog?n=100 at " + nobody.substring(7) + ": no answer");
    }

    @Test
    void helpListsTheExitCode() {
        Cli help = Cli.run("cache", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("prune", "CACHE_REGISTRY_PASSWORD", "6");
        assertThat(Cli.run("--help").out()).contains("6   the cache registry failed");
    }
}
