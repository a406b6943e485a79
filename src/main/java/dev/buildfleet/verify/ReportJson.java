package dev.buildfleet.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** The report for machines: every result with all its evidence, the counts and the exit code. */
public final class ReportJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {
    }

    public static void print(VerifyReport report, PrintWriter out) {
        ObjectNode root = JSON.createObjectNode();
        root.put("exitCode", report.exitCode());
        root.put("passed", report.exitCode() == VerifyExitCodes.PASSED);
        root.set("tenants", JSON.valueToTree(report.tenants()));
        ObjectNode counts = root.putObject("counts");
        for (Outcome outcome : Outcome.values()) {
            counts.put(outcome.name().toLowerCase(java.util.Locale.ROOT), report.count(outcome));
        }
        ArrayNode results = root.putArray("results");
        for (CheckResult r : report.results()) {
            ObjectNode node = results.addObject();
            node.put("tenant", r.tenant());
            node.put("check", r.check());
            node.put("outcome", r.outcome().name());
            node.put("summary", r.summary());
            ArrayNode evidence = node.putArray("evidence");
            r.evidence().forEach(e -> evidence.addObject().put("object", e.object()).put("field", e.field())
                    .put("value", e.value()));
            if (r.fix() != null) {
                node.put("fix", r.fix());
            }
        }
        root.set("notes", JSON.valueToTree(report.notes()));
        try {
            out.println(JSON.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }
}
