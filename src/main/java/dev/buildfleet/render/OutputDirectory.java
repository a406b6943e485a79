package dev.buildfleet.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Stream;

/**
 * Writes rendered files without ever touching what buildfleet did not write: a directory that is not empty must
 * carry the manifest of an earlier render, and only files listed there are replaced or removed.
 */
public final class OutputDirectory {
    public static final String MANIFEST = ".buildfleet-rendered";

    private OutputDirectory() {
    }

    public static void write(Path dir, SortedMap<String, String> files) throws IOException {
        Files.createDirectories(dir);
        Path manifest = dir.resolve(MANIFEST);
        List<String> previous = List.of();
        if (Files.exists(manifest)) {
            previous = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        } else {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(dir + " is not empty and holds no earlier render (" + MANIFEST
                            + "); choose an empty or new directory so nothing of yours is overwritten");
                }
            }
        }
        for (var file : files.entrySet()) {
            Path target = dir.resolve(file.getKey()).normalize();
            if (!target.startsWith(dir.normalize())) {
                throw new IOException("refusing to write outside " + dir + ": " + file.getKey());
            }
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.writeString(tmp, file.getValue(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (String old : previous) {
            if (old.isBlank() || files.containsKey(old)) {
                continue;
            }
            Path stale = dir.resolve(old).normalize();
            if (stale.startsWith(dir.normalize())) {
                Files.deleteIfExists(stale);
                Path parent = stale.getParent();
                if (!parent.equals(dir.normalize()) && isEmptyDirectory(parent)) {
                    Files.delete(parent);
                }
            }
        }
        Files.write(manifest, new ArrayList<>(files.keySet()), StandardCharsets.UTF_8);
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
