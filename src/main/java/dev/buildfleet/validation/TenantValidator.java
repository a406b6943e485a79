package dev.buildfleet.validation;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.BuildTenantSpec;
import dev.buildfleet.api.CacheSpec;
import dev.buildfleet.api.EgressRule;
import dev.buildfleet.api.RunnerCreateSpec;
import dev.buildfleet.api.RunnerSpec;
import dev.buildfleet.api.RunnerType;
import dev.buildfleet.api.SecretKeyRef;
import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.Quantities;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.TenantResolver;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rules for one BuildTenant given the platform config. Mirrors the CRD schema (so the CLI catches what the API server
 * would refuse) and adds what a schema cannot say: derived name lengths, CIDRs, quantities, images.
 */
public final class TenantValidator {
    public static final int MIN_CONCURRENCY = 1;
    public static final int MAX_CONCURRENCY = 200;
    /** bf-NAME-cache must fit S3's 63 characters. */
    public static final int MAX_NAME_LENGTH = 63 - Names.NAMESPACE_PREFIX.length() - Names.BUCKET_SUFFIX.length();

    private TenantValidator() {
    }

    public static List<Problem> validate(FleetConfig config, BuildTenant tenant) {
        List<Problem> problems = new ArrayList<>();
        validate(config, tenant, "", problems);
        return problems;
    }

    public static void validate(FleetConfig config, BuildTenant tenant, String prefix, List<Problem> problems) {
        validate(config, isValid(config), tenant, prefix, problems);
    }

    /** @param configValid whether {@code config} passed ConfigValidator (a fleet checks it once for all tenants) */
    static void validate(FleetConfig config, boolean configValid, BuildTenant tenant, String prefix,
                         List<Problem> problems) {
        String p = prefix.isEmpty() ? "" : prefix + ".";
        int before = problems.size();
        String name = tenant.getMetadata() == null ? null : tenant.getMetadata().getName();
        if (name == null || name.isEmpty()) {
            problems.add(new Problem(p + "metadata.name", "missing; name the tenant, e.g. java"));
        } else if (!Checks.DNS_LABEL.matcher(name).matches()) {
            problems.add(new Problem(p + "metadata.name", "'" + name + "' must be lowercase letters, digits and "
                    + "'-', starting and ending with a letter or digit (it names a namespace and a bucket)"));
        } else if (name.length() > MAX_NAME_LENGTH) {
            problems.add(new Problem(p + "metadata.name", "'" + name + "' has " + name.length()
                    + " characters; at most " + MAX_NAME_LENGTH + " fit the derived bucket name "
                    + Names.defaultBucket("<name>") + " (63 characters)"));
        }
        BuildTenantSpec spec = tenant.getSpec();
        if (spec == null) {
            problems.add(new Problem(p + "spec", "missing; at least spec.gitlab.runner is required"));
            return;
        }
        String s = p + "spec.";
        gitlab(config, spec, s, problems);
        if (spec.concurrency() != null
                && (spec.concurrency() < MIN_CONCURRENCY || spec.concurrency() > MAX_CONCURRENCY)) {
            problems.add(new Problem(s + "concurrency", spec.concurrency() + (spec.concurrency() > MAX_CONCURRENCY
                    ? " exceeds the maximum " + MAX_CONCURRENCY + "; run a second tenant for more parallel jobs"
                    : " is below the minimum " + MIN_CONCURRENCY)));
        }
        nodes(spec, s, problems);
        ConfigValidator.resources(spec.jobResources(), s + "jobResources", problems);
        cache(spec.cache(), s + "cache", problems);
        if (spec.builder() != null && spec.builder().image() != null) {
            ConfigValidator.check(problems, s + "builder.image", Checks.image(spec.builder().image()));
        }
        egress(spec.egress(), s + "egress", config, problems);
        ImagePolicyRules.validate(spec.imagePolicy(), s + "imagePolicy", problems);
        PodSettingsRules.imagePullSecrets(spec.imagePullSecrets(), s + "imagePullSecrets", problems);
        PodSettingsRules.hostAliases(spec.hostAliases(), s + "hostAliases", problems);
        PodSettingsRules.tenantHostAliases(spec.hostAliases(), config == null ? null : config.hostAliases(),
                s + "hostAliases", problems);
        PodSettingsRules.dnsConfig(spec.dnsConfig(), s + "dnsConfig", problems);
        shapes(spec, s, problems);
        EscapeHatchRules.runnerConfig(spec.runnerConfig(), s + "runnerConfig", problems);
        EscapeHatchRules.runnerPodPatch(spec.runnerPodPatch(), s + "runnerPodPatch", problems);
        CaBundleRules.check(spec.caBundle(), s + "caBundle", problems);

        if (problems.size() == before && configValid) {
            resolved(TenantResolver.resolve(config, tenant), s, problems);
        }
    }

    private static boolean isValid(FleetConfig config) {
        List<Problem> configProblems = new ArrayList<>();
        ConfigValidator.validate(config, "config", configProblems);
        return configProblems.isEmpty();
    }

    private static void gitlab(FleetConfig config, BuildTenantSpec spec, String s, List<Problem> problems) {
        if (spec.gitlab() == null) {
            problems.add(new Problem(s + "gitlab", "missing; set gitlab.runner.tokenSecretRef or gitlab.runner.create"));
            return;
        }
        boolean allowHttp = config != null && config.gitlab() != null
                && Boolean.TRUE.equals(config.gitlab().allowInsecureHttp());
        if (spec.gitlab().url() != null) {
            ConfigValidator.check(problems, s + "gitlab.url", Checks.url(spec.gitlab().url(), allowHttp,
                    "set config.gitlab.allowInsecureHttp: true if you accept that"));
        }
        runner(spec.gitlab().runner(), s + "gitlab.runner", problems);
    }

    /** A runner's token source: spec.gitlab.runner, or a shape's runner. */
    private static void runner(RunnerSpec runner, String path, List<Problem> problems) {
        if (runner == null || (runner.tokenSecretRef() == null) == (runner.create() == null)) {
            problems.add(new Problem(path, "set exactly one of tokenSecretRef (an existing glrt- "
                    + "runner token in a Secret) or create (the operator creates the runner in GitLab)"));
            return;
        }
        if (runner.tokenSecretRef() != null) {
            secretRef(runner.tokenSecretRef(), path + ".tokenSecretRef", problems);
            return;
        }
        RunnerCreateSpec create = runner.create();
        String c = path + ".create.";
        if (create.runnerType() == null) {
            problems.add(new Problem(c + "runnerType", "missing; one of instance_type, group_type, project_type"));
        } else {
            boolean group = create.runnerType() == RunnerType.GROUP_TYPE;
            boolean project = create.runnerType() == RunnerType.PROJECT_TYPE;
            if (group != (create.groupId() != null)) {
                problems.add(new Problem(c + "groupId", group ? "required when runnerType is group_type"
                        : "only allowed when runnerType is group_type"));
            }
            if (project != (create.projectId() != null)) {
                problems.add(new Problem(c + "projectId", project ? "required when runnerType is project_type"
                        : "only allowed when runnerType is project_type"));
            }
        }
        positive(create.groupId(), c + "groupId", problems);
        positive(create.projectId(), c + "projectId", problems);
        List<String> tags = create.tags() == null ? List.of() : create.tags();
        if (tags.isEmpty() && !Boolean.TRUE.equals(create.runUntagged())) {
            problems.add(new Problem(c + "tags", "empty while runUntagged is false: the runner would never pick "
                    + "up a job; add tags (e.g. [kaniko]) or set runUntagged: true"));
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tags.size(); i++) {
            String tag = tags.get(i);
            if (tag == null || tag.isBlank() || tag.contains(",") || tag.length() > 255 || !tag.equals(tag.strip())) {
                problems.add(new Problem(c + "tags[" + i + "]", "'" + tag + "' is not a tag (1-255 characters, no "
                        + "comma, no surrounding spaces)"));
            } else if (!seen.add(tag)) {
                problems.add(new Problem(c + "tags[" + i + "]", "'" + tag + "' is listed twice"));
            }
        }
        if (create.maximumTimeout() != null && (create.maximumTimeout() < 600 || create.maximumTimeout() > 2_592_000)) {
            problems.add(new Problem(c + "maximumTimeout", create.maximumTimeout()
                    + " seconds is outside 600..2592000 (GitLab refuses less than 10 minutes)"));
        }
        if (create.description() != null && create.description().length() > 255) {
            problems.add(new Problem(c + "description", "has " + create.description().length()
                    + " characters; at most 255"));
        }
    }

    /** Names unique, runners valid, token Secrets apart, the runner manager's total within the maximum. */
    private static void shapes(BuildTenantSpec spec, String s, List<Problem> problems) {
        if (spec.shapes() == null) {
            return;
        }
        Set<String> names = new HashSet<>();
        java.util.Map<String, String> tokenSecrets = new java.util.HashMap<>();
        RunnerSpec main = spec.gitlab() == null ? null : spec.gitlab().runner();
        if (main != null && main.tokenSecretRef() != null && main.tokenSecretRef().name() != null) {
            tokenSecrets.put(main.tokenSecretRef().name(), s + "gitlab.runner");
        } else if (main != null) {
            tokenSecrets.put(Names.RUNNER_TOKEN_SECRET, s + "gitlab.runner");
        }
        int total = spec.concurrency() == null ? dev.buildfleet.config.Defaults.CONCURRENCY : spec.concurrency();
        for (int i = 0; i < spec.shapes().size(); i++) {
            String p = s + "shapes[" + i + "]";
            var shape = spec.shapes().get(i);
            if (shape == null) {
                problems.add(new Problem(p, "empty; a shape has a name and a runner"));
                continue;
            }
            if (shape.name() == null || !SHAPE_NAME.matcher(shape.name()).matches()) {
                problems.add(new Problem(p + ".name", "'" + shape.name() + "' is not a shape name (1-20 lowercase "
                        + "letters, digits and '-', e.g. large)"));
            } else if (!names.add(shape.name())) {
                problems.add(new Problem(p + ".name", "'" + shape.name() + "' is used by another shape"));
            }
            if (shape.concurrency() != null && (shape.concurrency() < MIN_CONCURRENCY
                    || shape.concurrency() > MAX_CONCURRENCY)) {
                problems.add(new Problem(p + ".concurrency", shape.concurrency() + " is outside "
                        + MIN_CONCURRENCY + ".." + MAX_CONCURRENCY));
            }
            total += shape.concurrency() == null ? 1 : shape.concurrency();
            runner(shape.runner(), p + ".runner", problems);
            String secret = shape.runner() == null ? null : shape.runner().tokenSecretRef() != null
                    ? shape.runner().tokenSecretRef().name()
                    : shape.runner().create() != null && shape.name() != null
                    ? Names.runnerTokenSecret(shape.name()) : null;
            if (secret != null && tokenSecrets.containsKey(secret)) {
                problems.add(new Problem(p + ".runner", "its token would be in Secret " + secret + ", as "
                        + tokenSecrets.get(secret) + "'s: each runner needs its own token"));
            } else if (secret != null) {
                tokenSecrets.put(secret, p + ".runner");
            }
            ConfigValidator.resources(shape.jobResources(), p + ".jobResources", problems);
        }
        if (total > MAX_CONCURRENCY) {
            problems.add(new Problem(s + "shapes", "spec.concurrency and the shapes' together run " + total
                    + " jobs at once; one runner manager runs at most " + MAX_CONCURRENCY
                    + ": lower them or run a second tenant"));
        }
    }

    private static final java.util.regex.Pattern SHAPE_NAME =
            java.util.regex.Pattern.compile("^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$");

    private static void positive(Long id, String path, List<Problem> problems) {
        if (id != null && id < 1) {
            problems.add(new Problem(path, id + " is not a GitLab id (must be 1 or more)"));
        }
    }

    private static void secretRef(SecretKeyRef ref, String path, List<Problem> problems) {
        if (ref.name() == null || ref.name().length() > 253 || !Checks.DNS_SUBDOMAIN.matcher(ref.name()).matches()) {
            problems.add(new Problem(path + ".name", "'" + ref.name() + "' is not a Secret name"));
        }
        if (ref.key() != null && !ref.key().matches("^[-._a-zA-Z0-9]+$")) {
            problems.add(new Problem(path + ".key", "'" + ref.key() + "' is not a Secret key"));
        }
    }

    private static void nodes(BuildTenantSpec spec, String s, List<Problem> problems) {
        if (spec.nodes() == null) {
            return;
        }
        ConfigValidator.labels(spec.nodes().selector(), s + "nodes.selector", problems);
        List<Toleration> tolerations = spec.nodes().tolerations();
        if (tolerations == null) {
            return;
        }
        for (int i = 0; i < tolerations.size(); i++) {
            Toleration t = tolerations.get(i);
            String path = s + "nodes.tolerations[" + i + "]";
            if (!t.getAdditionalProperties().isEmpty()) {
                problems.add(new Problem(path + "." + t.getAdditionalProperties().keySet().iterator().next(),
                        "unknown field; a toleration has key, operator, value, effect"));
            }
            if (t.getKey() == null || t.getKey().isEmpty()) {
                problems.add(new Problem(path + ".key", "missing: a toleration without a key tolerates every taint, "
                        + "including other tenants'"));
            }
            String operator = t.getOperator() == null ? "Equal" : t.getOperator();
            if (!operator.equals("Equal") && !operator.equals("Exists")) {
                problems.add(new Problem(path + ".operator", "'" + operator + "' must be Equal or Exists"));
            }
            if (operator.equals("Exists") && t.getValue() != null && !t.getValue().isEmpty()) {
                problems.add(new Problem(path + ".value", "must be empty when operator is Exists"));
            }
            if (t.getEffect() != null && !List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(t.getEffect())) {
                problems.add(new Problem(path + ".effect", "'" + t.getEffect()
                        + "' must be NoSchedule, PreferNoSchedule or NoExecute"));
            }
        }
    }

    private static void cache(CacheSpec cache, String c, List<Problem> problems) {
        if (cache == null) {
            return;
        }
        if (cache.endpoint() != null) {
            ConfigValidator.check(problems, c + ".endpoint", Checks.rgwEndpoint(cache.endpoint()));
        }
        if (cache.bucket() != null) {
            ConfigValidator.check(problems, c + ".bucket", Checks.bucket(cache.bucket()));
        }
        if (cache.existingCredentialsSecret() != null) {
            secretRef(cache.existingCredentialsSecret(), c + ".existingCredentialsSecret", problems);
        }
        if (cache.ttl() != null) {
            ConfigValidator.ttl(cache.ttl(), c + ".ttl", problems);
        }
        if (cache.quota() != null) {
            Checks.quantity(cache.quota().maxSize(), QuantityRange.BUCKET_QUOTA, c + ".quota.maxSize", problems);
            if (cache.quota().maxObjects() != null && cache.quota().maxObjects() < 1) {
                problems.add(new Problem(c + ".quota.maxObjects", cache.quota().maxObjects() + " must be 1 or more"));
            }
        }
    }

    private static void egress(List<EgressRule> egress, String e, FleetConfig config, List<Problem> problems) {
        if (egress == null) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < egress.size(); i++) {
            EgressRule rule = egress.get(i);
            String path = e + "[" + i + "]";
            if (rule == null) {
                problems.add(new Problem(path, "empty entry"));
                continue;
            }
            if (rule.name() == null || !Checks.DNS_LABEL.matcher(rule.name()).matches() || rule.name().length() > 40) {
                problems.add(new Problem(path + ".name", "'" + rule.name() + "' must be a short lowercase name like "
                        + "harbor"));
            } else if (!names.add(rule.name())) {
                problems.add(new Problem(path + ".name", "'" + rule.name() + "' is used by another egress entry"));
            }
            String syntax = Cidr.check(rule.cidr());
            ConfigValidator.check(problems, path + ".cidr", syntax != null || config == null ? syntax
                    : EgressRanges.refusal(rule.cidr(), config, true));
            if (rule.ports() == null || rule.ports().isEmpty()) {
                problems.add(new Problem(path + ".ports", "empty; list the ports jobs may use, e.g. [443]"));
            } else {
                ConfigValidator.ports(rule.ports(), path + ".ports", problems);
            }
        }
    }

    /** Checks that need the defaults filled in, e.g. a tenant's limit below the fleet's default request. */
    private static void resolved(ResolvedTenant t, String s, List<Problem> problems) {
        String r = s + "jobResources.";
        List<ResolvedTenant.Shape> shapes = t.allShapes();
        for (int i = 0; i < shapes.size(); i++) {
            sizes(shapes.get(i), i == 0 ? r : s + "shapes[" + (i - 1) + "].jobResources.", problems);
        }
        ConfigValidator.check(problems, s + "cache.bucket", Checks.bucket(t.cache().bucket()));
        ImagePolicyRules.resolved(t.imageRules(), s + "imagePolicy", problems);
        PodSettingsRules.resolvedDns(t, s + "dnsConfig", problems);
    }

    /** A runner's sizes once the defaults are in: limits at least the requests, maxima at least the sizes. */
    private static void sizes(ResolvedTenant.Shape shape, String r, List<Problem> problems) {
        ResolvedTenant.Resources job = shape.job();
        ResolvedTenant.Resources max = shape.jobMax();
        order(job.cpuRequest(), job.cpuLimit(), r + "cpu", problems);
        order(job.memoryRequest(), job.memoryLimit(), r + "memory", problems);
        order(job.ephemeralStorageRequest(), job.ephemeralStorageLimit(), r + "ephemeralStorage", problems);
        maxima(job.cpuRequest(), job.cpuLimit(), max.cpuRequest(), max.cpuLimit(), r + "cpu", problems);
        maxima(job.memoryRequest(), job.memoryLimit(), max.memoryRequest(), max.memoryLimit(), r + "memory",
                problems);
        maxima(job.ephemeralStorageRequest(), job.ephemeralStorageLimit(), max.ephemeralStorageRequest(),
                max.ephemeralStorageLimit(), r + "ephemeralStorage", problems);
    }

    /**
     * A maximum below its size would make every job fail at once (gitlab-runner refuses a size above the maximum
     * only when a job asks, but the LimitRange caps the default too), and a request a job may raise above the limit
     * it may reach gives a pod the API server refuses.
     */
    private static void maxima(Quantity request, Quantity limit, Quantity maxRequest, Quantity maxLimit, String path,
                               List<Problem> problems) {
        if (problems.stream().anyMatch(p -> p.path().startsWith(path + "."))) {
            return;
        }
        if (Quantities.amount(maxRequest).compareTo(Quantities.amount(request)) < 0) {
            problems.add(new Problem(path + ".maxRequest", "maxRequest " + maxRequest + " is below the request "
                    + request + " (after FleetConfig defaults); a maximum must be at least the size"));
        } else if (Quantities.amount(maxLimit).compareTo(Quantities.amount(limit)) < 0) {
            problems.add(new Problem(path + ".maxLimit", "maxLimit " + maxLimit + " is below the limit " + limit
                    + " (after FleetConfig defaults); a maximum must be at least the size"));
        } else if (Quantities.amount(maxRequest).compareTo(Quantities.amount(maxLimit)) > 0) {
            problems.add(new Problem(path + ".maxRequest", "maxRequest " + maxRequest + " is above the most a job "
                    + "may set its limit to (" + maxLimit + ", after FleetConfig defaults): a job raising its request "
                    + "that far gets a pod the API server refuses; raise maxLimit or lower maxRequest"));
        }
    }

    private static void order(Quantity request, Quantity limit, String path, List<Problem> problems) {
        if (Quantities.amount(limit).compareTo(Quantities.amount(request)) < 0) {
            String message = "limit " + limit + " is below the request " + request
                    + " (after FleetConfig defaults); a limit must be at least the request";
            Problem problem = new Problem(path + ".limit", message);
            if (problems.stream().noneMatch(existing -> existing.path().equals(problem.path()))) {
                problems.add(problem);
            }
        }
    }
}
