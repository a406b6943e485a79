package dev.buildfleet.validation;

import dev.buildfleet.api.JobResources;
import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.model.GoDuration;

import java.util.List;
import java.util.Map;

/** Rules for the platform-wide FleetConfig. */
public final class ConfigValidator {
    private ConfigValidator() {
    }

    public static List<Problem> validate(FleetConfig config, String prefix) {
        List<Problem> problems = new java.util.ArrayList<>();
        validate(config, prefix, problems);
        return problems;
    }

    public static void validate(FleetConfig config, String prefix, List<Problem> problems) {
        String p = prefix.isEmpty() ? "" : prefix + ".";
        if (config == null) {
            problems.add(new Problem(prefix, "missing"));
            return;
        }
        CaBundleRules.check(config, p, problems);
        ProxyRules.check(config, p, problems);
        FleetConfig.GitLab gitlab = config.gitlab();
        if (gitlab == null) {
            problems.add(new Problem(p + "gitlab", "missing; set url and the cidrs GitLab is reachable at"));
        } else {
            boolean allowHttp = Boolean.TRUE.equals(gitlab.allowInsecureHttp());
            check(problems, p + "gitlab.url", Checks.url(gitlab.url(), allowHttp,
                    "set " + p + "gitlab.allowInsecureHttp: true if you accept that"));
            cidrs(gitlab.cidrs(), p + "gitlab.cidrs", "GitLab", problems);
            openable(gitlab.cidrs(), p + "gitlab.cidrs", config, true, problems);
            ports(gitlab.ports(), p + "gitlab.ports", problems);
            FleetConfig.NamespacedSecretKey token = gitlab.accessTokenSecret();
            if (token != null) {
                secretRef(token.namespace(), token.name(), p + "gitlab.accessTokenSecret", problems);
                if (token.key() != null && !token.key().matches("^[-._a-zA-Z0-9]+$")) {
                    problems.add(new Problem(p + "gitlab.accessTokenSecret.key", "'" + token.key()
                            + "' is not a Secret key (letters, digits, '-', '_' and '.')"));
                }
            }
            if (gitlab.caBundle() != null && (gitlab.caBundle().isBlank() || !gitlab.caBundle().startsWith("/"))) {
                problems.add(new Problem(p + "gitlab.caBundle", "'" + gitlab.caBundle() + "' is not an absolute "
                        + "path to a PEM file (mount the CA bundle into the operator pod and name its path)"));
            }
            if (gitlab.proxy() != null) {
                check(problems, p + "gitlab.proxy", Checks.url(gitlab.proxy(), true, ""));
            }
            if (gitlab.timeoutSeconds() != null && (gitlab.timeoutSeconds() < 1 || gitlab.timeoutSeconds() > 600)) {
                problems.add(new Problem(p + "gitlab.timeoutSeconds", gitlab.timeoutSeconds()
                        + " is out of range; use 1 to 600 seconds"));
            }
            if (gitlab.tokenRotationMarginDays() != null && (gitlab.tokenRotationMarginDays() < 1
                    || gitlab.tokenRotationMarginDays() > 365)) {
                problems.add(new Problem(p + "gitlab.tokenRotationMarginDays", gitlab.tokenRotationMarginDays()
                        + " is out of range; use 1 to 365 days"));
            }
        }
        if (config.kubernetesApi() == null) {
            problems.add(new Problem(p + "kubernetesApi", "missing; set cidrs (the API server's addresses, e.g. "
                    + "the endpoints of `kubectl get endpoints kubernetes`) so runner managers may reach it"));
        } else {
            cidrs(config.kubernetesApi().cidrs(), p + "kubernetesApi.cidrs", "the Kubernetes API server", problems);
            openable(config.kubernetesApi().cidrs(), p + "kubernetesApi.cidrs", config, false, problems);
            ports(config.kubernetesApi().ports(), p + "kubernetesApi.ports", problems);
        }
        if (config.cluster() != null) {
            optionalCidrs(config.cluster().podCidrs(), p + "cluster.podCidrs", problems);
            optionalCidrs(config.cluster().serviceCidrs(), p + "cluster.serviceCidrs", problems);
        }
        if (config.egressPolicy() != null) {
            optionalCidrs(config.egressPolicy().allowedRanges(), p + "egressPolicy.allowedRanges", problems);
        }
        if (config.ceph() == null) {
            problems.add(new Problem(p + "ceph", "missing; set endpoint (the RGW S3 URL) and cidrs"));
        } else {
            check(problems, p + "ceph.endpoint", Checks.rgwEndpoint(config.ceph().endpoint()));
            cidrs(config.ceph().cidrs(), p + "ceph.cidrs", "Ceph RGW", problems);
            openable(config.ceph().cidrs(), p + "ceph.cidrs", config, true, problems);
            if (config.ceph().adminEndpoint() != null) {
                check(problems, p + "ceph.adminEndpoint", Checks.rgwEndpoint(config.ceph().adminEndpoint()));
            }
            FleetConfig.NamespacedSecret admin = config.ceph().adminCredentialsSecret();
            if (admin != null) {
                secretRef(admin.namespace(), admin.name(), p + "ceph.adminCredentialsSecret", problems);
            }
        }
        if (config.images() != null) {
            if (config.images().runner() != null) {
                check(problems, p + "images.runner", Checks.image(config.images().runner()));
            }
            if (config.images().runnerHelper() != null) {
                check(problems, p + "images.runnerHelper", Checks.image(config.images().runnerHelper()));
            }
            if (config.images().cacheRegistry() != null) {
                check(problems, p + "images.cacheRegistry", Checks.image(config.images().cacheRegistry()));
            }
            List<String> mirrors = config.images().registryMirrors();
            for (int i = 0; mirrors != null && i < mirrors.size(); i++) {
                String mirror = mirrors.get(i);
                if (mirror == null || !REGISTRY_MIRROR.matcher(mirror).matches()) {
                    problems.add(new Problem(p + "images.registryMirrors[" + i + "]", "'" + mirror + "' is not a "
                            + "registry host[:port][/path] like mirror.example.com or nexus.example.com:8443/docker-hub "
                            + "(no scheme, no spaces)"));
                } else if (mirrors.indexOf(mirror) != i) {
                    problems.add(new Problem(p + "images.registryMirrors[" + i + "]", "'" + mirror
                            + "' is listed twice"));
                }
            }
            if (config.images().builder() != null) {
                check(problems, p + "images.builder", Checks.image(config.images().builder()));
            }
        }
        if (config.dns() != null) {
            if (config.dns().namespace() != null && !Checks.DNS_LABEL.matcher(config.dns().namespace()).matches()) {
                problems.add(new Problem(p + "dns.namespace", "'" + config.dns().namespace()
                        + "' is not a namespace name"));
            }
            labels(config.dns().podSelector(), p + "dns.podSelector", problems);
        }
        if (config.monitoring() != null && config.monitoring().namespace() != null
                && !Checks.DNS_LABEL.matcher(config.monitoring().namespace()).matches()) {
            problems.add(new Problem(p + "monitoring.namespace", "'" + config.monitoring().namespace()
                    + "' is not a namespace name"));
        }
        if (config.defaults() != null) {
            resources(config.defaults().jobResources(), p + "defaults.jobResources", problems);
            resources(config.defaults().helperResources(), p + "defaults.helperResources", problems);
            noOverwrite(config.defaults().helperResources(), p + "defaults.helperResources", problems);
            if (config.defaults().cacheTtl() != null) {
                ttl(config.defaults().cacheTtl(), p + "defaults.cacheTtl", problems);
            }
            if (config.defaults().cacheExpiryInterval() != null) {
                ttl(config.defaults().cacheExpiryInterval(), p + "defaults.cacheExpiryInterval", problems);
            }
            ImagePolicyRules.validateFleetDefault(config.defaults().imagePolicy(), p + "defaults.imagePolicy",
                    problems);
            PodSettingsRules.imagePullSecrets(config.defaults().imagePullSecrets(), p + "defaults.imagePullSecrets",
                    problems);
        }
        PodSettingsRules.hostAliases(config.hostAliases(), p + "hostAliases", problems);
        PodSettingsRules.dnsConfig(config.dnsConfig(), p + "dnsConfig", problems);
        if (config.operator() != null && config.operator().namespace() != null
                && !Checks.DNS_LABEL.matcher(config.operator().namespace()).matches()) {
            problems.add(new Problem(p + "operator.namespace", "'" + config.operator().namespace()
                    + "' is not a namespace name"));
        }
    }

    static void check(List<Problem> problems, String path, String message) {
        if (message != null) {
            problems.add(new Problem(path, message));
        }
    }

    static void cidrs(List<String> cidrs, String path, String what, List<Problem> problems) {
        if (cidrs == null || cidrs.isEmpty()) {
            problems.add(new Problem(path, "empty; list the CIDRs of " + what
                    + " (NetworkPolicies allow traffic by address, not by name)"));
            return;
        }
        for (int i = 0; i < cidrs.size(); i++) {
            check(problems, path + "[" + i + "]", Cidr.check(cidrs.get(i)));
        }
    }

    /** Each CIDR that egress rules would open must stay clear of the ranges {@link EgressRanges} protects. */
    static void openable(List<String> cidrs, String path, FleetConfig config, boolean notTheApiServer,
                         List<Problem> problems) {
        if (cidrs != null) {
            for (int i = 0; i < cidrs.size(); i++) {
                check(problems, path + "[" + i + "]", EgressRanges.refusal(cidrs.get(i), config, notTheApiServer));
            }
        }
    }

    private static void optionalCidrs(List<String> cidrs, String path, List<Problem> problems) {
        if (cidrs != null) {
            for (int i = 0; i < cidrs.size(); i++) {
                check(problems, path + "[" + i + "]", Cidr.check(cidrs.get(i)));
            }
        }
    }

    static void ports(List<Integer> ports, String path, List<Problem> problems) {
        if (ports == null) {
            return;
        }
        if (ports.isEmpty()) {
            problems.add(new Problem(path, "empty; list at least one port or leave the field out"));
        }
        for (int i = 0; i < ports.size(); i++) {
            Integer port = ports.get(i);
            if (port == null || port < 1 || port > 65535) {
                problems.add(new Problem(path + "[" + i + "]", port + " is not a port (1..65535)"));
            }
        }
    }

    static void labels(Map<String, String> labels, String path, List<Problem> problems) {
        if (labels == null) {
            return;
        }
        labels.forEach((key, value) -> {
            check(problems, path + "." + key, Checks.labelKey(key));
            check(problems, path + "." + key, Checks.labelValue(value));
        });
    }

    static void ttl(String ttl, String path, List<Problem> problems) {
        try {
            if (GoDuration.parse(ttl).isZero()) {
                problems.add(new Problem(path, "must be longer than 0s"));
            }
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(path, e.getMessage()));
        }
    }

    private static final java.util.regex.Pattern REGISTRY_MIRROR = java.util.regex.Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?(/[a-z0-9._-]+)*");

    static void resources(JobResources resources, String path, List<Problem> problems) {
        if (resources == null) {
            return;
        }
        range(resources.cpu(), QuantityRange.CPU, path + ".cpu", problems);
        range(resources.memory(), QuantityRange.BYTES_PER_JOB, path + ".memory", problems);
        range(resources.ephemeralStorage(), QuantityRange.BYTES_PER_JOB, path + ".ephemeralStorage", problems);
    }

    private static void range(dev.buildfleet.api.ResourceRange range, QuantityRange most, String path,
                              List<Problem> problems) {
        if (range == null) {
            return;
        }
        var request = Checks.quantity(range.request(), most, path + ".request", problems);
        var limit = Checks.quantity(range.limit(), most, path + ".limit", problems);
        if (request != null && limit != null && limit.compareTo(request) < 0) {
            problems.add(new Problem(path + ".limit", range.limit() + " is below the request " + range.request()
                    + "; a limit must be at least the request"));
        }
        Checks.quantity(range.maxRequest(), most, path + ".maxRequest", problems);
        Checks.quantity(range.maxLimit(), most, path + ".maxLimit", problems);
    }

    /** The helper runs gitlab-runner's own steps; jobs may raise their build container only. */
    private static void noOverwrite(JobResources resources, String path, List<Problem> problems) {
        if (resources == null) {
            return;
        }
        java.util.Map<String, dev.buildfleet.api.ResourceRange> parts = new java.util.LinkedHashMap<>();
        parts.put("cpu", resources.cpu());
        parts.put("memory", resources.memory());
        parts.put("ephemeralStorage", resources.ephemeralStorage());
        parts.forEach((name, range) -> {
            if (range != null && range.maxRequest() != null) {
                problems.add(new Problem(path + "." + name + ".maxRequest", "jobs cannot resize the helper "
                        + "container; set maxRequest under defaults.jobResources or a tenant's jobResources"));
            }
            if (range != null && range.maxLimit() != null) {
                problems.add(new Problem(path + "." + name + ".maxLimit", "jobs cannot resize the helper "
                        + "container; set maxLimit under defaults.jobResources or a tenant's jobResources"));
            }
        });
    }

    private static void secretRef(String namespace, String name, String path, List<Problem> problems) {
        if (namespace == null || !Checks.DNS_LABEL.matcher(namespace).matches() || namespace.length() > 63) {
            problems.add(new Problem(path + ".namespace", "'" + namespace
                    + "' is not a namespace name (lowercase letters, digits and '-')"));
        }
        if (name == null || !Checks.DNS_SUBDOMAIN.matcher(name).matches() || name.length() > 253) {
            problems.add(new Problem(path + ".name", "'" + name
                    + "' is not a Secret name (lowercase letters, digits, '-' and '.')"));
        }
    }
}
