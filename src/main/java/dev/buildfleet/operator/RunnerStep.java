package dev.buildfleet.operator;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.api.BuildTenantStatus;
import dev.buildfleet.api.RunnerCreateSpec;
import dev.buildfleet.api.ShapeStatus;
import dev.buildfleet.gitlab.AccessScope;
import dev.buildfleet.gitlab.GitLabFault;
import dev.buildfleet.gitlab.GitLabRunners;
import dev.buildfleet.gitlab.RunnerDrift;
import dev.buildfleet.model.Names;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.model.RunnerDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tenant's runner in GitLab, seen from the reconciler. Create mode: find or create the runner (one per tenant,
 * found again by its description whether the operator or the CLI created it, so a crash between create and saving
 * the token never leaves a second runner), keep its token only in the Secret {@value Names#RUNNER_TOKEN_SECRET},
 * reset it before it expires, and correct tags and flags. The token is verified (POST /runners/verify, which GitLab
 * counts as the runner's contact) only when it is new to this process, was just created or reset, after a failed
 * pass, once a day, or near its expiry; every other pass reads the runner with the management API (GET
 * /runners/:id), which also finds it deleted. Given-token mode: verify the given token as seldom, never create
 * anything. A GitLab fault only sets RunnerRegistered=False; it never deletes anything.
 */
public final class RunnerStep implements TenantStep {
    static final String RUNNER_REGISTERED = "RunnerRegistered";
    /** Pod-template annotation: which token (runner id + expiry, never the token) the runner runs with. */
    static final String TOKEN_ANNOTATION = "buildfleet.dev/runner-token-identity";
    /** An admin sets this on a tenant whose runner cannot be deleted in GitLab to let the tenant go anyway. */
    static final String FORCE_REMOVE_ANNOTATION = "buildfleet.dev/force-remove-runner";

    /**
     * @param tokenSecret  the Secret to write (a new token), or null to leave it as it is
     * @param identity     for the runner's pod template: changes when the token changes; null in given-token mode
     * @param verification the standing verification of the token, for the next pass; null to verify then
     */
    record Result(Condition condition, Long runnerId, String tokenExpiresAt, Secret tokenSecret, String identity,
                  List<String> events, TokenVerification verification, Map<String, Result> shapes) {
        Result(Condition condition, Long runnerId, String tokenExpiresAt, Secret tokenSecret, String identity,
               List<String> events, TokenVerification verification) {
            this(condition, runnerId, tokenExpiresAt, tokenSecret, identity, events, verification, Map.of());
        }

        boolean registered() {
            return "True".equals(condition.getStatus());
        }

        /** The token Secrets to write: the main runner's and each shape's that changed. */
        List<Secret> tokenSecrets() {
            List<Secret> out = new ArrayList<>();
            if (tokenSecret != null) {
                out.add(tokenSecret);
            }
            shapes.values().stream().map(Result::tokenSecret).filter(java.util.Objects::nonNull).forEach(out::add);
            return out;
        }

        /**
         * The main runner's result with its shapes': registered when every runner is; the first that is not says
         * why; one identity for the pod template that changes when any runner's token does.
         */
        Result withShapes(Map<String, Result> byShape) {
            if (byShape.isEmpty()) {
                return this;
            }
            Condition combined = condition;
            List<String> allEvents = new ArrayList<>(events);
            StringBuilder message = new StringBuilder(condition.getMessage());
            StringBuilder identities = new StringBuilder(identity == null ? "-" : identity);
            for (Map.Entry<String, Result> shape : byShape.entrySet()) {
                Result r = shape.getValue();
                message.append("; shape ").append(shape.getKey()).append(": ").append(r.condition().getMessage());
                identities.append('/').append(r.identity() == null ? "-" : r.identity());
                r.events().forEach(e -> allEvents.add(e.substring(0, e.indexOf(':') + 1) + "shape " + shape.getKey()
                        + ": " + e.substring(e.indexOf(':') + 1)));
                if (registered(combined) && !r.registered()) {
                    combined = Conditions.of(RUNNER_REGISTERED, false, r.condition().getReason(), "shape "
                            + shape.getKey() + ": " + r.condition().getMessage());
                }
            }
            if (registered(combined)) {
                combined = Conditions.of(RUNNER_REGISTERED, true, condition.getReason(), message.toString());
            }
            String together = identity == null && byShape.values().stream().allMatch(r -> r.identity() == null)
                    ? null : RunnerStep.identity(0L, identities.toString());
            return new Result(combined, runnerId, tokenExpiresAt, tokenSecret, together, allEvents, verification,
                    Map.copyOf(byShape));
        }

        private static boolean registered(Condition c) {
            return "True".equals(c.getStatus());
        }
    }

    /** How often a registered runner is looked at in GitLab even when nothing in the cluster changes. */
    static final Duration RECHECK = Duration.ofMinutes(5);

    private final GitLabRunners gitlab;
    private final Clock clock;
    private final Duration rotationMargin;
    private final Duration retry;
    /**
     * The runners' ids, token expiries and verifications this process saw last, per tenant. The verification is this
     * process's own knowledge; the ids and expiries are in the status, but its write can fail after GitLab reset a
     * token, and the next pass must not act on the older expiry (it would reset the token again).
     */
    private final Map<String, Result> latest = new ConcurrentHashMap<>();

    /** @param retry how soon a runner GitLab refused is tried again */
    RunnerStep(GitLabRunners gitlab, Clock clock, Duration rotationMargin, Duration retry) {
        this.gitlab = gitlab;
        this.clock = clock;
        this.rotationMargin = rotationMargin;
        this.retry = retry;
    }

    /** The main runner and each shape's, as one result: RunnerRegistered, the token Secrets that changed. */
    @Override
    public StepResult run(Observation observed) {
        BuildTenant tenant = observed.tenant();
        ResolvedTenant t = observed.resolved();
        BuildTenantStatus old = observed.status();
        Result last = latest.get(observed.name());
        Result main = run(tenant, t, last != null ? last.runnerId() : old == null ? null : old.runnerId(),
                last != null ? last.tokenExpiresAt() : old == null ? null : old.tokenExpiresAt(),
                last != null ? last.verification() : null, observed.secrets().get(t.mainShape().runnerToken().name()));
        Map<String, Result> shapes = new LinkedHashMap<>();
        for (ResolvedTenant.Shape shape : t.shapes()) {
            Result seen = last == null ? null : last.shapes().get(shape.name());
            ShapeStatus status = old == null ? null : old.shape(shape.name());
            shapes.put(shape.name(), run(tenant, t, shape,
                    seen != null ? seen.runnerId() : status == null ? null : status.runnerId(),
                    seen != null ? seen.tokenExpiresAt() : status == null ? null : status.tokenExpiresAt(),
                    seen != null ? seen.verification() : null, observed.secrets().get(shape.runnerToken().name())));
        }
        Result runner = main.withShapes(shapes);
        latest.put(observed.name(), runner);
        List<ShapeStatus> shapeStatuses = runner.shapes().isEmpty() ? null : runner.shapes().entrySet().stream()
                .map(e -> new ShapeStatus(e.getKey(), e.getValue().runnerId(), e.getValue().tokenExpiresAt()))
                .toList();
        StepResult result = StepResult.of(runner.condition()).withObjects(runner.tokenSecrets())
                .withEvents(TenantEvent.normals(runner.events()))
                .withStatus(s -> s.withRunners(runner.runnerId(), runner.tokenExpiresAt(), shapeStatuses));
        if (runner.identity() != null) {
            result = result.withAdjust(o -> {
                if (o instanceof Deployment d && Names.RUNNER_DEPLOYMENT.equals(d.getMetadata().getName())) {
                    d.getSpec().getTemplate().getMetadata().getAnnotations().put(TOKEN_ANNOTATION, runner.identity());
                }
                return o;
            });
        }
        if (gitlab != null || !runner.registered()) {
            // Check and rotate on a schedule too (run decides when to verify); retry sooner while GitLab fails.
            result = result.recheckIn(runner.registered() ? RECHECK : retry);
        }
        return result;
    }

    @Override
    public void forget(String tenant) {
        latest.remove(tenant);
    }

    /** The main runner's id as last known (this process's, else the tenant's status), or null. */
    Long lastRunnerId(BuildTenant tenant) {
        Result last = latest.get(tenant.getMetadata().getName());
        return last != null && last.runnerId() != null ? last.runnerId()
                : tenant.getStatus() == null ? null : tenant.getStatus().runnerId();
    }

    /** Deletes the tenant's runners buildfleet created, each by its id last known, else by its description. */
    List<String> cleanup(BuildTenant tenant, ResolvedTenant t) {
        Result last = latest.get(tenant.getMetadata().getName());
        Map<String, Long> shapeIds = new HashMap<>();
        for (ResolvedTenant.Shape shape : t.shapes()) {
            Result seen = last == null ? null : last.shapes().get(shape.name());
            ShapeStatus status = tenant.getStatus() == null ? null : tenant.getStatus().shape(shape.name());
            Long id = seen != null && seen.runnerId() != null ? seen.runnerId()
                    : status == null ? null : status.runnerId();
            if (id != null) {
                shapeIds.put(shape.name(), id);
            }
        }
        return cleanup(tenant, t, lastRunnerId(tenant), shapeIds);
    }

    /**
     * @param lastId       the runner id last known (the process's own, else the tenant's status)
     * @param lastExpiry   the token expiry last known
     * @param verification the last verification of the token this process made, or null (none yet, the token was
     *                     just created or reset, or the last pass failed): then the token is verified
     * @param secret       the runner's token Secret as it is, or null
     */
    Result run(BuildTenant tenant, ResolvedTenant t, Long lastId, String lastExpiry, TokenVerification verification,
               Secret secret) {
        return run(tenant, t, t.mainShape(), lastId, lastExpiry, verification, secret);
    }

    /** The same for one of the tenant's runners: the main one or a shape, each with its own token Secret. */
    Result run(BuildTenant tenant, ResolvedTenant t, ResolvedTenant.Shape shape, Long lastId, String lastExpiry,
               TokenVerification verification, Secret secret) {
        if (shape.runnerCreate() == null) {
            return givenToken(t, shape, lastId, lastExpiry, verification, secret);
        }
        String secretName = shape.runnerToken().name();
        List<String> events = new ArrayList<>();
        if (gitlab == null) {
            return new Result(Conditions.of(RUNNER_REGISTERED, false, "GitLabNotConfigured", "the operator holds no "
                    + "GitLab access token: set config.gitlab.accessTokenSecret (scopes " + AccessScope.NEEDED + "),"
                    + " or give the tenant spec.gitlab.runner.tokenSecretRef"), lastId, lastExpiry, null, null,
                    events, null);
        }
        GitLabRunners.RunnerSettings wanted = settings(tenant, shape);
        String token = tokenOf(secret, Names.RUNNER_TOKEN_KEY);
        try {
            GitLabRunners.RunnerToken current = null;
            GitLabRunners.RunnerSettings actual = null;
            if (token != null && !verifyDue(token, lastId, lastExpiry, verification, rotationMargin)) {
                // The token stands verified: the management API says whether its runner still exists.
                actual = gitlab.get(lastId).orElse(null);
                if (actual != null) {
                    current = new GitLabRunners.RunnerToken(lastId, token, lastExpiry);
                } else {
                    verification = null;
                    events.add("RunnerTokenInvalid:runner " + lastId + " no longer exists in GitLab; finding the "
                            + "tenant's runner again or creating it");
                }
            } else if (token != null) {
                verification = null;
                try {
                    current = gitlab.verify(token);
                    verification = TokenVerification.of(token, Instant.now(clock));
                } catch (GitLabFault fault) {
                    if (fault.reason() != GitLabFault.Reason.RunnerOrphaned) {
                        throw fault;
                    }
                    events.add("RunnerTokenInvalid:the stored runner token is no longer valid in GitLab; finding "
                            + "the tenant's runner again or creating it");
                }
            }
            String reason = "Verified";
            Secret write = null;
            if (current == null) {
                Optional<Long> existing = findRunner(gitlab, tenant, shape, wanted);
                if (existing.isPresent()) {
                    current = gitlab.resetToken(existing.get());
                    reason = "Adopted";
                    events.add("RunnerTokenReset:runner " + current.id() + " existed without a stored token; its "
                            + "token was reset and stored in Secret " + secretName);
                } else {
                    current = gitlab.create(wanted);
                    reason = "Created";
                    events.add("RunnerCreated:runner " + current.id() + " created in GitLab; its token is in Secret "
                            + secretName);
                }
                write = tokenSecret(t, secretName, current.token());
            } else if (expiresWithin(current.expiresAt(), rotationMargin)) {
                current = gitlab.resetToken(current.id());
                reason = "TokenRotated";
                write = tokenSecret(t, secretName, current.token());
                events.add("RunnerTokenRotated:the token of runner " + current.id() + " was reset before it expires;"
                        + " new expiry " + current.expiresAt() + "; the runner rolls onto it");
            }
            if (write != null) {
                verification = null; // the new token is verified at the next pass
            }
            if (actual == null) {
                actual = gitlab.get(current.id()).orElse(null);
            }
            List<String> drift = actual == null ? List.of() : RunnerDrift.of(actual, wanted);
            if (!drift.isEmpty()) {
                gitlab.update(current.id(), wanted);
                events.add("RunnerUpdated:runner " + current.id() + " set as in the spec: " + String.join(", ", drift));
            }
            return new Result(Conditions.of(RUNNER_REGISTERED, true, reason, "runner " + current.id() + " is "
                    + "registered in GitLab" + verifiedAt(verification) + "; its token "
                    + (current.expiresAt() == null ? "does not expire" : "expires at " + current.expiresAt()
                    + " and is reset " + rotationMargin.toDays() + " days before")), current.id(),
                    current.expiresAt(), write, identity(current.id(), current.expiresAt()), events, verification);
        } catch (GitLabFault fault) {
            return new Result(Conditions.of(RUNNER_REGISTERED, false, fault.reason().name(), "GitLab: "
                    + fault.getMessage() + "; nothing was deleted, retrying"), lastId, lastExpiry, null,
                    lastId == null ? null : identity(lastId, lastExpiry), events, null);
        }
    }

    /**
     * Whether to call POST /runners/verify for the stored token: when this process has no standing verification of
     * it (first pass, a new or reset token, a failed last pass, a day gone by), or its expiry is {@code margin} away.
     */
    private boolean verifyDue(String token, Long lastId, String lastExpiry, TokenVerification verification,
                              Duration margin) {
        return lastId == null || verification == null || !verification.covers(token, Instant.now(clock))
                || expiresWithin(lastExpiry, margin);
    }

    private static String verifiedAt(TokenVerification verification) {
        return verification == null ? "" : " (token verified at " + verification.at() + ")";
    }

    /**
     * Given token: verified like a created one, but never checked through the management API in between (the
     * runner is not buildfleet's, and the access token may have no rights on it). Re-verified when it expires.
     */
    private Result givenToken(ResolvedTenant t, ResolvedTenant.Shape shape, Long lastId, String lastExpiry,
                              TokenVerification verification, Secret given) {
        String name = shape.runnerToken().name();
        String token = tokenOf(given, shape.runnerToken().key());
        if (token == null) {
            return new Result(Conditions.of(RUNNER_REGISTERED, false, "TokenSecretMissing", "Secret " + name + " in "
                    + t.namespace() + " is missing or has no key " + shape.runnerToken().key() + "; put the runner "
                    + "authentication token (glrt-...) there"), lastId, lastExpiry, null, null, List.of(), null);
        }
        if (gitlab == null) {
            return new Result(Conditions.of(RUNNER_REGISTERED, true, "TokenPresent", "Secret " + name + " holds a "
                    + "runner token (not verified: the operator has no GitLab access configured)"), lastId,
                    lastExpiry, null, null, List.of(), null);
        }
        try {
            GitLabRunners.RunnerToken verified;
            if (verifyDue(token, lastId, lastExpiry, verification, Duration.ZERO)) {
                verified = gitlab.verify(token);
                verification = TokenVerification.of(token, Instant.now(clock));
            } else {
                verified = new GitLabRunners.RunnerToken(lastId, token, lastExpiry);
            }
            return new Result(Conditions.of(RUNNER_REGISTERED, true, "Verified", "the token in Secret " + name
                    + " belongs to runner " + verified.id() + verifiedAt(verification)
                    + (verified.expiresAt() == null ? ""
                    : "; it expires at " + verified.expiresAt() + " and must be replaced before")), verified.id(),
                    verified.expiresAt(), null, null, List.of(), verification);
        } catch (GitLabFault fault) {
            String message = fault.reason() == GitLabFault.Reason.RunnerOrphaned
                    ? "the token in Secret " + name + " is no longer valid in GitLab (runner deleted, token reset "
                    + "or expired): put a new glrt- token into the Secret; buildfleet never creates a runner for a "
                    + "given token"
                    : "GitLab: " + fault.getMessage() + "; retrying";
            return new Result(Conditions.of(RUNNER_REGISTERED, false, fault.reason().name(), message), lastId,
                    lastExpiry, null, null, List.of(), null);
        }
    }

    /**
     * The main runner's and each shape's (by the id last known, else by description), one event each; throws at the
     * first GitLab fault, so that the finalizer stays and the next attempt deletes what is left.
     */
    private List<String> cleanup(BuildTenant tenant, ResolvedTenant t, Long runnerId, Map<String, Long> shapeIds) {
        List<String> out = new ArrayList<>();
        for (ResolvedTenant.Shape shape : t.allShapes()) {
            Long id = shape.main() ? runnerId : shapeIds.get(shape.name());
            String which = shape.main() ? "" : "shape " + shape.name() + ": ";
            if (shape.runnerCreate() == null) {
                out.add("RunnerUntouched:" + which + "the runner of the given token is not buildfleet's and stays "
                        + "in GitLab");
                continue;
            }
            if (gitlab == null) {
                out.add("RunnerUntouched:" + which + "the operator has no GitLab access configured; no runner was "
                        + "created by it");
                continue;
            }
            Long found = id != null ? id : findRunner(gitlab, tenant, shape, settings(tenant, shape)).orElse(null);
            if (found == null) {
                out.add("RunnerDeleted:" + which + "no runner of this " + (shape.main() ? "tenant" : "shape")
                        + " exists in GitLab");
                continue;
            }
            gitlab.delete(found);
            out.add("RunnerDeleted:" + which + "runner " + found + " deleted in GitLab");
        }
        return out;
    }

    static boolean forceRemove(BuildTenant tenant) {
        Map<String, String> annotations = tenant.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(FORCE_REMOVE_ANNOTATION);
    }

    private boolean expiresWithin(String expiresAt, Duration margin) {
        if (expiresAt == null) {
            return false;
        }
        try {
            return !Instant.now(clock).isBefore(Instant.parse(expiresAt).minus(margin));
        } catch (DateTimeParseException e) {
            return !Instant.now(clock).isBefore(java.time.OffsetDateTime.parse(expiresAt).toInstant().minus(margin));
        }
    }

    /**
     * The tenant's runner in GitLab by {@link RunnerDescription}'s rule, the same for the operator and the CLI, so
     * neither creates a second runner for one the other made.
     */
    public static Optional<Long> findRunner(GitLabRunners gitlab, BuildTenant tenant,
                                            GitLabRunners.RunnerSettings settings) {
        return gitlab.find(settings, RunnerDescription.matches(tenant.getMetadata().getName()));
    }

    /** A shape's runner is described as TENANT/SHAPE, so that neither finds the other's runner. */
    public static Optional<Long> findRunner(GitLabRunners gitlab, BuildTenant tenant, ResolvedTenant.Shape shape,
                                            GitLabRunners.RunnerSettings settings) {
        return gitlab.find(settings, RunnerDescription.matches(described(tenant, shape)));
    }

    private static String described(BuildTenant tenant, ResolvedTenant.Shape shape) {
        return shape.main() ? tenant.getMetadata().getName() : tenant.getMetadata().getName() + "/" + shape.name();
    }

    static GitLabRunners.RunnerSettings settings(BuildTenant tenant, ResolvedTenant t) {
        return settings(tenant, t.mainShape());
    }

    static GitLabRunners.RunnerSettings settings(BuildTenant tenant, ResolvedTenant.Shape shape) {
        RunnerCreateSpec c = shape.runnerCreate();
        return new GitLabRunners.RunnerSettings(c.runnerType().name().toLowerCase(java.util.Locale.ROOT), c.groupId(), c.projectId(),
                RunnerDescription.of(described(tenant, shape), c.description()),
                c.tags() == null ? List.of() : c.tags(),
                Boolean.TRUE.equals(c.runUntagged()),
                c.accessLevel() == null ? "ref_protected" : c.accessLevel().name().toLowerCase(java.util.Locale.ROOT),
                c.locked() == null || c.locked(), Boolean.TRUE.equals(c.paused()), c.maximumTimeout());
    }

    /** The settings buildfleet keeps in GitLab for this tenant's runner (also used by the CLI). */
    public static GitLabRunners.RunnerSettings settingsOf(BuildTenant tenant, ResolvedTenant t) {
        return settings(tenant, t);
    }

    /** A hash of the runner id and the token's expiry: names the token without revealing it. */
    static String identity(Long id, String expiresAt) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((id + "/" + expiresAt).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String tokenOf(Secret secret, String key) {
        if (secret == null) {
            return null;
        }
        String value = null;
        if (secret.getData() != null && secret.getData().get(key) != null) {
            value = new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
        } else if (secret.getStringData() != null) {
            value = secret.getStringData().get(key);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Secret tokenSecret(ResolvedTenant t, String name, String token) {
        return new SecretBuilder()
                .withNewMetadata().withName(name).withNamespace(t.namespace())
                .withLabels(t.labels()).endMetadata()
                .withType("Opaque")
                .addToData(Names.RUNNER_TOKEN_KEY, Base64.getEncoder().encodeToString(
                        token.getBytes(StandardCharsets.UTF_8)))
                .build();
    }
}
