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
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

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
    void ownerUserIsOneNoTenantsUserCanHave() {
        StoragePlan plan = StoragePlan.of(Fixtures.resolved("java"));
        assertThat(plan.ownerUserId()).isEqualTo("bf-java.owner");
        assertThat(plan.ownerPrincipalArn()).isEqualTo("arn:aws:iam:::user/bf-java.owner");
        assertThat(StoragePlan.TENANT_MAX_BUCKETS).isNegative();
        assertThat(StoragePlan.OWNER_MAX_BUCKETS).isEqualTo(1);
    }

    @Test
    void policyLetsTheTenantUseObjectsOnlyTheOwnerEverythingAndNobodyElseAnything() throws IOException {
        StoragePlan plan = StoragePlan.of(Fixtures.resolved("java"));
        JsonNode statements = new ObjectMapper().readTree(plan.bucketPolicy()).get("Statement");
        List<String> resources = List.of("arn:aws:s3:::bf-java-cache", "arn:aws:s3:::bf-java-cache/*");
        assertThat(statements).allSatisfy(st -> assertThat(st.get("Resource")).extracting(JsonNode::asText)
                .containsExactlyElementsOf(resources));
        assertThat(statements).extracting(st -> st.get("Sid").asText(), st -> st.get("Effect").asText())
                .containsExactly(tuple("buildfleet-owner", "Allow"), tuple("buildfleet-tenant-objects", "Allow"),
                        tuple("buildfleet-tenant-no-management", "Deny"),
                        tuple("buildfleet-tenant-no-shared-objects", "Deny"), tuple("buildfleet-nobody-else", "Deny"));

        JsonNode tenant = statements.get(1);
        assertThat(tenant.get("Principal").get("AWS")).extracting(JsonNode::asText)
                .containsExactly("arn:aws:iam:::user/bf-java");
        assertThat(tenant.get("Action")).extracting(JsonNode::asText).containsExactlyInAnyOrder("s3:GetObject",
                "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:ListBucketMultipartUploads",
                "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:GetBucketLocation");
        assertThat(statements.get(2).get("Action")).extracting(JsonNode::asText).contains("s3:PutObjectAcl",
                "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration",
                "s3:PutBucketVersioning", "s3:DeleteBucket");
        assertThat(statements.get(3).get("Condition").get("StringEquals").get("s3:x-amz-acl"))
                .extracting(JsonNode::asText).contains("public-read", "public-read-write", "authenticated-read");
        JsonNode nobodyElse = statements.get(4);
        assertThat(nobodyElse.get("NotPrincipal").get("AWS")).extracting(JsonNode::asText)
                .containsExactly("arn:aws:iam:::user/bf-java", "arn:aws:iam:::user/bf-java.owner");
        assertThat(nobodyElse.get("Action")).extracting(JsonNode::asText).containsExactly("s3:*");
        assertThat(BucketPolicy.matches(plan, plan.bucketPolicy().replace(",", ", "))).isTrue();
        assertThat(BucketPolicy.matches(plan, plan.bucketPolicy().replace("s3:GetObject", "s3:*"))).isFalse();
    }

    @Test
    void aLifecycleRuleThatLooksLikeOursButExpiresTheBucketIsADifference() {
        StoragePlan plan = StoragePlan.of(Fixtures.resolved("java"));
        List<LifecycleRule> ours = LifecycleRules.of(plan.lifecycle());
        assertThat(LifecycleRules.matches(plan.lifecycle(), ours)).isTrue();
        assertThat(LifecycleRules.matches(plan.lifecycle(), List.of(ours.get(1), ours.get(0)))).isTrue();
        LifecycleRule datedAbort = ours.get(0).toBuilder().expiration(LifecycleExpiration.builder()
                .date(java.time.Instant.parse("2020-01-01T00:00:00Z")).build()).build();
        assertThat(LifecycleRules.fromRule(datedAbort)).isEqualTo(plan.lifecycle().get(0));
        assertThat(LifecycleRules.matches(plan.lifecycle(), List.of(datedAbort, ours.get(1)))).isFalse();
        assertThat(LifecycleRules.describe(List.of(datedAbort))).contains("expiration date 2020-01-01");
        LifecycleRule disabled = ours.get(1).toBuilder().status(ExpirationStatus.DISABLED).build();
        assertThat(LifecycleRules.matches(plan.lifecycle(), List.of(ours.get(0), disabled))).isFalse();
        LifecycleRule wholeBucket = ours.get(1).toBuilder().filter(LifecycleRuleFilter.builder().prefix("").build())
                .build();
        assertThat(LifecycleRules.matches(plan.lifecycle(), List.of(ours.get(0), wholeBucket))).isFalse();
        assertThat(LifecycleRules.matches(plan.lifecycle(), List.of(ours.get(0), ours.get(1), wholeBucket
                .toBuilder().id("extra").build()))).isFalse();
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
