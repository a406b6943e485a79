package dev.buildfleet.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.buildfleet.api.BuildTenant;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The BuildTenant CRD as installed: the one fabric8's crd-generator writes at build time, with the printer columns
 * in {@link BuildTenant#PRINTER_COLUMNS}' order (the generator sorts them by name, and kubectl prints them in the
 * CRD's order).
 */
public final class BuildTenantCrd {
    public static final String GENERATED = "/META-INF/fabric8/buildtenants.buildfleet.dev-v1.yml";

    private BuildTenantCrd() {
    }

    public static String yaml() throws IOException {
        try (InputStream in = BuildTenantCrd.class.getResourceAsStream(GENERATED)) {
            if (in == null) {
                throw new IOException("CRD resource " + GENERATED + " missing from the build");
            }
            JsonNode crd = Yaml.read(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            for (JsonNode version : crd.path("spec").path("versions")) {
                ArrayNode columns = (ArrayNode) version.path("additionalPrinterColumns");
                ArrayNode ordered = columns.arrayNode();
                for (String name : BuildTenant.PRINTER_COLUMNS) {
                    columns.forEach(c -> {
                        if (c.path("name").asText().equals(name)) {
                            ordered.add(c);
                        }
                    });
                }
                if (ordered.size() != columns.size()) {
                    throw new IllegalStateException("BuildTenant.PRINTER_COLUMNS does not name every printer column");
                }
                ((ObjectNode) version).set("additionalPrinterColumns", ordered);
            }
            return Yaml.write(crd);
        }
    }
}
