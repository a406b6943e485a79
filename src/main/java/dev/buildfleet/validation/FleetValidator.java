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
        return valid(FleetLoader.read(file));
    }

    /** The fleet as read, if it has no problem, structural or semantic; else throws with every problem. */
    public static Fleet valid(FleetLoader.Loaded loaded) {
        List<Problem> problems = new ArrayList<>(loaded.problems());
        problems.addAll(loaded.placed(validate(loaded.fleet())));
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

    /** What tenants must not share ({@link CrossTenantRules}); each conflict is reported on the later entry. */
    private static void shared(Fleet fleet, List<Integer> indexes, List<Problem> problems) {
        List<CrossTenantRules.Entry> earlier = new ArrayList<>();
        for (int i : indexes) {
            ResolvedTenant t = TenantResolver.resolve(fleet.config(), fleet.tenants().get(i));
            CrossTenantRules.Entry entry = new CrossTenantRules.Entry(t, "tenants[" + i + "].spec.",
                    "tenants[" + i + "] (" + t.name() + ")");
            problems.addAll(CrossTenantRules.check(entry, earlier));
            earlier.add(entry);
        }
    }
}
