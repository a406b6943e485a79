package dev.buildfleet.cache;

import java.net.URI;

/** Opens the registry API of one tenant's cache registry; the operator's way in, replaceable in tests. */
@FunctionalInterface
public interface CacheRegistries {
    CacheRegistry connect(URI base, CacheCredentials credentials);
}
