package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

import java.util.List;
import java.util.Map;

/**
 * What a team asks for. Everything but {@code gitlab.runner} is optional: the platform's
 * {@code FleetConfig} supplies defaults so tenant objects stay short.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildTenantSpec(
        @Required
        @JsonPropertyDescription("GitLab connection and how the tenant's runner gets its authentication token.")
        GitLabSpec gitlab,

        @Min(1) @Max(200) @Default("20")
        @JsonPropertyDescription("Jobs this tenant's runner runs at once (gitlab-runner `concurrent` and `limit`).")
        Integer concurrency,

        @JsonPropertyDescription("The tenant's dedicated worker nodes. Default: label and NoSchedule taint "
                + "buildfleet.dev/tenant=<name>.")
        NodesSpec nodes,

        @JsonPropertyDescription("Requests and limits of each build container. Default from FleetConfig.")
        JobResources jobResources,

        @JsonPropertyDescription("The tenant's S3 bucket for build caches.")
        CacheSpec cache,

        @JsonPropertyDescription("Image that runs the tenant's build jobs.")
        BuilderSpec builder,

        @JsonPropertyDescription("Extra destinations job pods may reach (target registries, mirrors).")
        List<EgressRule> egress,

        @JsonPropertyDescription("Which monitoring objects to create for this tenant.")
        MonitoringSpec monitoring,

        @Default("Retain")
        @JsonPropertyDescription("What happens to the tenant's bucket and storage user when the tenant is deleted.")
        DeletionPolicy storageDeletionPolicy,

        @JsonPropertyDescription("Which images jobs may use and how they are pulled. Default: FleetConfig "
                + "defaults.imagePolicy, else only the builder image, no services.")
        ImagePolicy imagePolicy,

        @JsonPropertyDescription("Secrets (kubernetes.io/dockerconfigjson) in the tenant namespace for pulling the "
                + "runner's, job and helper images, added to FleetConfig defaults.imagePullSecrets.")
        List<@Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") String> imagePullSecrets,

        @JsonPropertyDescription("/etc/hosts entries of the tenant's runner, job and cache registry pods, added to "
                + "FleetConfig hostAliases (which a tenant cannot point elsewhere).")
        List<HostAlias> hostAliases,

        @JsonPropertyDescription("Search domains and resolver options of the tenant's pods, added to FleetConfig "
                + "dnsConfig (a tenant's option replaces the fleet's of the same name).")
        DnsConfig dnsConfig,

        @JsonPropertyDescription("Another ConfigMap of CA certificates for this tenant's runner, jobs and cache "
                + "registry, in place of FleetConfig caBundle (same namespace).")
        CaBundleRef caBundle,

        @PreserveUnknownFields
        @SchemaFrom(type = JsonNode.class)
        @JsonPropertyDescription("Extra keys of the tenant's [[runners]] entry in config.toml (gitlab-runner's names, "
                + "e.g. output_limit, pre_build_script, feature_flags, kubernetes.poll_timeout), merged into what "
                + "buildfleet writes. Keys that decide isolation or that other fields set are refused.")
        Map<String, Object> runnerConfig,

        @PreserveUnknownFields
        @SchemaFrom(type = JsonNode.class)
        @JsonPropertyDescription("A patch of the runner manager's pod template (merged by name like a strategic "
                + "merge patch): labels, annotations, priorityClassName, terminationGracePeriodSeconds, configMap/"
                + "secret/emptyDir volumes, and resources, env and volumeMounts of the runner and install-config "
                + "containers. Anything else is refused.")
        Map<String, Object> runnerPodPatch,

        @JsonPropertyDescription("More runners of the tenant beside spec.gitlab.runner, each with its own tags, job "
                + "size and concurrency (e.g. small and large), sharing the tenant's namespace, nodes, bucket and "
                + "isolation. The quota and the capacity check cover their sum.")
        List<RunnerShapeSpec> shapes) {

    public BuildTenantSpec(GitLabSpec gitlab, Integer concurrency, NodesSpec nodes, JobResources jobResources,
                           CacheSpec cache, BuilderSpec builder, List<EgressRule> egress, MonitoringSpec monitoring,
                           DeletionPolicy storageDeletionPolicy, ImagePolicy imagePolicy,
                           List<String> imagePullSecrets, List<HostAlias> hostAliases, DnsConfig dnsConfig,
                           CaBundleRef caBundle, Map<String, Object> runnerConfig,
                           Map<String, Object> runnerPodPatch) {
        this(gitlab, concurrency, nodes, jobResources, cache, builder, egress, monitoring, storageDeletionPolicy,
                imagePolicy, imagePullSecrets, hostAliases, dnsConfig, caBundle, runnerConfig, runnerPodPatch, null);
    }

    public BuildTenantSpec(GitLabSpec gitlab, Integer concurrency, NodesSpec nodes, JobResources jobResources,
                           CacheSpec cache, BuilderSpec builder, List<EgressRule> egress, MonitoringSpec monitoring,
                           DeletionPolicy storageDeletionPolicy, ImagePolicy imagePolicy,
                           List<String> imagePullSecrets, List<HostAlias> hostAliases, DnsConfig dnsConfig,
                           CaBundleRef caBundle) {
        this(gitlab, concurrency, nodes, jobResources, cache, builder, egress, monitoring, storageDeletionPolicy,
                imagePolicy, imagePullSecrets, hostAliases, dnsConfig, caBundle, null, null, null);
    }

    public BuildTenantSpec(GitLabSpec gitlab, Integer concurrency, NodesSpec nodes, JobResources jobResources,
                           CacheSpec cache, BuilderSpec builder, List<EgressRule> egress, MonitoringSpec monitoring,
                           DeletionPolicy storageDeletionPolicy, ImagePolicy imagePolicy,
                           List<String> imagePullSecrets, List<HostAlias> hostAliases, DnsConfig dnsConfig) {
        this(gitlab, concurrency, nodes, jobResources, cache, builder, egress, monitoring, storageDeletionPolicy,
                imagePolicy, imagePullSecrets, hostAliases, dnsConfig, null);
    }

    public BuildTenantSpec(GitLabSpec gitlab, Integer concurrency, NodesSpec nodes, JobResources jobResources,
                           CacheSpec cache, BuilderSpec builder, List<EgressRule> egress, MonitoringSpec monitoring,
                           DeletionPolicy storageDeletionPolicy) {
        this(gitlab, concurrency, nodes, jobResources, cache, builder, egress, monitoring, storageDeletionPolicy,
                null, null, null, null, null);
    }
}
