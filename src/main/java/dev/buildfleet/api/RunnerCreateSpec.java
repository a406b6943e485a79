package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/** Settings for a runner created via GitLab's REST API (runner authentication tokens, GitLab >= 15.10). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.runnerType != 'group_type' || has(self.groupId)",
        message = "groupId is required when runnerType is group_type")
@ValidationRule(value = "self.runnerType != 'project_type' || has(self.projectId)",
        message = "projectId is required when runnerType is project_type")
@ValidationRule(value = "(has(self.tags) && size(self.tags) > 0) || (has(self.runUntagged) && self.runUntagged)",
        message = "tags is empty and runUntagged is false: the runner would never pick up a job")
public record RunnerCreateSpec(
        @Required
        @JsonPropertyDescription("instance_type, group_type or project_type.")
        RunnerType runnerType,

        @Min(1)
        Long groupId,

        @Min(1)
        Long projectId,

        @Size(max = 255)
        @JsonPropertyDescription("Runner description in GitLab; defaults to 'buildfleet <tenant>'.")
        String description,

        @JsonPropertyDescription("Job tags this runner picks up.")
        List<@Pattern("^[^,\\s][^,]{0,254}$") String> tags,

        @Default("false")
        Boolean runUntagged,

        @Default("ref_protected")
        @JsonPropertyDescription("not_protected, or ref_protected to run only jobs on protected branches and tags.")
        AccessLevel accessLevel,

        @Default("true")
        @JsonPropertyDescription("Lock a project runner to its current projects.")
        Boolean locked,

        @Default("false")
        Boolean paused,

        @Min(600) @Max(2_592_000)
        @JsonPropertyDescription("Longest job this runner accepts, in seconds (GitLab requires >= 600).")
        Integer maximumTimeout) {
}
