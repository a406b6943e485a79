package dev.buildfleet.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Per-tenant units for GitOps tools, so that Argo CD or Flux builds one small kustomization per tenant instead of
 * the top-level one of the whole fleet (which kustomize builds in time that grows faster than the fleet). Each
 * tenant folder is already a unit; the fleet-wide ClusterRoles get one of their own ({@value #CLUSTER_ROLES_DIR},
 * a name no tenant can have: tenant names hold no dot). Added to render's output on request.
 */
public final class GitOpsUnits {
    public static final String CLUSTER_ROLES_DIR = "cluster-roles.d";
    static final String ARGOCD_DIR = "argocd";
    static final String FLUX_DIR = "flux";

    public enum Tool { ARGOCD, FLUX }

    /**
     * Where the rendered directory lives in git: {@code repo} (Argo CD: the repository URL; Flux: the name of the
     * GitRepository source in flux-system), {@code revision} (Argo CD only) and {@code path} inside the repository.
     */
    public record Source(String repo, String revision, String path) {
    }

    private GitOpsUnits() {
    }

    /** {@code files} (render's output) plus the units for {@code tool}; {@code tenants} are the tenant folders. */
    public static SortedMap<String, String> add(SortedMap<String, String> files, List<String> tenants, Tool tool,
                                                Source source) {
        SortedMap<String, String> out = new TreeMap<>(files);
        List<String> roles = new ArrayList<>();
        files.forEach((file, content) -> {
            if (file.startsWith("clusterrole-") && !file.contains("/")) {
                out.put(CLUSTER_ROLES_DIR + "/" + file, content);
                roles.add(file);
            }
        });
        out.put(CLUSTER_ROLES_DIR + "/kustomization.yaml", FleetRenderer.kustomization(roles));
        if (tool == Tool.ARGOCD) {
            out.put(ARGOCD_DIR + "/applicationset.yaml", Yaml.write(applicationSet(source)));
        } else {
            List<String> units = new ArrayList<>();
            out.put(FLUX_DIR + "/cluster-roles.yaml", Yaml.write(fluxKustomization("bf-cluster-roles",
                    CLUSTER_ROLES_DIR, source, List.of())));
            units.add("cluster-roles.yaml");
            for (String tenant : tenants) {
                out.put(FLUX_DIR + "/" + tenant + ".yaml", Yaml.write(fluxKustomization("bf-" + tenant, tenant,
                        source, List.of("bf-cluster-roles"))));
                units.add(tenant + ".yaml");
            }
            out.put(FLUX_DIR + "/kustomization.yaml", FleetRenderer.kustomization(units));
        }
        return out;
    }

    /**
     * One Application per folder of the render (tenants and the ClusterRoles). A tenant that leaves the fleet takes
     * its Application away but not its objects (preserveResourcesOnDeletion): deleting a tenant's namespace is a
     * decision for the operator's finalizer or a person, never a side effect of a folder vanishing from git.
     */
    private static Map<String, Object> applicationSet(Source source) {
        String root = source.path().isEmpty() ? "" : source.path() + "/";
        Map<String, Object> git = new LinkedHashMap<>();
        git.put("repoURL", source.repo());
        git.put("revision", source.revision());
        git.put("directories", List.of(Map.of("path", root + "*"),
                Map.of("path", root + ARGOCD_DIR, "exclude", true), Map.of("path", root + FLUX_DIR, "exclude", true)));
        Map<String, Object> template = new LinkedHashMap<>();
        template.put("metadata", Map.of("name", "bf-{{.path.basenameNormalized}}"));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("project", "default");
        spec.put("source", Map.of("repoURL", source.repo(), "targetRevision", source.revision(),
                "path", "{{.path.path}}"));
        spec.put("destination", Map.of("server", "https://kubernetes.default.svc"));
        spec.put("syncPolicy", Map.of("automated", Map.of("prune", true, "selfHeal", true)));
        template.put("spec", spec);
        Map<String, Object> setSpec = new LinkedHashMap<>();
        setSpec.put("goTemplate", true);
        setSpec.put("goTemplateOptions", List.of("missingkey=error"));
        setSpec.put("generators", List.of(Map.of("git", git)));
        setSpec.put("syncPolicy", Map.of("preserveResourcesOnDeletion", true));
        setSpec.put("template", template);
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("apiVersion", "argoproj.io/v1alpha1");
        set.put("kind", "ApplicationSet");
        set.put("metadata", Map.of("name", "buildfleet-tenants", "namespace", "argocd"));
        set.put("spec", setSpec);
        return set;
    }

    private static Map<String, Object> fluxKustomization(String name, String dir, Source source,
                                                         List<String> dependsOn) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("interval", "10m");
        spec.put("path", "./" + (source.path().isEmpty() ? "" : source.path() + "/") + dir);
        // A tenant removed from git keeps its objects until the operator or a person removes them (as with Argo CD).
        spec.put("prune", false);
        spec.put("sourceRef", Map.of("kind", "GitRepository", "name", source.repo()));
        if (!dependsOn.isEmpty()) {
            spec.put("dependsOn", dependsOn.stream().map(d -> Map.of("name", d)).toList());
        }
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("apiVersion", "kustomize.toolkit.fluxcd.io/v1");
        k.put("kind", "Kustomization");
        k.put("metadata", Map.of("name", name, "namespace", "flux-system"));
        k.put("spec", spec);
        return k;
    }
}
