package dev.buildfleet.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.buildfleet.api.BuildTenant;

import java.util.List;

/** The file a platform team keeps in git: the platform config and every tenant. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Fleet(String apiVersion, String kind, FleetConfig config, List<BuildTenant> tenants) {
    public static final String KIND = "Fleet";
}
