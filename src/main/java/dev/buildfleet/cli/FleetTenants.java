package dev.buildfleet.cli;

import dev.buildfleet.config.Fleet;
import picocli.CommandLine;

import java.util.List;
import java.util.stream.Collectors;

/** The tenants a --tenant option chooses: that one, or every tenant when it is not given. */
final class FleetTenants {
    private FleetTenants() {
    }

    /** @return the one tenant, or an empty list for all; a name not in the fleet is a usage error */
    static List<String> chosen(CommandLine cmd, Fleet fleet, String tenant) {
        if (tenant == null) {
            return List.of();
        }
        List<String> names = fleet.tenants().stream().map(t -> t.getMetadata().getName()).toList();
        if (!names.contains(tenant)) {
            throw new CommandLine.ParameterException(cmd, "--tenant '" + tenant + "' is not a tenant of the fleet "
                    + "(it has: " + names.stream().collect(Collectors.joining(", ")) + ")");
        }
        return List.of(tenant);
    }
}
