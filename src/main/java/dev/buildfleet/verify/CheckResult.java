package dev.buildfleet.verify;

import java.util.List;

/**
 * One verdict of one check for one tenant: the summary, the evidence it rests on and, when it failed or could not
 * run, what to do.
 *
 * @param exitCode for {@link Outcome#ERROR}: the exit code of the fault that stopped the check, else 0
 */
public record CheckResult(String tenant, String check, Outcome outcome, String summary, List<Evidence> evidence,
                          String fix, int exitCode) {

    public CheckResult {
        evidence = List.copyOf(evidence);
    }

    public static CheckResult pass(String tenant, String check, String summary, List<Evidence> evidence) {
        return new CheckResult(tenant, check, Outcome.PASS, summary, evidence, null, 0);
    }

    public static CheckResult fail(String tenant, String check, String summary, List<Evidence> evidence, String fix) {
        return new CheckResult(tenant, check, Outcome.FAIL, summary, evidence, fix, 0);
    }

    public static CheckResult skipped(String tenant, String check, String summary, String fix) {
        return new CheckResult(tenant, check, Outcome.SKIPPED, summary, List.of(), fix, 0);
    }

    public static CheckResult error(String tenant, String check, String summary, String fix, int exitCode) {
        return new CheckResult(tenant, check, Outcome.ERROR, summary, List.of(), fix, exitCode);
    }
}
