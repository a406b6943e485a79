package dev.buildfleet.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.buildfleet.Fixtures;
import dev.buildfleet.api.DeletionPolicy;
import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.config.FleetLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The storage plan of a tenant, without any server. */
class StoragePlanTest {
    private static final URI RGW = URI.create("http://127.0.0.1:7480");

    @Test
    void exampleTenantGetsItsOwnUserBucketQuotaAndRules() {
        StoragePlan plan = StoragePlan.of(Fixtures.resolved("java"));
        assertThat(plan.userId()).isEqualTo("bf-java");
        assertThat(plan.bucket()).isEqualTo("bf-java-cache");
        assertThat(plan.endpoint()).isEqualTo(URI.create("https://rgw.example.com"));
        assertThat(plan.provisioned()).isTrue();
        assertThat(plan.quota()).isEqualTo(new StoragePlan.Quota(true, 200L * 1024 * 1024, 2_000_000));
        assertThat(plan.lifecycle()).containsExactly(
                new StoragePlan.Lifecycle(StoragePlan.ABORT_MULTIPART_RULE, "", 0, 1),
                new StoragePlan.Lifecycle(StoragePlan.EXPIRE_RUNNER_CACHE_RULE, "runner-cache/", 14, 0));
        assertThat(plan.deletionPolicy()).isEqualTo(DeletionPolicy.Retain);
    }

    @Test
    void onlyTheRunnerCacheExpiresNeverTheRegistry() {
        StoragePlan plan = StoragePlan.of(Fixtures.resolved("dotnet"));
        assertThat(plan.lifecycle()).filteredOn(r -> r.expirationDays() > 0)
                .singleElement().extracting(StoragePlan.Lifecycle::prefix).isEqualTo("runner-cache/");
        assertThat(plan.lifecycle()).noneMatch(r -> r.prefix().startsWith(StoragePlan.REGISTRY_PREFIX));
        assertThat(plan.lifecycle()).filteredOn(r -> r.prefix().isEmpty())
                .allMatch(r -> r.expirationDays() == 0 && r.abortIncompleteMultipartDays() == 1);
        assertThat(plan.lifecycle().get(1).expirationDays()).isEqualTo(7);   // ttl 168h
        assertThat(plan.quota()).isEqualTo(new StoragePlan.Quota(true, 100L * 1024 * 1024, -1));
    }

    @ParameterizedTest
    @CsvSource({"1s,1", "90m,1", "24h,1", "25h,2", "36h,2", "336h,14", "337h,15"})
    void ttlBecomesWholeDaysRoundedUpAtLeastOne(String ttl, int days) {
        assertThat(StoragePlan.expirationDays(dev.buildfleet.model.GoDuration.parse(ttl))).isEqualTo(days);
        assertThat(StoragePlan.expirationDays(Duration.ZERO)).isEqualTo(1);
    }

    @Test
    void policyGrantsOnlyTheTenantUserOnTheBucketAndItsObjects() throws IOException {
        StoragePlan plan = StoragePlan.of(Fixtures.resolved("java"));
        JsonNode policy = new ObjectMapper().readTree(plan.bucketPolicy());
        assertThat(policy.get("Statement")).hasSize(1);
        JsonNode statement = policy.get("Statement").get(0);
        assertThat(statement.get("Effect").asText()).isEqualTo("Allow");
        assertThat(statement.get("Principal").get("AWS")).extracting(JsonNode::asText)
                .containsExactly("arn:aws:iam:::user/bf-java");
        assertThat(statement.get("Action")).extracting(JsonNode::asText).containsExactly("s3:*");
        assertThat(statement.get("Resource")).extracting(JsonNode::asText)
                .containsExactly("arn:aws:s3:::bf-java-cache", "arn:aws:s3:::bf-java-cache/*");
    }

    @Test
    void noQuotaMeansUnlimitedAndBringYourOwnIsNotProvisioned() {
        StoragePlan plan = StorageFleets.plan(RGW, new StorageFleets.Tenant("own",
                "existingCredentialsSecret: {name: my-s3}", "Delete"));
        assertThat(plan.quota()).isEqualTo(StoragePlan.Quota.UNLIMITED);
        assertThat(plan.provisioned()).isFalse();
        assertThat(plan.deletionPolicy()).isEqualTo(DeletionPolicy.Delete);
        assertThat(plan.lifecycle().get(1).expirationDays()).isEqualTo(2);   // the helper's ttl 36h
    }

    @Test
    void oddSizesRoundUpToWholeKibibytes() {
        StoragePlan plan = StorageFleets.plan(RGW, new StorageFleets.Tenant("odd", "quota: {maxSize: '1500'}", null));
        assertThat(plan.quota()).isEqualTo(new StoragePlan.Quota(true, 2, -1));
    }

    @Test
    void disabledQuotasMatchWhateverLimitsRgwKeeps() {
        assertThat(StoragePlan.Quota.UNLIMITED.matches(new StoragePlan.Quota(false, 0, -1))).isTrue();
        assertThat(new StoragePlan.Quota(true, 1024, -1).matches(new StoragePlan.Quota(true, 1024, -5))).isTrue();
        assertThat(new StoragePlan.Quota(true, 1024, 10).matches(new StoragePlan.Quota(true, 1024, 11))).isFalse();
        assertThat(new StoragePlan.Quota(true, 1024, 10).matches(null)).isFalse();
    }

    @Test
    void keysNeverShowTheirSecret() {
        assertThat(new S3Keys("AKID", "s3cr3t").toString()).contains("AKID").doesNotContain("s3cr3t");
        assertThat(new StorageFault(StorageFault.Reason.AccessDenied, "x").toString()).startsWith("AccessDenied: ");
    }

    @Test
    void adminEndpointDefaultsToTheS3Endpoint() {
        FleetConfig config = FleetLoader.parseConfig("""
                gitlab: {url: https://gitlab.example.com, cidrs: [10.10.0.10/32]}
                kubernetesApi: {cidrs: [10.96.0.1/32]}
                ceph: {endpoint: https://rgw.example.com, cidrs: [10.10.1.0/24]}
                """);
        assertThat(config.ceph().resolvedAdminEndpoint()).isEqualTo("https://rgw.example.com");
        FleetConfig withAdmin = FleetLoader.parseConfig("""
                gitlab: {url: https://gitlab.example.com, cidrs: [10.10.0.10/32]}
                kubernetesApi: {cidrs: [10.96.0.1/32]}
                ceph: {endpoint: https://rgw.example.com, cidrs: [10.10.1.0/24], adminEndpoint: https://rgw-admin:8443,
                       adminCredentialsSecret: {namespace: buildfleet-system, name: rgw-admin}}
                """);
        assertThat(withAdmin.ceph().resolvedAdminEndpoint()).isEqualTo("https://rgw-admin:8443");
        assertThat(withAdmin.ceph().adminCredentialsSecret())
                .isEqualTo(new FleetConfig.NamespacedSecret("buildfleet-system", "rgw-admin"));
    }
}
