package dev.buildfleet.verify;

import java.io.PrintWriter;
import java.util.List;

/** The report as a person reads it: one row per result, its evidence and what to do beneath. */
public final class ReportTable {
    /** A passing result shows this much evidence; -o json has all of it. */
    private static final int PASS_EVIDENCE = 4;

    private ReportTable() {
    }

    public static void print(VerifyReport report, PrintWriter out) {
        int tenantWidth = Math.max("TENANT".length(), report.results().stream().mapToInt(r -> r.tenant().length())
                .max().orElse(0));
        int checkWidth = Math.max("CHECK".length(), report.results().stream().mapToInt(r -> r.check().length())
                .max().orElse(0));
        String row = "%-" + tenantWidth + "s  %-" + checkWidth + "s  %-7s  %s%n";
        String indent = " ".repeat(tenantWidth + checkWidth + 4 + 9);
        out.printf(row, "TENANT", "CHECK", "RESULT", "SUMMARY");
        for (CheckResult r : report.results()) {
            out.printf(row, r.tenant(), r.check(), r.outcome().name(), r.summary());
            List<Evidence> evidence = r.evidence();
            int shown = r.outcome() == Outcome.PASS ? Math.min(PASS_EVIDENCE, evidence.size()) : evidence.size();
            for (Evidence e : evidence.subList(0, shown)) {
                out.println(indent + "- " + e);
            }
            if (shown < evidence.size()) {
                out.println(indent + "- ... " + (evidence.size() - shown) + " more (-o json lists all)");
            }
            if (r.fix() != null && r.outcome() != Outcome.PASS) {
                out.println(indent + (r.outcome() == Outcome.SKIPPED ? "to check: " : "fix: ") + r.fix());
            }
        }
        out.println();
        out.printf("%d result(s) for %s: %d passed, %d failed, %d skipped, %d could not be checked%n",
                report.results().size(), String.join(", ", report.tenants()), report.count(Outcome.PASS),
                report.count(Outcome.FAIL), report.count(Outcome.SKIPPED), report.count(Outcome.ERROR));
        for (String note : report.notes()) {
            out.println("note: " + note);
        }
        out.flush();
    }
}
