package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Exactly one token source: an existing runner token in a Secret, or a runner the operator creates in GitLab. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.tokenSecretRef) != has(self.create)",
        message = "set exactly one of gitlab.runner.tokenSecretRef (existing glrt- token) or gitlab.runner.create")
public record RunnerSpec(
        @JsonPropertyDescription("Secret in the tenant namespace holding an existing runner authentication token.")
        SecretKeyRef tokenSecretRef,

        @JsonPropertyDescription("Create the runner through GitLab's POST /api/v4/user/runners.")
        RunnerCreateSpec create) {
}
