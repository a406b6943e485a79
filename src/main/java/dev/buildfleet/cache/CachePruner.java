package dev.buildfleet.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Deletes the cache entries Kaniko would no longer use: every manifest whose tags are all past the TTL
 * ({@code created + ttl < now}). Tags without a creation time (an image index, a config without {@code created})
 * are kept and counted apart. Deleting a manifest only untags it; its blobs are freed by the registry's garbage
 * collection ({@code registry garbage-collect --delete-untagged}, run while the registry is read-only).
 *
 * <p>What Kaniko does (osscontainertools/kaniko, read in its source): {@code pushLayerToCache}
 * (pkg/executor/push.go) pushes each cached layer as a one-layer image whose config {@code created} is set to the
 * push time ({@code mutate.CreatedAt(empty.Image, time.Now())}) and tags it {@code <cache-repo>:<cache key>}; on
 * read, {@code RegistryCache.RetrieveLayer} (pkg/cache/cache.go, {@code verifyImage}) treats the entry as a miss
 * when {@code cf.Created.Add(cacheTTL).Before(time.Now())}, rebuilds the layer and pushes it again under the same
 * tag (a new manifest, the old one left untagged). It never deletes anything. So the rule here is Kaniko's own,
 * with the same strict comparison: an entry exactly at {@code created + ttl} is still fresh.
 */
public final class CachePruner {

    /**
     * What a run found.
     *
     * @param deleted      the tags whose manifests were deleted (in a dry run: would be deleted), in registry order
     * @param kept         tags kept because they are younger than the TTL
     * @param unknown      tags kept because their creation time is unknown
     * @param repositories repositories scanned
     */
    public record Result(List<CachedTag> deleted, int kept, int unknown, int repositories) {
        public Result {
            deleted = List.copyOf(deleted);
        }

        /** How many distinct manifests the deleted tags pointed at. */
        public long manifests() {
            return deleted.stream().map(t -> t.repository() + "@" + t.digest()).distinct().count();
        }
    }

    private final CacheRegistry registry;
    private final Duration ttl;

    public CachePruner(CacheRegistry registry, Duration ttl) {
        this.registry = Objects.requireNonNull(registry, "registry");
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("the cache TTL must be more than 0 (was " + ttl + ")");
        }
        this.ttl = ttl;
    }

    /** Kaniko's rule: expired when {@code created + ttl} is before {@code now}; never when created is unknown. */
    public static boolean expired(Instant created, Duration ttl, Instant now) {
        return created != null && created.plus(ttl).isBefore(now);
    }

    /** Deletes every expired manifest. */
    public Result prune(Instant now) {
        return prune(now, false, tags -> {
        });
    }

    /**
     * @param dryRun    find what is expired but delete nothing
     * @param onExpired called with the tags of each expired manifest, after it was deleted (or, in a dry run,
     *                  instead of deleting it); a fault stops the run, and what was reported was deleted
     */
    public Result prune(Instant now, boolean dryRun, Consumer<List<CachedTag>> onExpired) {
        List<CachedTag> deleted = new ArrayList<>();
        int kept = 0;
        int unknown = 0;
        List<String> repositories = registry.repositories();
        for (String repository : repositories) {
            Map<String, List<CachedTag>> byDigest = new LinkedHashMap<>();
            for (CachedTag tag : registry.tags(repository)) {
                byDigest.computeIfAbsent(tag.digest(), d -> new ArrayList<>()).add(tag);
            }
            for (Map.Entry<String, List<CachedTag>> manifest : byDigest.entrySet()) {
                List<CachedTag> tags = manifest.getValue();
                if (tags.stream().allMatch(t -> expired(t.created(), ttl, now))) {
                    if (!dryRun) {
                        registry.deleteManifest(repository, manifest.getKey());
                    }
                    deleted.addAll(tags);
                    onExpired.accept(List.copyOf(tags));
                } else {
                    for (CachedTag t : tags) {
                        if (t.created() == null) {
                            unknown++;
                        } else {
                            kept++;
                        }
                    }
                }
            }
        }
        return new Result(deleted, kept, unknown, repositories.size());
    }
}
