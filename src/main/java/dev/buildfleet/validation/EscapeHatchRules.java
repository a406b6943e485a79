package dev.buildfleet.validation;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the escape hatches may carry: {@code spec.runnerConfig} (extra keys of the tenant's {@code [[runners]]}
 * entry in config.toml) and {@code spec.runnerPodPatch} (a patch of the runner manager's pod template). Neither may
 * move pods off the tenant's nodes, change the namespace or ServiceAccount, reach the API token, run privileged, add
 * capabilities, use the host's namespaces, paths or ports, or take over what buildfleet sets from another field.
 */
public final class EscapeHatchRules {
    /** Volumes the manager pod has, which a patch may not replace. */
    public static final Set<String> MANAGER_VOLUMES = Set.of("config-template", "config", "home", "tmp");

    private static final int MAX_DEPTH = 6;
    private static final int MAX_TEXT = 16_384;

    /**
     * Keys (at any depth) whose name says they decide isolation or are buildfleet's: matched as parts of the name, so
     * that a key gitlab-runner adds later (say another {@code *_overwrite_allowed}) is refused too.
     */
    private static final List<Map.Entry<Pattern, String>> RUNNER_KEY_RULES = List.of(
            rule("token", "the runner's token comes from its Secret (spec.gitlab.runner) and is put in by the pod"),
            rule("namespace", "job pods run in the tenant's namespace, which buildfleet sets"),
            rule("service_account|bearer|automount", "job pods run as the build ServiceAccount without an API token"),
            rule("privilege", "job containers never run privileged or escalate privileges"),
            rule("cap_add|cap_drop|capabilit", "job containers get no capability beyond the runtime's defaults "
                    + "(NET_RAW dropped)"),
            rule("security_context|seccomp|apparmor|selinux|proc_mount|run_as|runtime_class",
                    "job containers' security contexts are buildfleet's"),
            rule("host", "job pods never use the host's network, PID/IPC namespaces, paths or ports; names go in "
                    + "spec.hostAliases"),
            rule("node_|affinity|scheduler|toleration|topology", "job pods run on the tenant's nodes only "
                    + "(spec.nodes)"),
            rule("overwrite", "jobs may override only what buildfleet allows (spec.jobResources maxRequest/maxLimit)"),
            rule("volume|mount|pvc|csi|empty_dir|config_map|secret", "job pods mount only what buildfleet gives them"),
            rule("pod_spec|pod_labels|labels", "job pods' labels select their NetworkPolicies and quota"),
            rule("image|pull_polic|allowed_", "images and pull policies come from spec.imagePolicy, spec.builder and "
                    + "config.images"),
            rule("services", "services are images too: spec.imagePolicy.allowedServices"),
            rule("cpu|memory|ephemeral", "job sizes come from spec.jobResources (and config.defaults)"),
            rule("dns", "resolver settings come from spec.dnsConfig"),
            rule("url|tls|cert|ca_file|key_file|context|host", "the runner talks to spec.gitlab's GitLab with "
                    + "config.caBundle; jobs would send their job token elsewhere"),
            rule("cache", "the runner cache is the tenant's bucket (spec.cache)"),
            Map.entry(Pattern.compile("executor|limit|name|concurrent"), "buildfleet sets it from the tenant "
                    + "(its name, spec.concurrency)"));
    /** Keys whose names match a rule above but decide nothing of isolation. */
    private static final Set<String> HARMLESS = Set.of("helper_image_flavor", "request_concurrency", "cache_dir");

    /** Variables of [[runners]] environment that buildfleet sets and jobs rely on. */
    private static final Pattern OWNED_VARIABLE = Pattern.compile(
            "BUILDFLEET_.*|DOCKER_CONFIG|SSL_CERT_DIR|SSL_CERT_FILE|(?i:https?_proxy|no_proxy)");
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);
    private static final Pattern FEATURE_FLAG = Pattern.compile("FF_[A-Z0-9_]+");
    private static final Pattern LABEL_OR_ANNOTATION_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

    private EscapeHatchRules() {
    }

    private static Map.Entry<Pattern, String> rule(String parts, String why) {
        return Map.entry(Pattern.compile(".*(" + parts + ").*"), why);
    }

    /** {@code spec.runnerConfig}: keys of [[runners]], merged into what buildfleet writes. */
    public static void runnerConfig(Map<String, Object> config, String path, List<Problem> problems) {
        if (config == null) {
            return;
        }
        config.forEach((key, value) -> {
            String p = path + "." + key;
            switch (key) {
                case "environment" -> environment(value, p, problems);
                case "feature_flags" -> featureFlags(value, p, problems);
                case "kubernetes" -> {
                    if (!(value instanceof Map<?, ?> kubernetes)) {
                        problems.add(new Problem(p, "must be a mapping of [runners.kubernetes] keys"));
                    } else {
                        kubernetes.forEach((k, v) -> runnerKey(String.valueOf(k), v, p + "." + k, 1, problems));
                    }
                }
                default -> runnerKey(key, value, p, 0, problems);
            }
        });
    }

    private static void runnerKey(String key, Object value, String path, int depth, List<Problem> problems) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (HARMLESS.contains(lower)) {
            tomlValue(value, path, depth, problems);
            return;
        }
        for (Map.Entry<Pattern, String> rule : RUNNER_KEY_RULES) {
            if (rule.getKey().matcher(lower).matches()) {
                problems.add(new Problem(path, "not settable here: " + rule.getValue()));
                return;
            }
        }
        if ("pod_annotations".equals(lower)) {
            if (!(value instanceof Map<?, ?> annotations)) {
                problems.add(new Problem(path, "must be a mapping of annotation keys to text"));
                return;
            }
            annotations.forEach((k, v) -> {
                annotation(String.valueOf(k), path + "." + k, problems);
                if (!(v instanceof String)) {
                    problems.add(new Problem(path + "." + k, "must be text (quote numbers and true/false)"));
                }
            });
            return;
        }
        tomlValue(value, path, depth, problems);
    }

    /** Values TOML can hold: text, numbers, true/false, lists and tables of those (TOML has no null). */
    private static void tomlValue(Object value, String path, int depth, List<Problem> problems) {
        if (depth > MAX_DEPTH) {
            problems.add(new Problem(path, "nested deeper than gitlab-runner's config.toml goes"));
        } else if (value == null) {
            problems.add(new Problem(path, "empty; TOML has no null: remove the key to leave it unset"));
        } else if (value instanceof String text) {
            if (text.length() > MAX_TEXT) {
                problems.add(new Problem(path, "longer than " + MAX_TEXT + " characters"));
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                tomlValue(list.get(i), path + "[" + i + "]", depth + 1, problems);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> runnerKey(String.valueOf(k), v, path + "." + k, depth + 1, problems));
        } else if (!(value instanceof Number || value instanceof Boolean)) {
            problems.add(new Problem(path, "not a TOML value"));
        }
    }

    private static void environment(Object value, String path, List<Problem> problems) {
        if (!(value instanceof List<?> list)) {
            problems.add(new Problem(path, "must be a list of NAME=value entries"));
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String p = path + "[" + i + "]";
            if (!(list.get(i) instanceof String entry) || !VARIABLE.matcher(entry).matches()) {
                problems.add(new Problem(p, "not NAME=value"));
            } else if (OWNED_VARIABLE.matcher(entry.substring(0, entry.indexOf('='))).matches()) {
                problems.add(new Problem(p, entry.substring(0, entry.indexOf('=')) + " is set by buildfleet (the "
                        + "cache registry, CA bundle and proxy settings jobs rely on); name another variable"));
            } else if (entry.length() > MAX_TEXT) {
                problems.add(new Problem(p, "longer than " + MAX_TEXT + " characters"));
            }
        }
    }

    private static void featureFlags(Object value, String path, List<Problem> problems) {
        if (!(value instanceof Map<?, ?> flags)) {
            problems.add(new Problem(path, "must be a mapping of FF_... flags to true or false"));
            return;
        }
        flags.forEach((k, v) -> {
            String p = path + "." + k;
            if (!FEATURE_FLAG.matcher(String.valueOf(k)).matches()) {
                problems.add(new Problem(p, "not a gitlab-runner feature flag (FF_...)"));
            } else if ("FF_DISABLE_AUTOMATIC_TOKEN_ROTATION".equals(k)) {
                problems.add(new Problem(p, "buildfleet rotates the token itself and keeps the runner's own "
                        + "rotation off, or the Secret would keep a dead token"));
            } else if (!(v instanceof Boolean)) {
                problems.add(new Problem(p, "must be true or false"));
            }
        });
    }

    private static void annotation(String key, String path, List<Problem> problems) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (!LABEL_OR_ANNOTATION_KEY.matcher(key).matches() || key.length() > 317) {
            problems.add(new Problem(path, "not an annotation key (prefix/name)"));
        } else if (lower.contains("apparmor") || lower.contains("seccomp") || lower.startsWith("buildfleet.dev/")) {
            problems.add(new Problem(path, "security profiles and buildfleet.dev/ annotations are buildfleet's"));
        }
    }

    /**
     * {@code spec.runnerPodPatch}: a patch of the manager's pod template, merged like a strategic merge patch
     * (containers, env, volumes and volumeMounts by name). Only what cannot weaken isolation may be in it: labels and
     * annotations, the priority class and grace period, and of the runner and install-config containers their
     * resources, env and mounts of configMap, secret or emptyDir volumes it adds.
     */
    public static void runnerPodPatch(Map<String, Object> patch, String path, List<Problem> problems) {
        if (patch == null) {
            return;
        }
        patch.forEach((key, value) -> {
            String p = path + "." + key;
            switch (key) {
                case "metadata" -> podMetadata(value, p, problems);
                case "spec" -> podSpec(value, p, problems);
                default -> problems.add(new Problem(p, "a pod template has metadata and spec only"));
            }
        });
    }

    private static void podMetadata(Object value, String path, List<Problem> problems) {
        if (!(value instanceof Map<?, ?> metadata)) {
            problems.add(new Problem(path, "must be a mapping"));
            return;
        }
        metadata.forEach((k, v) -> {
            String p = path + "." + k;
            if (!"labels".equals(k) && !"annotations".equals(k)) {
                problems.add(new Problem(p, "a patch may set labels and annotations only"));
            } else if (!(v instanceof Map<?, ?> entries)) {
                problems.add(new Problem(p, "must be a mapping of keys to text"));
            } else {
                entries.forEach((name, text) -> {
                    String e = p + "." + name;
                    String lower = String.valueOf(name).toLowerCase(Locale.ROOT);
                    if (!LABEL_OR_ANNOTATION_KEY.matcher(String.valueOf(name)).matches()) {
                        problems.add(new Problem(e, "not a " + ("labels".equals(k) ? "label" : "annotation")
                                + " key (prefix/name)"));
                    } else if (lower.startsWith("buildfleet.dev/") || lower.startsWith("app.kubernetes.io/")) {
                        problems.add(new Problem(e, "buildfleet's own: its labels select the runner's "
                                + "NetworkPolicies, Service and Deployment"));
                    } else if (lower.contains("apparmor") || lower.contains("seccomp")
                            || lower.startsWith("sidecar.istio.io/") || lower.contains("inject")) {
                        problems.add(new Problem(e, "would change the pod's security profile or inject a container "
                                + "that shares the runner's API token"));
                    } else if (!(text instanceof String)) {
                        problems.add(new Problem(e, "must be text (quote numbers and true/false)"));
                    }
                });
            }
        });
    }

    private static void podSpec(Object value, String path, List<Problem> problems) {
        if (!(value instanceof Map<?, ?> spec)) {
            problems.add(new Problem(path, "must be a mapping"));
            return;
        }
        spec.forEach((k, v) -> {
            String p = path + "." + k;
            switch (String.valueOf(k)) {
                case "priorityClassName" -> {
                    if (!(v instanceof String name) || !Checks.DNS_SUBDOMAIN.matcher(name).matches()) {
                        problems.add(new Problem(p, "must be a PriorityClass name"));
                    }
                }
                case "terminationGracePeriodSeconds" -> {
                    if (!(v instanceof Integer seconds) || seconds < 30 || seconds > 86_400) {
                        problems.add(new Problem(p, "must be a whole number of seconds from 30 to 86400 (jobs get "
                                + "this long to finish when the runner stops)"));
                    }
                }
                case "containers" -> containers(v, p, "runner", problems);
                case "initContainers" -> containers(v, p, "install-config", problems);
                case "volumes" -> volumes(v, p, problems);
                default -> problems.add(new Problem(p, notPatchable(String.valueOf(k))));
            }
        });
    }

    private static String notPatchable(String field) {
        String why = switch (field) {
            case "nodeSelector", "nodeName", "affinity", "tolerations", "schedulerName", "topologySpreadConstraints" ->
                    "the runner runs on the tenant's nodes only (spec.nodes)";
            case "serviceAccountName", "serviceAccount", "automountServiceAccountToken" ->
                    "the runner runs as its own ServiceAccount, whose rights end at the tenant's namespace";
            case "hostNetwork", "hostPID", "hostIPC", "hostUsers" -> "the runner never uses the host's namespaces";
            case "securityContext", "runtimeClassName" -> "the runner runs non-root with the runtime's default "
                    + "seccomp profile";
            case "hostAliases", "dnsConfig", "dnsPolicy" -> "set spec.hostAliases or spec.dnsConfig";
            case "imagePullSecrets" -> "set spec.imagePullSecrets";
            default -> "not one of what a patch may set";
        };
        return "not patchable: " + why + " (a patch may set metadata.labels, metadata.annotations, "
                + "spec.priorityClassName, spec.terminationGracePeriodSeconds, spec.volumes of configMap, secret or "
                + "emptyDir, and resources, env and volumeMounts of the runner and install-config containers)";
    }

    private static void containers(Object value, String path, String only, List<Problem> problems) {
        if (!(value instanceof List<?> list)) {
            problems.add(new Problem(path, "must be a list of containers by name"));
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String p = path + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> container) || !(container.get("name") instanceof String name)) {
                problems.add(new Problem(p + ".name", "each entry names the container it patches"));
                continue;
            }
            if (!only.equals(name)) {
                problems.add(new Problem(p + ".name", "'" + name + "' is not " + (path.endsWith("initContainers")
                        ? "an init container" : "a container") + " of the runner pod (only '" + only + "'): an "
                        + "added container would share the runner's API token"));
                continue;
            }
            container.forEach((k, v) -> {
                String f = p + "." + k;
                switch (String.valueOf(k)) {
                    case "name" -> { }
                    case "resources" -> resources(v, f, problems);
                    case "env" -> env(v, f, problems);
                    case "volumeMounts" -> volumeMounts(v, f, problems);
                    case "securityContext" -> problems.add(new Problem(f, "not patchable: the runner never runs "
                            + "privileged, as root or with added capabilities"));
                    case "ports" -> problems.add(new Problem(f, "not patchable: the runner's one port is its "
                            + "metrics port, and a host port would open the node"));
                    default -> problems.add(new Problem(f, "not patchable: a container patch may set resources, "
                            + "env and volumeMounts"));
                }
            });
        }
    }

    private static void resources(Object value, String path, List<Problem> problems) {
        if (!(value instanceof Map<?, ?> resources)) {
            problems.add(new Problem(path, "must be a mapping of requests and limits"));
            return;
        }
        resources.forEach((k, v) -> {
            String p = path + "." + k;
            if (!"requests".equals(k) && !"limits".equals(k)) {
                problems.add(new Problem(p, "resources are requests and limits"));
            } else if (!(v instanceof Map<?, ?> amounts)) {
                problems.add(new Problem(p, "must be a mapping of cpu, memory, ephemeral-storage"));
            } else {
                amounts.forEach((name, amount) -> {
                    String a = p + "." + name;
                    QuantityRange range = "cpu".equals(name) ? QuantityRange.CPU : QuantityRange.BYTES_PER_JOB;
                    if (!Set.of("cpu", "memory", "ephemeral-storage").contains(String.valueOf(name))) {
                        problems.add(new Problem(a, "only cpu, memory and ephemeral-storage (the quota counts "
                                + "these)"));
                    } else if (!(amount instanceof String) && !(amount instanceof Integer)) {
                        problems.add(new Problem(a, "not a quantity like 2, 500m, 512Mi or 4Gi"));
                    } else {
                        Checks.quantity(new io.fabric8.kubernetes.api.model.Quantity(String.valueOf(amount)),
                                range, a, problems);
                    }
                });
            }
        });
    }

    private static void env(Object value, String path, List<Problem> problems) {
        if (!(value instanceof List<?> list)) {
            problems.add(new Problem(path, "must be a list of {name, value} or {name, valueFrom}"));
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String p = path + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> env) || !(env.get("name") instanceof String name)
                    || !Pattern.matches("[A-Za-z_][A-Za-z0-9_.-]*", name)) {
                problems.add(new Problem(p + ".name", "each entry has a variable name"));
                continue;
            }
            if (Set.of("RUNNER_TOKEN", "HOME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY").contains(name)
                    || OWNED_VARIABLE.matcher(name).matches()) {
                problems.add(new Problem(p + ".name", name + " is set by buildfleet"));
            }
            env.forEach((k, v) -> {
                String f = p + "." + k;
                if ("value".equals(k)) {
                    if (!(v instanceof String)) {
                        problems.add(new Problem(f, "must be text (quote numbers and true/false)"));
                    }
                } else if ("valueFrom".equals(k)) {
                    if (!(v instanceof Map<?, ?> from) || from.size() != 1
                            || !(from.containsKey("secretKeyRef") || from.containsKey("configMapKeyRef"))) {
                        problems.add(new Problem(f, "only secretKeyRef or configMapKeyRef (of the tenant's "
                                + "namespace)"));
                    }
                } else if (!"name".equals(k)) {
                    problems.add(new Problem(f, "an env entry has name and value or valueFrom"));
                }
            });
        }
    }

    private static void volumeMounts(Object value, String path, List<Problem> problems) {
        if (!(value instanceof List<?> list)) {
            problems.add(new Problem(path, "must be a list of {name, mountPath, readOnly}"));
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String p = path + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> mount) || !(mount.get("name") instanceof String name)
                    || !(mount.get("mountPath") instanceof String mountPath)) {
                problems.add(new Problem(p, "each entry has a volume name and a mountPath"));
                continue;
            }
            if (MANAGER_VOLUMES.contains(name)) {
                problems.add(new Problem(p + ".name", "'" + name + "' is the runner's own volume; mount a volume "
                        + "the patch adds"));
            }
            if (!mountPath.startsWith("/") || mountPath.contains("..")
                    || mountPath.startsWith("/var/run/secrets") || mountPath.startsWith("/run/secrets")
                    || mountPath.startsWith("/etc/gitlab-runner") || mountPath.equals("/")) {
                problems.add(new Problem(p + ".mountPath", "'" + mountPath + "' is not a free absolute path (not "
                        + "/, the config or the service-account token's directory)"));
            }
            mount.keySet().stream().map(String::valueOf)
                    .filter(k -> !Set.of("name", "mountPath", "readOnly", "subPath").contains(k))
                    .forEach(k -> problems.add(new Problem(p + "." + k, "a mount has name, mountPath, readOnly "
                            + "and subPath")));
        }
    }

    private static void volumes(Object value, String path, List<Problem> problems) {
        if (!(value instanceof List<?> list)) {
            problems.add(new Problem(path, "must be a list of volumes by name"));
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String p = path + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> volume) || !(volume.get("name") instanceof String name)
                    || !Checks.DNS_LABEL.matcher(name).matches()) {
                problems.add(new Problem(p + ".name", "each volume has a name (lowercase letters, digits and '-')"));
                continue;
            }
            if (MANAGER_VOLUMES.contains(name)) {
                problems.add(new Problem(p + ".name", "'" + name + "' is the runner's own volume"));
            }
            volume.forEach((k, v) -> {
                String f = p + "." + k;
                switch (String.valueOf(k)) {
                    case "name", "configMap", "secret", "emptyDir" -> { }
                    case "hostPath" -> problems.add(new Problem(f, "not patchable: a host path opens the node"));
                    case "projected" -> problems.add(new Problem(f, "not patchable: a projected volume can carry a "
                            + "service-account token"));
                    default -> problems.add(new Problem(f, "not patchable: a patch may add configMap, secret or "
                            + "emptyDir volumes"));
                }
            });
        }
    }
}
