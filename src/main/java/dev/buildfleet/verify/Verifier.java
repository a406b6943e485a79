package dev.buildfleet.verify;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.gitlab.GitLabRunners;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.storage.RgwAdminClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every check for the chosen tenants of a fleet against a live cluster, reading only: GET and LIST requests to
 * the API server (never a Secret), reads to RGW and GitLab when their checks are asked for.
 */
public final class Verifier {
    private final KubernetesClient client;
    private final Fleet fleet;
    private StorageCheck storage;
    private GitLabCheck gitlab;
    private String storageHint = "not checked: no RGW admin keys were given";
    private String gitlabHint = "not checked: no GitLab access token was given";

    public Verifier(KubernetesClient client, Fleet fleet) {
        this.client = client;
        this.fleet = fleet;
    }

    /** Checks storage isolation with the RGW admin user (Admin Ops reads) and each tenant's own key. */
    public Verifier withStorage(RgwAdminClient admin, Duration timeout) {
        this.storage = new StorageCheck(admin, timeout);
        return this;
    }

    public Verifier withGitLab(GitLabRunners runners) {
        this.gitlab = new GitLabCheck(runners);
        return this;
    }

    /** What the report says to do to run a skipped optional check. */
    public Verifier withSkipHints(String storage, String gitlab) {
        this.storageHint = storage;
        this.gitlabHint = gitlab;
        return this;
    }

    /**
     * @param tenants names of fleet tenants to check (all when empty)
     * @throws dev.buildfleet.validation.InvalidInputException when config.verify is invalid
     * @throws KubernetesClientException when the cluster cannot be read
     */
    public VerifyReport verify(List<String> tenants) {
        VerifySettings settings = VerifySettings.of(fleet.config());
        ClusterState cluster = ClusterState.read(client);
        LiveObjects live = new LiveObjects(client);
        Map<String, ResolvedTenant> resolved = new LinkedHashMap<>();
        Map<String, BuildTenant> declared = new LinkedHashMap<>();
        for (BuildTenant tenant : fleet.tenants()) {
            resolved.put(tenant.getMetadata().getName(), TenantResolver.resolve(fleet.config(), tenant));
            declared.put(tenant.getMetadata().getName(), tenant);
        }
        Map<String, String> tenantOfNamespace = new LinkedHashMap<>();
        resolved.values().forEach(t -> tenantOfNamespace.put(t.namespace(), t.name()));
        List<String> chosen = tenants.isEmpty() ? List.copyOf(resolved.keySet()) : tenants;

        List<CheckResult> results = new ArrayList<>();
        for (String name : chosen) {
            ResolvedTenant t = resolved.get(name);
            List<ObjectState> states = ObjectState.of(t, live);
            List<HasMetadata> desired = states.stream().map(ObjectState::desired).toList();
            results.addAll(DriftCheck.check(t, states));
            results.addAll(PlacementCheck.check(t, cluster, settings));
            results.addAll(NetworkCheck.check(t, cluster, desired));
            results.addAll(RbacCheck.check(t, cluster, settings, tenantOfNamespace, buildServiceAccount(states)));
            results.add(PodSecurityCheck.check(t, cluster, settings.podSecurity()));
            if (storage != null) {
                results.addAll(storage.check(t, List.copyOf(resolved.values())));
            } else {
                results.add(CheckResult.skipped(name, StorageCheck.NAME, storageHint, null));
            }
            if (gitlab != null) {
                results.add(gitlab.check(declared.get(name), t, liveTenant(name)));
            } else {
                results.add(CheckResult.skipped(name, GitLabCheck.NAME, gitlabHint, null));
            }
        }
        return new VerifyReport(chosen, results, List.of(NetworkCheck.CNI_NOTE,
                "verify only reads: GET and LIST requests to the API server, no Secret among them"));
    }

    private static ServiceAccount buildServiceAccount(List<ObjectState> states) {
        return states.stream().filter(s -> s.desired() instanceof ServiceAccount
                        && s.desired().getMetadata().getName().equals(Names.BUILD_SERVICE_ACCOUNT))
                .map(s -> (ServiceAccount) s.live()).findFirst().orElse(null);
    }

    /** The operator's BuildTenant of that name, or null (no CRD, or the fleet is applied from render). */
    private BuildTenant liveTenant(String name) {
        try {
            return client.resources(BuildTenant.class).withName(name).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return null;
            }
            throw e;
        }
    }
}
