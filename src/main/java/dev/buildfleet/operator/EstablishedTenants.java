package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.validation.CrossTenantRules;
import dev.buildfleet.validation.Problem;
import dev.buildfleet.validation.TenantValidator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The cluster's other BuildTenants as {@link CrossTenantRules} sees them. A conflict belongs to the tenant created
 * later (then by name), so the tenant that was there first keeps running and the newcomer changes nothing. Each
 * tenant is validated and resolved once per generation, not once per reconcile of every other tenant.
 */
final class EstablishedTenants {
    /** Also the creation time, parsed once per tenant rather than once per comparison. */
    private record Resolved(long generation, CrossTenantRules.Entry entry, Instant created) {
    }

    private final FleetConfig config;
    private final Map<String, Resolved> byUid = new ConcurrentHashMap<>();

    EstablishedTenants(FleetConfig config) {
        this.config = config;
    }

    /** What {@code tenant} (already valid on its own, resolved as {@code resolved}) shares with an older tenant. */
    List<Problem> conflictsOf(BuildTenant tenant, ResolvedTenant resolved, Stream<BuildTenant> all) {
        String uid = uid(tenant);
        Instant created = created(tenant);
        String name = tenant.getMetadata().getName();
        List<CrossTenantRules.Entry> older = new ArrayList<>();
        all.forEach(other -> {
            if (Objects.equals(uid(other), uid)) {
                return;
            }
            Resolved cached = resolved(other);
            int age = cached.created().compareTo(created);
            if ((age < 0 || age == 0 && other.getMetadata().getName().compareTo(name) < 0) && cached.entry() != null) {
                older.add(cached.entry());
            }
        });
        return CrossTenantRules.check(entry(resolved), older);
    }

    void forget(BuildTenant tenant) {
        byUid.remove(uid(tenant));
    }

    private Resolved resolved(BuildTenant tenant) {
        long generation = tenant.getMetadata().getGeneration() == null ? 0 : tenant.getMetadata().getGeneration();
        Resolved cached = byUid.get(uid(tenant));
        if (cached == null || cached.generation() != generation) {
            CrossTenantRules.Entry entry = TenantValidator.validate(config, tenant).isEmpty()
                    ? entry(TenantResolver.resolve(config, tenant)) : null;
            cached = new Resolved(generation, entry, created(tenant));
            byUid.put(uid(tenant), cached);
        }
        return cached;
    }

    private static CrossTenantRules.Entry entry(ResolvedTenant t) {
        return new CrossTenantRules.Entry(t, "spec.", "BuildTenant " + t.name());
    }

    private static String uid(BuildTenant t) {
        return t.getMetadata().getUid() != null ? t.getMetadata().getUid() : t.getMetadata().getName();
    }

    private static Instant created(BuildTenant t) {
        String ts = t.getMetadata().getCreationTimestamp();
        return ts == null ? Instant.MAX : Instant.parse(ts);
    }
}
