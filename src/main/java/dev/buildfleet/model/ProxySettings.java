package dev.buildfleet.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fleet's HTTP proxy in the tenant's pods: HTTP_PROXY, HTTPS_PROXY and NO_PROXY, each also in lower case (Go
 * reads either, curl and git mostly the lower-case ones), in the runner and cache registry pods, the GC Job and
 * every job (config.toml {@code environment}). NO_PROXY keeps the cluster's own names and ranges, the API server and
 * the tenant's cache registry direct.
 */
public final class ProxySettings {
    private ProxySettings() {
    }

    static List<String> variables(Connectivity.Proxy proxy) {
        List<String> out = new ArrayList<>();
        for (String prefix : List.of("HTTP_PROXY=", "http_proxy=")) {
            out.add(prefix + proxy.httpProxy());
        }
        for (String prefix : List.of("HTTPS_PROXY=", "https_proxy=")) {
            out.add(prefix + proxy.httpsProxy());
        }
        for (String prefix : List.of("NO_PROXY=", "no_proxy=")) {
            out.add(prefix + proxy.noProxyValue());
        }
        return out;
    }

    /** The proxy variables in the runner's and the cache registry's containers. */
    public static List<HasMetadata> addTo(ResolvedTenant t, List<HasMetadata> objects) {
        if (t.connectivity().proxy() == null) {
            return objects;
        }
        for (HasMetadata object : objects) {
            if (object instanceof Deployment d && (Names.RUNNER_DEPLOYMENT.equals(d.getMetadata().getName())
                    || Names.CACHE_REGISTRY.equals(d.getMetadata().getName()))) {
                addTo(t, d.getSpec().getTemplate().getSpec());
            }
        }
        return objects;
    }

    public static void addTo(ResolvedTenant t, PodSpec pod) {
        if (t.connectivity().proxy() == null) {
            return;
        }
        for (Container container : pod.getContainers()) {
            List<EnvVar> env = new ArrayList<>(container.getEnv());
            for (String variable : variables(t.connectivity().proxy())) {
                int eq = variable.indexOf('=');
                env.add(new EnvVar(variable.substring(0, eq), variable.substring(eq + 1), null));
            }
            container.setEnv(env);
        }
    }

    /** The job environment: the runner passes these to the build, helper and service containers. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> addTo(ResolvedTenant t, Map<String, Object> document) {
        if (t.connectivity().proxy() == null) {
            return document;
        }
        for (Object entry : (List<Object>) document.get("runners")) {
            Map<String, Object> runner = (Map<String, Object>) entry;
            List<Object> environment = new ArrayList<>((List<Object>) runner.get("environment"));
            environment.addAll(variables(t.connectivity().proxy()));
            runner.put("environment", environment);
        }
        return document;
    }
}
