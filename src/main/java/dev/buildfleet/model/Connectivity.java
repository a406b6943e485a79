package dev.buildfleet.model;

import dev.buildfleet.api.BuildTenantSpec;
import dev.buildfleet.config.Defaults;
import dev.buildfleet.config.FleetConfig;

/**
 * How a tenant's pods reach what is outside the cluster over TLS: the CA bundle they trust, copied by the operator
 * from {@code source} into the tenant namespace. Null {@code caBundle}: the images' own CAs only.
 */
public record Connectivity(CaBundle caBundle) {
    public static final Connectivity NONE = new Connectivity(null);

    /**
     * @param namespace where the source ConfigMap lives
     * @param field     the setting it comes from ({@code config.caBundle} or {@code spec.caBundle}), for messages
     */
    public record CaBundle(String namespace, String configMap, String key, String field) {
    }

    /** Where the CA bundle ConfigMaps live: caBundle.namespace, else the operator's namespace. */
    public static String namespace(FleetConfig config) {
        FleetConfig.CaBundle fleet = config.caBundle();
        return fleet != null && fleet.namespace() != null ? fleet.namespace()
                : config.operator() != null && config.operator().namespace() != null ? config.operator().namespace()
                : Defaults.OPERATOR_NAMESPACE;
    }

    static Connectivity resolve(FleetConfig config, BuildTenantSpec spec) {
        FleetConfig.CaBundle fleet = config.caBundle();
        if (fleet == null && spec.caBundle() == null) {
            return NONE;
        }
        String namespace = namespace(config);
        if (spec.caBundle() != null) {
            return new Connectivity(new CaBundle(namespace, spec.caBundle().configMap(),
                    spec.caBundle().key() == null ? FleetConfig.CaBundle.DEFAULT_KEY : spec.caBundle().key(),
                    "spec.caBundle"));
        }
        return new Connectivity(new CaBundle(namespace, fleet.configMap(), fleet.resolvedKey(), "config.caBundle"));
    }
}
