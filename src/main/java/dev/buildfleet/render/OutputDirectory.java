package dev.buildfleet.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Writes rendered files without ever touching what buildfleet did not write: a directory that is not empty must
 * carry the manifest of an earlier render, only files listed there are replaced or removed, and nothing is written
 * or removed outside the directory (every path is checked, links included, before anything changes).
 */
public final class OutputDirectory {
    public static final String MANIFEST = ".buildfleet-rendered";
    /** Far above the manifest of any real fleet (1000 tenants list ~1.5 MiB). */
    private static final int MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
    private static final RenderedPath MANIFEST_PATH = RenderedPath.of(MANIFEST);

    private OutputDirectory() {
    }

    public static void write(Path dir, SortedMap<String, String> files) throws IOException {
        try (ConfinedDirectory out = ConfinedDirectory.open(dir)) {
            List<RenderedPath> previous = previousRender(out, dir);
            Map<RenderedPath, String> wanted = new LinkedHashMap<>();
            for (var file : files.entrySet()) {
                wanted.put(renderedPath(file.getKey(), dir), file.getValue());
            }
            List<RenderedPath> stale = previous.stream().filter(p -> !wanted.containsKey(p)).toList();
            check(out, dir, wanted.keySet(), previous, stale);

            // Listed first, so a render cut short leaves no file of its own unlisted (and so unremovable) behind.
            TreeSet<String> everything = new TreeSet<>(files.keySet());
            previous.forEach(p -> everything.add(p.text()));
            out.replace(MANIFEST_PATH, manifest(everything));
            for (var file : wanted.entrySet()) {
                out.replace(file.getKey(), file.getValue().getBytes(StandardCharsets.UTF_8));
            }
            for (RenderedPath old : stale) {
                out.delete(old);
            }
            out.replace(MANIFEST_PATH, manifest(files.keySet()));
        }
    }

    /** The files the last render wrote; none for a new or empty directory, a refusal for any other. */
    private static List<RenderedPath> previousRender(ConfinedDirectory out, Path dir) throws IOException {
        if (out.inspect(MANIFEST_PATH, "read") == ConfinedDirectory.Entry.ABSENT) {
            if (!out.isEmpty()) {
                throw new IOException(dir + " is not empty and holds no earlier render (" + MANIFEST
                        + "); choose an empty or new directory so nothing of yours is overwritten");
            }
            return List.of();
        }
        String[] lines = new String(out.read(MANIFEST_PATH, MAX_MANIFEST_BYTES), StandardCharsets.UTF_8)
                .split("\n", -1);
        List<RenderedPath> paths = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                paths.add(RenderedPath.of(lines[i]));
            } catch (IllegalArgumentException e) {
                throw new IOException(dir + "/" + MANIFEST + " line " + (i + 1) + ": '" + lines[i] + "' "
                        + e.getMessage() + ", so it is no file render wrote inside " + dir + "; nothing was written "
                        + "or removed (restore the manifest, or render into a new directory)");
            }
        }
        return paths;
    }

    /** Every path about to be written or removed, before any is: a refusal leaves the directory as it was. */
    private static void check(ConfinedDirectory out, Path dir, Iterable<RenderedPath> writes,
                              List<RenderedPath> previousRender, List<RenderedPath> stale) throws IOException {
        Set<RenderedPath> previous = new HashSet<>(previousRender);
        try {
            for (RenderedPath path : writes) {
                if (out.inspect(path, "write") == ConfinedDirectory.Entry.FILE && !previous.contains(path)) {
                    throw new IOException("refusing to overwrite " + path + " inside " + dir + ": an earlier "
                            + "render did not write it (it is not in " + MANIFEST + "); move it away and render again");
                }
            }
            for (RenderedPath path : stale) {
                out.inspect(path, "remove");
            }
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "; nothing was written or removed", e);
        }
    }

    private static RenderedPath renderedPath(String file, Path dir) throws IOException {
        try {
            RenderedPath path = RenderedPath.of(file);
            if (path.equals(MANIFEST_PATH)) {
                throw new IllegalArgumentException("is the manifest's own name");
            }
            return path;
        } catch (IllegalArgumentException e) {
            throw new IOException("refusing to write '" + file + "' inside " + dir + ": it " + e.getMessage());
        }
    }

    private static byte[] manifest(Iterable<String> files) {
        StringBuilder text = new StringBuilder();
        files.forEach(file -> text.append(file).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
