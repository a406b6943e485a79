package dev.buildfleet.render;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.OperatorTenantClusterRole;
import dev.buildfleet.model.RunnerManagerClusterRole;
import dev.buildfleet.model.TenantObjects;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.validation.FleetValidator;
import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.validation.Problem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns a fleet into files: one folder per tenant with one YAML file per object and a kustomization.yaml, plus a
 * top-level kustomization.yaml with the fleet-wide ClusterRoles. Same input, same bytes.
 */
public final class FleetRenderer {
    private FleetRenderer() {
    }

    /** @return relative path to file content, sorted; nothing is computed for an invalid fleet */
    public static SortedMap<String, String> render(Fleet fleet) {
        List<Problem> problems = FleetValidator.validate(fleet);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return renderValid(fleet);
    }

    /**
     * {@link #render} of a fleet that {@link FleetValidator} has accepted already. Tenants are rendered in parallel:
     * each depends only on the fleet config and itself, and the sorted result does not depend on the order.
     */
    public static SortedMap<String, String> renderValid(Fleet fleet) {
        List<SortedMap<String, String>> tenantFiles = fleet.tenants().parallelStream()
                .map(tenant -> tenantFiles(TenantResolver.resolve(fleet.config(), tenant)))
                .toList();
        SortedMap<String, String> files = new TreeMap<>();
        tenantFiles.forEach(files::putAll);
        List<String> tenantDirs = fleet.tenants().stream().map(t -> t.getMetadata().getName()).sorted().toList();
        // The fleet-wide ClusterRoles the tenants' RoleBindings refer to (also part of the operator's install).
        // Files with a dot in their name never collide with a tenant folder (tenant names are DNS labels).
        List<String> resources = new ArrayList<>();
        for (ClusterRole role : List.of(RunnerManagerClusterRole.build(), OperatorTenantClusterRole.build())) {
            String file = "clusterrole-" + role.getMetadata().getName() + ".yaml";
            files.put(file, Yaml.write(role));
            resources.add(file);
        }
        resources.addAll(tenantDirs);
        files.put("kustomization.yaml", kustomization(resources));
        return files;
    }

    /** One folder named after the tenant: a file per object, numbered in apply order, and its kustomization. */
    private static SortedMap<String, String> tenantFiles(ResolvedTenant resolved) {
        String dir = resolved.name();
        SortedMap<String, String> files = new TreeMap<>();
        List<String> resources = new ArrayList<>();
        List<HasMetadata> objects = TenantObjects.build(resolved);
        for (int i = 0; i < objects.size(); i++) {
            HasMetadata object = objects.get(i);
            String file = String.format("%02d-%s-%s.yaml", i + 1, object.getKind().toLowerCase(Locale.ROOT),
                    object.getMetadata().getName());
            files.put(dir + "/" + file, Yaml.write(object));
            resources.add(file);
        }
        files.put(dir + "/kustomization.yaml", kustomization(resources));
        return files;
    }

    static String kustomization(List<String> resources) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("apiVersion", "kustomize.config.k8s.io/v1beta1");
        k.put("kind", "Kustomization");
        k.put("resources", resources);
        return Yaml.write(k);
    }
}
