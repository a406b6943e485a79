package dev.buildfleet.api;

public enum DeletionPolicy {
    /** Keep the bucket, its data and the storage user when the tenant goes. */
    Retain,
    /** Empty and remove the bucket, then remove the storage user. */
    Delete
}
