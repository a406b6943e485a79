package dev.buildfleet.cache;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachePrunerTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final Duration TTL = Duration.ofHours(336);
    static final Instant EXPIRED = NOW.minus(TTL).minusSeconds(1);
    static final Instant FRESH = NOW.minus(Duration.ofDays(1));

    static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    @Test
    void deletesExpiredManifestsKeepsFreshAndUnknownAndCountsThemApart() {
        InMemoryCacheRegistry registry = new InMemoryCacheRegistry()
                .push("kaniko-cache", "old1", digest('a'), EXPIRED)
                .push("kaniko-cache", "old2", digest('b'), EXPIRED.minus(Duration.ofDays(30)))
                .push("kaniko-cache", "new", digest('c'), FRESH)
                .push("kaniko-cache", "index", digest('d'), null)
                .push("other/repo", "old", digest('e'), EXPIRED);

        List<List<CachedTag>> reported = new ArrayList<>();
        CachePruner.Result result = new CachePruner(registry, TTL).prune(NOW, false, reported::add);

        assertThat(result.deleted()).extracting(CachedTag::tag).containsExactly("old1", "old2", "old");
        assertThat(result.kept()).isEqualTo(1);
        assertThat(result.unknown()).isEqualTo(1);
        assertThat(result.repositories()).isEqualTo(2);
        assertThat(result.manifests()).isEqualTo(3);
        assertThat(reported).hasSize(3);
        assertThat(registry.tagNames("kaniko-cache")).containsExactly("new", "index");
        assertThat(registry.tagNames("other/repo")).isEmpty();
        assertThat(registry.deleted()).containsExactly("kaniko-cache@" + digest('a'), "kaniko-cache@" + digest('b'),
                "other/repo@" + digest('e'));
    }

    @Test
    void theBoundaryIsKanikosStrictBefore() {
        InMemoryCacheRegistry registry = new InMemoryCacheRegistry()
                .push("kaniko-cache", "exactly-ttl-old", digest('a'), NOW.minus(TTL))
                .push("kaniko-cache", "one-ns-older", digest('b'), NOW.minus(TTL).minusNanos(1));

        CachePruner.Result result = new CachePruner(registry, TTL).prune(NOW);

        assertThat(result.deleted()).extracting(CachedTag::tag).containsExactly("one-ns-older");
        assertThat(registry.tagNames("kaniko-cache")).containsExactly("exactly-ttl-old");
    }

    @Test
    void aManifestIsDeletedOnlyWhenEveryTagOfItIsExpired() {
        InMemoryCacheRegistry registry = new InMemoryCacheRegistry()
                .push("kaniko-cache", "both-old-1", digest('a'), EXPIRED)
                .push("kaniko-cache", "both-old-2", digest('a'), EXPIRED)
                .push("kaniko-cache", "mixed-old", digest('b'), EXPIRED)
                .push("kaniko-cache", "mixed-unknown", digest('b'), null);

        CachePruner.Result result = new CachePruner(registry, TTL).prune(NOW);

        assertThat(result.deleted()).extracting(CachedTag::tag).containsExactly("both-old-1", "both-old-2");
        assertThat(result.manifests()).isEqualTo(1);
        assertThat(result.kept()).isEqualTo(1);
        assertThat(result.unknown()).isEqualTo(1);
        assertThat(registry.tagNames("kaniko-cache")).containsExactly("mixed-old", "mixed-unknown");
    }

    @Test
    void aDryRunReportsButDeletesNothing() {
        InMemoryCacheRegistry registry = new InMemoryCacheRegistry()
                .push("kaniko-cache", "old", digest('a'), EXPIRED)
                .push("kaniko-cache", "new", digest('b'), FRESH);

        CachePruner.Result result = new CachePruner(registry, TTL).prune(NOW, true, tags -> { });

        assertThat(result.deleted()).extracting(CachedTag::tag).containsExactly("old");
        assertThat(registry.deleted()).isEmpty();
        assertThat(registry.tagNames("kaniko-cache")).containsExactly("old", "new");
    }

    @Test
    void anEmptyRegistryAndAnEmptiedRepositoryArePrunedWithoutError() {
        assertThat(new CachePruner(new InMemoryCacheRegistry(), TTL).prune(NOW))
                .isEqualTo(new CachePruner.Result(List.of(), 0, 0, 0));

        InMemoryCacheRegistry registry = new InMemoryCacheRegistry().push("kaniko-cache", "old", digest('a'), EXPIRED);
        new CachePruner(registry, TTL).prune(NOW);
        CachePruner.Result again = new CachePruner(registry, TTL).prune(NOW);
        assertThat(again.repositories()).isEqualTo(1);
        assertThat(again.deleted()).isEmpty();
    }

    @Test
    void aFaultStopsTheRunAndWhatWasReportedWasDeleted() {
        InMemoryCacheRegistry registry = new InMemoryCacheRegistry()
                .push("kaniko-cache", "old", digest('a'), EXPIRED);
        registry.failDeletes("DELETE /v2/kaniko-cache/manifests/... at r:5000: HTTP 405");
        List<List<CachedTag>> reported = new ArrayList<>();

        assertThatThrownBy(() -> new CachePruner(registry, TTL).prune(NOW, false, reported::add))
                .isInstanceOf(CacheRegistryFault.class).hasMessageContaining("HTTP 405");
        assertThat(reported).isEmpty();
        assertThat(registry.tagNames("kaniko-cache")).containsExactly("old");

        registry.heal();
        registry.fail("GET /v2/_catalog at r:5000: no answer (ConnectException)");
        assertThatThrownBy(() -> new CachePruner(registry, TTL).prune(NOW)).isInstanceOf(CacheRegistryFault.class);
    }

    @Test
    void aTtlMustBePositive() {
        assertThatThrownBy(() -> new CachePruner(new InMemoryCacheRegistry(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 0");
    }
}
