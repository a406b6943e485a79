package dev.buildfleet.storage;

import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.validation.FleetValidator;
import dev.buildfleet.validation.InvalidInputException;

import java.net.URI;
import java.util.List;

/** Small valid fleets whose Ceph endpoint is a test RGW; tenants are given as (name, extra cache YAML). */
public final class StorageFleets {
    private StorageFleets() {
    }

    public record Tenant(String name, String cacheYaml, String deletionPolicy) {
        public static Tenant of(String name) {
            return new Tenant(name, "", null);
        }
    }

    /** A fleet file up to {@code tenants:}, its Ceph on {@code endpoint}; the caller appends the tenant items. */
    public static String header(URI endpoint) {
        return """
                apiVersion: buildfleet.dev/v1alpha1
                kind: Fleet
                config:
                  gitlab: {url: https://gitlab.example.com, cidrs: [10.10.0.10/32]}
                  kubernetesApi: {cidrs: [10.96.0.1/32]}
                  ceph: {endpoint: '%s', region: default, cidrs: [127.0.0.1/32]}
                tenants:
                """.formatted(endpoint);
    }

    static String yaml(URI endpoint, List<Tenant> tenants) {
        StringBuilder out = new StringBuilder(header(endpoint));
        for (Tenant t : tenants) {
            out.append("""
                      - apiVersion: buildfleet.dev/v1alpha1
                        kind: BuildTenant
                        metadata: {name: %s}
                        spec: {gitlab: {runner: {tokenSecretRef: {name: runner-token}}}, cache: {ttl: 36h%s}%s}
                    """.formatted(t.name(), t.cacheYaml().isEmpty() ? "" : ", " + t.cacheYaml(),
                    t.deletionPolicy() == null ? "" : ", storageDeletionPolicy: " + t.deletionPolicy()));
        }
        return out.toString();
    }

    public static Fleet fleet(URI endpoint, List<Tenant> tenants) {
        FleetLoader.Loaded loaded = FleetLoader.parse(yaml(endpoint, tenants));
        var problems = new java.util.ArrayList<>(loaded.problems());
        problems.addAll(FleetValidator.validate(loaded.fleet()));
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return loaded.fleet();
    }

    public static StoragePlan plan(URI endpoint, Tenant tenant) {
        Fleet fleet = fleet(endpoint, List.of(tenant));
        return StoragePlan.of(TenantResolver.resolve(fleet.config(), fleet.tenants().getFirst()));
    }
}
