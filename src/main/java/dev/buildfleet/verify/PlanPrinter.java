package dev.buildfleet.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Locale;

/** A plan as text (terraform's + ~ - marks) or JSON. */
public final class PlanPrinter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PlanPrinter() {
    }

    public static void text(Plan plan, PrintWriter out) {
        for (Plan.TenantPlan tenant : plan.tenants()) {
            if (tenant.changes().isEmpty()) {
                out.printf("tenant %s (%s): no changes%n", tenant.tenant(), tenant.namespace());
                continue;
            }
            out.printf("tenant %s (%s):%n", tenant.tenant(), tenant.namespace());
            for (PlannedChange change : tenant.changes()) {
                String mark = switch (change.action()) {
                    case CREATE -> "+ create";
                    case CHANGE -> "~ change";
                    case PRUNE -> "- prune ";
                };
                out.printf("  %s %s: %s%n", mark, change.object(), change.reason());
                for (FieldDifference field : change.fields()) {
                    out.printf("      %s: %s%n", field.path(), field.describe());
                }
            }
        }
        out.printf("%nPlan: %d to create, %d to change, %d to prune. Nothing was written.%n",
                plan.count(PlannedChange.Action.CREATE), plan.count(PlannedChange.Action.CHANGE),
                plan.count(PlannedChange.Action.PRUNE));
        out.flush();
    }

    public static void json(Plan plan, PrintWriter out) {
        ObjectNode root = JSON.createObjectNode();
        root.put("exitCode", plan.exitCode());
        ObjectNode summary = root.putObject("summary");
        for (PlannedChange.Action action : PlannedChange.Action.values()) {
            summary.put(action.name().toLowerCase(Locale.ROOT), plan.count(action));
        }
        ArrayNode tenants = root.putArray("tenants");
        for (Plan.TenantPlan tenant : plan.tenants()) {
            ObjectNode node = tenants.addObject().put("tenant", tenant.tenant()).put("namespace", tenant.namespace());
            ArrayNode changes = node.putArray("changes");
            for (PlannedChange change : tenant.changes()) {
                ObjectNode c = changes.addObject().put("action", change.action().name().toLowerCase(Locale.ROOT))
                        .put("object", change.object()).put("reason", change.reason());
                ArrayNode fields = c.putArray("fields");
                for (FieldDifference field : change.fields()) {
                    ObjectNode f = fields.addObject().put("path", field.path()).put("change", field.describe());
                    f.set("live", field.live());
                    f.set("desired", field.desired());
                }
            }
        }
        try {
            out.println(JSON.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }
}
