package dev.buildfleet.cache;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link CacheRegistry} in memory that behaves like Distribution where expiry looks: the catalog lists every
 * repository ever pushed to (also once all its tags are gone), a tag points at one manifest digest with one
 * creation time (null: unknown, as for an image index), pushing a tag again moves it, and deleting a digest removes
 * every tag of that digest in that repository (deleting an unknown digest is not an error, as 404 is not one for
 * {@link HttpCacheRegistry}). It can be told to fail like an unreachable or read-only registry.
 */
public final class InMemoryCacheRegistry implements CacheRegistry {
    private record Manifest(String digest, Instant created) {
    }

    private final Map<String, Map<String, Manifest>> repositories = new LinkedHashMap<>();
    private final List<String> deleted = new ArrayList<>();
    private String failure;
    private String deleteFailure;

    /** Tags {@code repository:tag} with the manifest {@code digest} created at {@code created} (null: unknown). */
    public synchronized InMemoryCacheRegistry push(String repository, String tag, String digest, Instant created) {
        repositories.computeIfAbsent(repository, r -> new LinkedHashMap<>()).put(tag, new Manifest(digest, created));
        return this;
    }

    /** Every call fails with a {@link CacheRegistryFault} with this message until {@link #heal()}. */
    public synchronized void fail(String message) {
        this.failure = message;
    }

    /** Deletes fail (like a read-only registry's 405) until {@link #heal()}; reads still work. */
    public synchronized void failDeletes(String message) {
        this.deleteFailure = message;
    }

    public synchronized void heal() {
        failure = null;
        deleteFailure = null;
    }

    /** The tags of a repository, in push order. */
    public synchronized List<String> tagNames(String repository) {
        return List.copyOf(repositories.getOrDefault(repository, Map.of()).keySet());
    }

    /** Each successful delete as {@code repository@digest}, in order. */
    public synchronized List<String> deleted() {
        return List.copyOf(deleted);
    }

    @Override
    public synchronized List<String> repositories() {
        check(failure);
        return List.copyOf(repositories.keySet());
    }

    @Override
    public synchronized List<CachedTag> tags(String repository) {
        check(failure);
        List<CachedTag> tags = new ArrayList<>();
        repositories.getOrDefault(repository, Map.of()).forEach((tag, m) ->
                tags.add(new CachedTag(repository, tag, m.digest(), m.created())));
        return tags;
    }

    @Override
    public synchronized void deleteManifest(String repository, String digest) {
        check(failure);
        check(deleteFailure);
        Map<String, Manifest> tags = repositories.get(repository);
        if (tags != null && tags.values().removeIf(m -> m.digest().equals(digest))) {
            deleted.add(repository + "@" + digest);
        }
    }

    private static void check(String failure) {
        if (failure != null) {
            throw new CacheRegistryFault(failure);
        }
    }
}
