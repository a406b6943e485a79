package dev.buildfleet.config;

import java.io.IOException;
import java.io.UncheckedIOException;

/** A file the CLI was given could not be read as a file of its kind: missing, not a regular file, too large. */
public class UnreadableFileException extends UncheckedIOException {
    public UnreadableFileException(String message) {
        super(message, new IOException(message));
    }
}
