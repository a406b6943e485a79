package dev.buildfleet.render;

import java.util.List;

/**
 * A path inside the output directory, as the renderer names it and the manifest lists it: relative, '/'-separated,
 * with no empty, "." or ".." segment, so it can only ever name something below the output directory.
 */
record RenderedPath(String text, List<String> segments) {

    /** @throws IllegalArgumentException saying why {@code text} is no such path */
    static RenderedPath of(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("is empty");
        }
        if (text.startsWith("/")) {
            throw new IllegalArgumentException("is an absolute path");
        }
        if (text.indexOf('\\') >= 0 || text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("holds a backslash or a NUL character");
        }
        List<String> segments = List.of(text.split("/", -1));
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("has an empty, '.' or '..' part");
            }
        }
        return new RenderedPath(text, segments);
    }

    String name() {
        return segments.getLast();
    }

    /** The first {@code n} segments joined, e.g. the directory that holds this file. */
    String prefix(int n) {
        return String.join("/", segments.subList(0, n));
    }

    int depth() {
        return segments.size();
    }

    @Override
    public String toString() {
        return text;
    }
}
