package dev.buildfleet.verify;

import java.util.List;

/** Every result of one verify run, in the order the checks ran, and what a reader must know to trust them. */
public record VerifyReport(List<String> tenants, List<CheckResult> results, List<String> notes) {
    public VerifyReport {
        tenants = List.copyOf(tenants);
        results = List.copyOf(results);
        notes = List.copyOf(notes);
    }

    /**
     * 1 when any check failed (a breach is found, whatever else could not be checked); otherwise the exit code of
     * the first check that could not run; otherwise 0.
     */
    public int exitCode() {
        if (count(Outcome.FAIL) > 0) {
            return VerifyExitCodes.FAILED;
        }
        return results.stream().filter(r -> r.outcome() == Outcome.ERROR).map(CheckResult::exitCode).findFirst()
                .orElse(VerifyExitCodes.PASSED);
    }

    public long count(Outcome outcome) {
        return results.stream().filter(r -> r.outcome() == outcome).count();
    }

    public List<CheckResult> failures() {
        return results.stream().filter(r -> r.outcome() == Outcome.FAIL).toList();
    }
}
