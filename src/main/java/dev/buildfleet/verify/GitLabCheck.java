package dev.buildfleet.verify;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.gitlab.GitLabFault;
import dev.buildfleet.gitlab.GitLabRunners;
import dev.buildfleet.model.ResolvedTenant;
import dev.buildfleet.operator.RunnerStep;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * With a GitLab access token: the tenant's runner exists, with the type and tags the fleet declares. The runner is
 * found by the id in the live BuildTenant's status, else by its unique description; no token is sent or read.
 */
final class GitLabCheck {
    static final String NAME = "gitlab";

    private final GitLabRunners gitlab;

    GitLabCheck(GitLabRunners gitlab) {
        this.gitlab = gitlab;
    }

    /** @param live the BuildTenant in the cluster (the operator's), or null when the fleet is applied by render */
    CheckResult check(BuildTenant declared, ResolvedTenant t, BuildTenant live) {
        Long runnerId = live == null || live.getStatus() == null ? null : live.getStatus().runnerId();
        try {
            if (t.runnerCreate() == null) {
                if (runnerId == null) {
                    return CheckResult.skipped(t.name(), NAME, "not checked: the tenant brings its own runner token "
                                    + "(tokenSecretRef) and no BuildTenant status names its runner; verify reads no "
                                    + "Secret",
                            "check the token itself against GitLab (POST /api/v4/runners/verify), or run the "
                                    + "operator, which verifies it and records the runner's id in the status");
                }
                Optional<GitLabRunners.RunnerSettings> actual = gitlab.get(runnerId);
                return actual.map(a -> CheckResult.pass(t.name(), NAME, "runner " + runnerId + " exists (own token; "
                                + a.type() + ", tags " + a.tags() + ")", List.of(evidence(runnerId, "runner_type",
                                a.type()))))
                        .orElseGet(() -> CheckResult.fail(t.name(), NAME, "runner " + runnerId + " (BuildTenant "
                                        + "status.runnerId) does not exist in GitLab",
                                List.of(evidence(runnerId, "", "HTTP 404")), "register a runner and put its glrt- "
                                        + "token into the Secret spec.gitlab.runner.tokenSecretRef names"));
            }
            GitLabRunners.RunnerSettings wanted = RunnerStep.settingsOf(live != null ? live : declared, t);
            Optional<Long> id = runnerId != null ? Optional.of(runnerId) : gitlab.find(wanted, dev.buildfleet.model.RunnerDescription.matches(t.name()));
            Optional<GitLabRunners.RunnerSettings> actual = id.flatMap(gitlab::get);
            if (actual.isEmpty()) {
                return CheckResult.fail(t.name(), NAME, "no runner '" + wanted.description() + "' in GitLab"
                                + id.map(i -> " (status.runnerId " + i + " is gone)").orElse(""),
                        List.of(new Evidence("GitLab runners of " + wanted.type() + scope(wanted), "description",
                                "none is '" + wanted.description() + "'")),
                        "let the operator create it, or: buildfleet runner create -f FLEET.yaml --tenant " + t.name());
            }
            GitLabRunners.RunnerSettings a = actual.get();
            boolean typeOk = Objects.equals(a.type(), wanted.type());
            boolean tagsOk = new TreeSet<>(a.tags()).equals(new TreeSet<>(wanted.tags()));
            List<Evidence> evidence = List.of(evidence(id.get(), "runner_type", a.type() + " (declared "
                    + wanted.type() + ")"), evidence(id.get(), "tag_list", new TreeSet<>(a.tags()) + " (declared "
                    + new TreeSet<>(wanted.tags()) + ")"));
            if (!typeOk || !tagsOk) {
                return CheckResult.fail(t.name(), NAME, "runner " + id.get() + " differs from the fleet:"
                                + (typeOk ? "" : " type " + a.type() + " instead of " + wanted.type())
                                + (tagsOk ? "" : " tags " + new TreeSet<>(a.tags()) + " instead of "
                                + new TreeSet<>(wanted.tags())), evidence,
                        typeOk ? "the operator puts the tags back on its next pass (PUT /runners/:id); or change "
                                + "spec.gitlab.runner.create.tags to what is meant"
                                : "a runner's type cannot change: delete it (buildfleet runner delete) and let the "
                                + "operator create it again, or fix spec.gitlab.runner.create.runnerType");
            }
            return CheckResult.pass(t.name(), NAME, "runner " + id.get() + " exists as declared: " + a.type()
                    + ", tags " + new TreeSet<>(a.tags()), evidence);
        } catch (GitLabFault fault) {
            return CheckResult.error(t.name(), NAME, "could not check the runner: " + fault.reason() + ": "
                    + fault.getMessage(), "check config.gitlab.url and that GITLAB_TOKEN has the read_api and "
                    + "manage_runner scopes", VerifyExitCodes.GITLAB_FAULT);
        }
    }

    private static Evidence evidence(long id, String field, String value) {
        return new Evidence("GitLab runner " + id, field, value);
    }

    private static String scope(GitLabRunners.RunnerSettings s) {
        return s.groupId() != null ? " in group " + s.groupId() : s.projectId() != null ? " in project "
                + s.projectId() : "";
    }
}
