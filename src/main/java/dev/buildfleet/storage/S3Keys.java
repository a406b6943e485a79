package dev.buildfleet.storage;

import java.util.Objects;

/** One S3 key pair. {@link #toString()} never shows the secret, so a key can be logged or put in a message. */
public record S3Keys(String accessKeyId, String secretAccessKey) {
    public S3Keys {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    }

    @Override
    public String toString() {
        return "S3Keys[accessKeyId=" + accessKeyId + ", secretAccessKey=<hidden>]";
    }
}
