package dev.buildfleet.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * The one user of a tenant's cache registry: the password lives only in the job pods' docker config.json, the
 * registry gets its bcrypt hash as htpasswd. {@link #toString()} never shows the password.
 */
public record CacheCredentials(String username, String password) {
    public static final String USERNAME = "kaniko";
    /**
     * bcrypt's minimum cost. Distribution checks the bcrypt hash on every request (no session), so the cost is paid
     * per layer pull and push; the password is 192 random bits, which no work factor makes any harder to guess.
     */
    static final int BCRYPT_COST = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static CacheCredentials generate(SecureRandom random) {
        byte[] secret = new byte[24];
        random.nextBytes(secret);
        return new CacheCredentials(USERNAME, HexFormat.of().formatHex(secret));
    }

    /** One htpasswd line, {@code user:$2y$10$...}, with a fresh salt. */
    public String htpasswd(SecureRandom random) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return username + ":" + OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, BCRYPT_COST) + "\n";
    }

    /** True when this password matches the htpasswd line for this user (to reuse Secrets that agree). */
    public boolean matches(String htpasswd) {
        for (String line : htpasswd.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equals(username)) {
                try {
                    return OpenBSDBCrypt.checkPassword(line.substring(colon + 1).trim(), password.toCharArray());
                } catch (IllegalArgumentException notBcrypt) {
                    return false;
                }
            }
        }
        return false;
    }

    /** A docker config.json that logs this user in to {@code registryHost} (host:port), for Kaniko and buildah. */
    public String dockerConfigJson(String registryHost) {
        String auth = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        try {
            return JSON.writeValueAsString(Map.of("auths", Map.of(registryHost, Map.of("auth", auth))));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the credentials for {@code registryHost} back from a docker config.json; null when it has none. */
    public static CacheCredentials fromDockerConfigJson(String json, String registryHost) {
        try {
            var auth = JSON.readTree(json).path("auths").path(registryHost).path("auth");
            if (!auth.isTextual()) {
                return null;
            }
            String decoded = new String(Base64.getDecoder().decode(auth.asText()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon <= 0 ? null : new CacheCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "CacheCredentials[username=" + username + ", password=<redacted>]";
    }
}
