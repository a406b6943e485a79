package dev.buildfleet.verify;

/**
 * What a check looked at: the object (Kind namespace/name, or a node, bucket, runner), the field, and the value found.
 * Never a Secret's value: verify reads no Secret.
 */
public record Evidence(String object, String field, String value) {
    @Override
    public String toString() {
        return object + (field == null || field.isEmpty() ? "" : "  " + field) + (value == null ? "" : ": " + value);
    }
}
