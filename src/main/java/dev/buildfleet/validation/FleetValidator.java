package dev.buildfleet.validation;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantResolver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Every rule for a whole fleet: the config, each tenant, and what tenants must not share. */
public final class FleetValidator {
    private FleetValidator() {
    }

    /** Reads and checks a fleet file; throws with every problem, structural and semantic, when there is any. */
    public static Fleet loadValid(java.nio.file.Path file) {
        FleetLoader.Loaded loaded = FleetLoader.read(file);
        List<Problem> problems = new ArrayList<>(loaded.problems());
        problems.addAll(validate(loaded.fleet()));
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return loaded.fleet();
    }

    public static List<Problem> validate(Fleet fleet) {
        List<Problem> problems = new ArrayList<>();
        // A missing or unreadable config or tenant entry was already reported by FleetLoader.
        if (fleet.config() != null) {
            ConfigValidator.validate(fleet.config(), "config", problems);
        }
        boolean configValid = fleet.config() != null && problems.isEmpty();
        List<BuildTenant> tenants = fleet.tenants() == null ? List.of() : fleet.tenants();
        if (fleet.tenants() != null && tenants.isEmpty()) {
            problems.add(new Problem("tenants", "empty; list at least one BuildTenant"));
        }
        Map<String, Integer> names = new HashMap<>();
        List<Integer> validTenants = new ArrayList<>();
        for (int i = 0; i < tenants.size(); i++) {
            BuildTenant tenant = tenants.get(i);
            String path = "tenants[" + i + "]";
            if (tenant == null) {
                continue;
            }
            int before = problems.size();
            TenantValidator.validate(fleet.config(), configValid, tenant, path, problems);
            String name = tenant.getMetadata() == null ? null : tenant.getMetadata().getName();
            if (name != null) {
                Integer first = names.putIfAbsent(name, i);
                if (first != null) {
                    problems.add(new Problem(path + ".metadata.name", "'" + name + "' is already used by tenants["
                            + first + "]; tenant names must be unique"));
                }
            }
            if (problems.size() == before) {
                validTenants.add(i);
            }
        }
        if (configValid) {
            shared(fleet, validTenants, problems);
        }
        return problems;
    }

    /** Tenants must never share a bucket, and no tenant's node selector may also match another tenant's nodes. */
    private static void shared(Fleet fleet, List<Integer> indexes, List<Problem> problems) {
        Map<String, Integer> buckets = new HashMap<>();
        List<ResolvedTenant> resolved = new ArrayList<>();
        for (int i : indexes) {
            resolved.add(TenantResolver.resolve(fleet.config(), fleet.tenants().get(i)));
        }
        for (int a = 0; a < resolved.size(); a++) {
            ResolvedTenant t = resolved.get(a);
            String path = "tenants[" + indexes.get(a) + "].spec.";
            Integer other = buckets.putIfAbsent(t.cache().bucket(), indexes.get(a));
            if (other != null) {
                problems.add(new Problem(path + "cache.bucket", "'" + t.cache().bucket() + "' is also the bucket of "
                        + "tenants[" + other + "]; each tenant needs its own bucket"));
            }
            for (int b = 0; b < a; b++) {
                ResolvedTenant earlier = resolved.get(b);
                if (t.nodeSelector().entrySet().containsAll(earlier.nodeSelector().entrySet())
                        || earlier.nodeSelector().entrySet().containsAll(t.nodeSelector().entrySet())) {
                    problems.add(new Problem(path + "nodes.selector", "node labels " + t.nodeSelector()
                            + " overlap tenants[" + indexes.get(b) + "] (" + earlier.name() + ") "
                            + earlier.nodeSelector() + ": one tenant's pods could run on the other's nodes; "
                            + "give each tenant a label of its own, e.g. buildfleet.dev/tenant=" + t.name()));
                }
            }
        }
    }
}
