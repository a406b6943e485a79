package dev.buildfleet.validation;

import java.util.List;
import java.util.stream.Collectors;

/** Raised when input cannot be used; carries every problem found, not just the first. */
public class InvalidInputException extends RuntimeException {
    private final List<Problem> problems;

    public InvalidInputException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
