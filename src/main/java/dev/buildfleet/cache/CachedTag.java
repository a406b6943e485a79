package dev.buildfleet.cache;

import java.time.Instant;

/**
 * One tag in a cache repository. {@code created} is the image config's {@code created} time, the same time Kaniko
 * compares with {@code --cache-ttl} when it reads a cached layer; null when the config carries none.
 */
public record CachedTag(String repository, String tag, String digest, Instant created) {
}
