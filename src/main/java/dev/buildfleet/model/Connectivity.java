package dev.buildfleet.model;

import dev.buildfleet.api.BuildTenantSpec;
import dev.buildfleet.config.Defaults;
import dev.buildfleet.config.FleetConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How a tenant's pods reach what is outside the cluster: the CA bundle they trust (copied by the operator from its
 * source ConfigMap into the tenant namespace) and the HTTP proxy they go through. Either may be null: the images'
 * own CAs only, no proxy.
 */
public record Connectivity(CaBundle caBundle, Proxy proxy) {
    public static final Connectivity NONE = new Connectivity(null, null);
    /** Always direct: loopback and the cluster's own names (every Service is NAME.NAMESPACE.svc[.cluster.local]). */
    static final List<String> CLUSTER_NAMES = List.of("localhost", "127.0.0.1", ".svc", ".cluster.local");

    /**
     * @param namespace where the source ConfigMap lives
     * @param field     the setting it comes from ({@code config.caBundle} or {@code spec.caBundle}), for messages
     */
    public record CaBundle(String namespace, String configMap, String key, String field) {
    }

    /**
     * @param noProxy what goes direct: the cluster's names and ranges, the API server, the tenant's cache registry,
     *                then the platform's own entries
     * @param cidrs   where the proxy answers, and {@code ports} on which: the pods' only way out besides the named
     *                destinations
     */
    public record Proxy(String httpProxy, String httpsProxy, List<String> noProxy, List<String> cidrs,
                        List<Integer> ports) {
        /** NO_PROXY as Go, curl and the JDK clients here read it: comma-separated. */
        public String noProxyValue() {
            return String.join(",", noProxy);
        }
    }

    /** Where the CA bundle ConfigMaps live: caBundle.namespace, else the operator's namespace. */
    public static String namespace(FleetConfig config) {
        FleetConfig.CaBundle fleet = config.caBundle();
        return fleet != null && fleet.namespace() != null ? fleet.namespace()
                : config.operator() != null && config.operator().namespace() != null ? config.operator().namespace()
                : Defaults.OPERATOR_NAMESPACE;
    }

    static Connectivity resolve(FleetConfig config, String tenant, BuildTenantSpec spec) {
        return new Connectivity(caBundle(config, spec), proxy(config, tenant));
    }

    private static CaBundle caBundle(FleetConfig config, BuildTenantSpec spec) {
        FleetConfig.CaBundle fleet = config.caBundle();
        if (spec.caBundle() != null) {
            return new CaBundle(namespace(config), spec.caBundle().configMap(),
                    spec.caBundle().key() == null ? FleetConfig.CaBundle.DEFAULT_KEY : spec.caBundle().key(),
                    "spec.caBundle");
        }
        return fleet == null ? null
                : new CaBundle(namespace(config), fleet.configMap(), fleet.resolvedKey(), "config.caBundle");
    }

    private static Proxy proxy(FleetConfig config, String tenant) {
        FleetConfig.Proxy p = config.proxy();
        if (p == null || p.httpProxy() == null && p.httpsProxy() == null) {
            return null;
        }
        String http = p.httpProxy() != null ? p.httpProxy() : p.httpsProxy();
        String https = p.httpsProxy() != null ? p.httpsProxy() : p.httpProxy();
        return new Proxy(http, https, noProxy(config, tenant), p.cidrs() == null ? List.of() : List.copyOf(p.cidrs()),
                p.ports() != null ? List.copyOf(p.ports()) : portsOf(http, https));
    }

    /** The computed direct destinations, then the platform's, each once; {@code tenant} null: the operator's. */
    public static List<String> noProxy(FleetConfig config, String tenant) {
        Set<String> out = new LinkedHashSet<>(CLUSTER_NAMES);
        if (tenant != null) {
            out.add(Names.CACHE_REGISTRY);
            out.add(Names.CACHE_REGISTRY + "." + Names.namespace(tenant));
        }
        if (config.kubernetesApi() != null && config.kubernetesApi().cidrs() != null) {
            out.addAll(config.kubernetesApi().cidrs());
        }
        out.add("kubernetes.default");
        if (config.cluster() != null) {
            if (config.cluster().serviceCidrs() != null) {
                out.addAll(config.cluster().serviceCidrs());
            }
            if (config.cluster().podCidrs() != null) {
                out.addAll(config.cluster().podCidrs());
            }
        }
        if (config.proxy() != null && config.proxy().noProxy() != null) {
            out.addAll(config.proxy().noProxy());
        }
        return List.copyOf(out);
    }

    private static List<Integer> portsOf(String... urls) {
        Set<Integer> ports = new LinkedHashSet<>();
        for (String url : urls) {
            URI uri = URI.create(url);
            ports.add(uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80);
        }
        return new ArrayList<>(ports);
    }
}
