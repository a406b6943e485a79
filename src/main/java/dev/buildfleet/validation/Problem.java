package dev.buildfleet.validation;

import java.util.Comparator;

/**
 * One thing wrong with the input: where it is (a field path like {@code tenants[1].spec.concurrency}, and the line of
 * the file when it came from one; 0 when not known) and how to fix it.
 */
public record Problem(String path, String message, int line) implements Comparable<Problem> {
    private static final Comparator<Problem> ORDER = Comparator.comparing(Problem::path)
            .thenComparing(Problem::message).thenComparingInt(Problem::line);

    public Problem(String path, String message) {
        this(path, message, 0);
    }

    /** The same problem, placed at {@code line} of the file it came from. */
    public Problem atLine(int line) {
        return new Problem(path, message, line);
    }

    @Override
    public String toString() {
        String where = line > 0 ? "line " + line + ": " : "";
        return where + (path.isEmpty() ? message : path + ": " + message);
    }

    @Override
    public int compareTo(Problem other) {
        return ORDER.compare(this, other);
    }
}
