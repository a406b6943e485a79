package dev.buildfleet.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.buildfleet.storage.StoragePlan;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tenant cache registry's config.yml (CNCF Distribution). It holds no secret: the S3 keys come from the
 * environment ({@value #ACCESS_KEY_ENV}, {@value #SECRET_KEY_ENV}, filled from the tenant's cache Secret), which
 * Distribution reads as overrides of {@code storage.s3.accesskey/secretkey}.
 *
 * <p>Storage is the tenant's bucket under {@link StoragePlan#REGISTRY_PREFIX}. Redirects are disabled so clients
 * never get pre-signed URLs (the S3 keys stay in this pod, and job pods need not reach Ceph for layers).
 * {@code forcepathstyle} is read by Distribution 3.x; 2.8 forces path style when {@code regionendpoint} is set and
 * ignores keys its S3 driver does not know (driver parameters are a free map), so it is harmless there.
 */
public final class CacheRegistryConfig {
    public static final String ACCESS_KEY_ENV = "REGISTRY_STORAGE_S3_ACCESSKEY";
    public static final String SECRET_KEY_ENV = "REGISTRY_STORAGE_S3_SECRETKEY";
    public static final String ROOT_DIRECTORY = "/" + StoragePlan.REGISTRY_PREFIX.substring(0,
            StoragePlan.REGISTRY_PREFIX.length() - 1);
    /**
     * 10 MiB upload parts (S3 needs >= 5 MiB). The S3 driver sends parts one after the other and holds up to two
     * parts in memory per upload in flight; bench/run-cache measured 20 or 32 MiB parts at most 9% faster for a
     * 100 MiB blob on RGW (0% with tcp_nodelay on RGW), not worth up to three times the memory in a 1 GiB pod that
     * serves 20 concurrent builds. 5 MiB parts were 10% slower.
     */
    public static final int CHUNK_SIZE = 10 * 1024 * 1024;
    /**
     * Blobs up to 5 GiB (the S3 limit of one CopyObject, and the most Distribution 2.8 and 3.x accept) are moved
     * from the upload area to their digest with one CopyObject, which RGW does by reference (8-12 ms for 100 MiB
     * here). Distribution's default (32 MiB) copies larger blobs with 32 MiB UploadPartCopy requests, and RGW
     * writes every byte again. bench/run-cache, commit of a 100 MiB blob: 0.93 s -> 0.7 s on an RGW with Ceph's
     * default frontend settings, 0.32 s -> 0.04-0.11 s with tcp_nodelay=1.
     */
    public static final long MULTIPART_COPY_THRESHOLD = 5L * 1024 * 1024 * 1024;
    /**
     * Set to {@link #READ_ONLY_VALUE} on the registry and on the garbage-collection Job while expiry collects
     * garbage: pulls keep working, pushes get 405, and no upload can race the sweep (Distribution's GC rule).
     */
    public static final String READ_ONLY_ENV = "REGISTRY_STORAGE_MAINTENANCE_READONLY";
    public static final String READ_ONLY_VALUE = "{\"enabled\": true}";
    public static final String HTPASSWD_PATH = "/auth/htpasswd";
    public static final String REALM = "buildfleet-cache";

    private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private CacheRegistryConfig() {
    }

    public static String build(ResolvedTenant t) {
        Map<String, Object> s3 = new LinkedHashMap<>();
        s3.put("region", t.cache().region());
        s3.put("regionendpoint", t.cache().endpoint().toString());
        s3.put("bucket", t.cache().bucket());
        s3.put("rootdirectory", ROOT_DIRECTORY);
        s3.put("secure", !t.cache().insecure());
        s3.put("v4auth", true);
        s3.put("chunksize", CHUNK_SIZE);
        s3.put("multipartcopythresholdsize", MULTIPART_COPY_THRESHOLD);
        s3.put("forcepathstyle", true);

        Map<String, Object> storage = new LinkedHashMap<>();
        storage.put("s3", s3);
        storage.put("redirect", Map.of("disable", true));
        storage.put("delete", Map.of("enabled", true));
        // Per-request latency to RGW dominates a warm build; caching blob descriptors halves it (DESIGN.md).
        storage.put("cache", Map.of("blobdescriptor", "inmemory"));

        Map<String, Object> debug = new LinkedHashMap<>();
        debug.put("addr", ":" + Names.CACHE_REGISTRY_DEBUG_PORT);
        debug.put("prometheus", ordered("enabled", true, "path", "/metrics"));
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("addr", ":" + Names.CACHE_REGISTRY_PORT);
        http.put("debug", debug);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("version", "0.1");
        config.put("log", ordered("level", "info", "formatter", "json"));
        config.put("storage", storage);
        config.put("http", http);
        config.put("auth", Map.of("htpasswd", ordered("realm", REALM, "path", HTPASSWD_PATH)));
        try {
            return YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<String> secretEnvNames() {
        return List.of(ACCESS_KEY_ENV, SECRET_KEY_ENV);
    }
}
