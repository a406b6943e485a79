package dev.buildfleet.model;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.TreeMap;

/**
 * The buildfleet Grafana dashboard for one tenant, as a ConfigMap the Grafana sidecar picks up by its
 * {@code grafana_dashboard: "1"} label. The dashboard is the fleet one (deploy/dashboards/buildfleet.json, shipped
 * as a classpath resource) with its own uid and title and the tenant variable preset to this tenant, so tenants'
 * ConfigMaps never collide in Grafana.
 */
public final class GrafanaDashboardConfigMap {
    public static final String NAME = "buildfleet-dashboard";
    public static final String RESOURCE = "/dashboards/buildfleet.json";
    public static final String LABEL = "grafana_dashboard";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Parsed once: every tenant's dashboard is a copy of the fleet dashboard with its name filled in. */
    private static final ObjectNode FLEET_DASHBOARD = parse(fleetDashboard());

    private GrafanaDashboardConfigMap() {
    }

    /** The fleet dashboard JSON exactly as shipped. */
    public static String fleetDashboard() {
        try (InputStream in = GrafanaDashboardConfigMap.class.getResourceAsStream(RESOURCE)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String tenantDashboard(ResolvedTenant t) {
        try {
            ObjectNode d = FLEET_DASHBOARD.deepCopy();
            d.put("uid", "buildfleet-" + t.name());
            d.put("title", "buildfleet / " + t.name());
            for (var variable : d.path("templating").path("list")) {
                if ("tenant".equals(variable.path("name").asText())) {
                    ObjectNode current = ((ObjectNode) variable).putObject("current");
                    current.put("text", t.name());
                    current.put("value", t.name());
                }
            }
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"));
            return JSON.writer(printer).writeValueAsString(d) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ConfigMap build(ResolvedTenant t) {
        TreeMap<String, String> labels = new TreeMap<>(t.labels());
        labels.put(LABEL, "1");
        return new ConfigMapBuilder()
                .withNewMetadata().withName(NAME).withNamespace(t.namespace()).withLabels(labels).endMetadata()
                .addToData("buildfleet-" + t.name() + ".json", tenantDashboard(t))
                .build();
    }
}
