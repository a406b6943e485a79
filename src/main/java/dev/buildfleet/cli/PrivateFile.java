package dev.buildfleet.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes a file only its owner can read: created 0600 next to the target, then moved into place atomically. */
final class PrivateFile {
    private PrivateFile() {
    }

    static void write(Path file, String content) throws IOException {
        Path tmp = createTemp(file);
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Why {@link #write} would fail for this file, or null when it would not: its directory must exist and take a
     * new file (tried, not guessed from permission bits, which root ignores); an existing file is replaced.
     */
    static String whyNotWritable(Path file) {
        if (Files.isDirectory(file)) {
            return file + " is a directory";
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.exists(dir)) {
            return "directory " + dir + " does not exist";
        }
        if (!Files.isDirectory(dir)) {
            return dir + " is not a directory";
        }
        try {
            Files.delete(createTemp(file));
            return null;
        } catch (IOException e) {
            String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getClass().getSimpleName();
            return "cannot create a file in directory " + dir + " (" + reason + ")";
        }
    }

    private static Path createTemp(Path file) throws IOException {
        return Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
}
