package dev.buildfleet.cache;

import java.util.List;

/**
 * The registry API of one tenant's cache registry, as far as expiry needs it (Distribution's /v2/ API with the
 * tenant's htpasswd credentials). Every method throws {@link CacheRegistryFault} when the registry cannot be reached
 * or answers with an error.
 */
public interface CacheRegistry {

    /** Every repository in the registry ({@code GET /v2/_catalog}, all pages). */
    List<String> repositories();

    /** The tags of one repository, with the manifest digest and image creation time behind each. */
    List<CachedTag> tags(String repository);

    /** Deletes the manifest (and so every tag pointing at it); its blobs go at the next garbage collection. */
    void deleteManifest(String repository, String digest);
}
