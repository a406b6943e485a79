package dev.buildfleet.operator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Which runner token the operator last checked with POST /runners/verify, and when; it holds a hash of the token,
 * never the token. GitLab counts a verify as contact from the runner (it sets contacted_at), so verifying on every
 * pass would keep a runner whose pod is down looking online: between verifications the operator relies on this one.
 */
record TokenVerification(String tokenHash, Instant at) {
    /** How long a verification stands for the same token. */
    static final Duration INTERVAL = Duration.ofHours(24);

    static TokenVerification of(String token, Instant at) {
        return new TokenVerification(hash(token), at);
    }

    /** True while this verification stands for {@code token}: the same token, verified less than a day ago. */
    boolean covers(String token, Instant now) {
        return tokenHash.equals(hash(token)) && now.isBefore(at.plus(INTERVAL));
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "TokenVerification[at=" + at + "]";
    }
}
