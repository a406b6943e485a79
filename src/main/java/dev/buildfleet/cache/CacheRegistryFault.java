package dev.buildfleet.cache;

/** The cache registry could not be reached or refused a request; the message names the request and the status. */
public class CacheRegistryFault extends RuntimeException {
    public CacheRegistryFault(String message) {
        super(message);
    }

    public CacheRegistryFault(String message, Throwable cause) {
        super(message, cause);
    }
}
