package dev.buildfleet.validation;

/** One thing wrong with the input: where it is (a field path like {@code tenants[1].spec.concurrency}) and how to fix it. */
public record Problem(String path, String message) implements Comparable<Problem> {

    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }

    @Override
    public int compareTo(Problem other) {
        return toString().compareTo(other.toString());
    }
}
