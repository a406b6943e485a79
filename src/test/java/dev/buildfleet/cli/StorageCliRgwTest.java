package dev.buildfleet.cli;

import dev.buildfleet.storage.RealRgw;
import dev.buildfleet.storage.RgwAdminClient;
import dev.buildfleet.storage.StorageFleets;
import dev.buildfleet.storage.RgwTenantStorage;
import dev.buildfleet.storage.S3Keys;
import dev.buildfleet.storage.StoragePlan;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.model.TenantResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** `buildfleet storage ensure | check | delete` in-process against the real Ceph RGW. */
@ExtendWith(RealRgw.class)
class StorageCliRgwTest {
    @TempDir
    Path tmp;

    private static URI endpoint;
    private int fleets;
    private static Map<String, String> env;

    @BeforeAll
    static void rgw() {
        endpoint = RealRgw.get().endpoint();
        env = Map.of("BUILDFLEET_RGW_ACCESS_KEY", RealRgw.get().adminKeys().accessKeyId(),
                "BUILDFLEET_RGW_SECRET_KEY", RealRgw.get().adminKeys().secretAccessKey());
    }

    private Path fleet(String... tenantLines) throws IOException {
        StringBuilder yaml = new StringBuilder(StorageFleets.header(endpoint));
        for (String line : tenantLines) {
            yaml.append("  - ").append(line).append('\n');
        }
        return Files.writeString(tmp.resolve("fleet-" + (++fleets) + ".yaml"), yaml);
    }

    private static String tenant(String name, String spec) {
        return "{apiVersion: buildfleet.dev/v1alpha1, kind: BuildTenant, metadata: {name: " + name + "}, spec: "
                + "{gitlab: {runner: {tokenSecretRef: {name: t}}}" + (spec.isEmpty() ? "" : ", " + spec) + "}}";
    }

    @Test
    void ensureWritesPrivateEnvFilesPrintsNoSecretAndCheckFindsDrift() throws IOException {
        Path fleet = fleet(tenant("cli-a", "cache: {quota: {maxSize: 10Mi}}"), tenant("cli-b", ""),
                tenant("cli-own", "cache: {existingCredentialsSecret: {name: my-s3}}"));
        Path creds = tmp.resolve("creds");

        Cli first = Cli.runWithEnv(env, "storage", "ensure", "-f", fleet.toString(), "--credentials-out",
                creds.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("cli-a: changed", "created user bf-cli-a", "created bucket bf-cli-a-cache",
                "cli-own: skipped: spec.cache.existingCredentialsSecret is set");
        Path envA = creds.resolve("cli-a.env");
        assertThat(Files.getPosixFilePermissions(envA)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(creds.resolve("cli-own.env")).doesNotExist();
        Properties a = new Properties();
        try (var in = Files.newBufferedReader(envA)) {
            a.load(in);
        }
        assertThat(a.stringPropertyNames()).containsExactlyInAnyOrder("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        String secret = a.getProperty("AWS_SECRET_ACCESS_KEY");
        assertThat(first.out() + first.err()).doesNotContain(secret);
        assertThat(first.err()).contains("warning: config.ceph.endpoint (config.ceph.adminEndpoint is not set) "
                + endpoint + " is plain http");
        assertThat(first.exitCode()).as("plain http only warns").isZero();

        Cli second = Cli.runWithEnv(env, "storage", "ensure", "-f", fleet.toString(), "--tenant", "cli-a",
                "--credentials-out", creds.toString());
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.out()).contains("cli-a: no change").doesNotContain("created", "updated");
        assertThat(envA).content().contains(secret);

        Cli clean = Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString());
        assertThat(clean.exitCode()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.out()).contains("cli-a: in sync", "cli-b: in sync");

        StoragePlan planA = plan(fleet, "cli-a");
        RgwTenantStorage storage = RgwTenantStorage.connect(endpoint, "default", RealRgw.get().adminKeys());
        try (S3Client s3 = storage.s3(planA, ownerKeys(planA))) {   // what only the owner may do
            s3.deleteBucketPolicy(d -> d.bucket(planA.bucket()));
        }
        Cli drift = Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString());
        assertThat(drift.exitCode()).isEqualTo(1);
        assertThat(drift.out()).contains("cli-a: 1 drift item", "bucket policy: wanted objects only for "
                + "arn:aws:iam:::user/bf-cli-a, nothing for anyone but it and arn:aws:iam:::user/bf-cli-a.owner, "
                + "found none", "cli-b: in sync");
    }

    @Test
    void ensureLeavesTheTenantOnlyTheKeyItsCredentialsFileHolds() throws IOException {
        Path fleet = fleet(tenant("cli-keys", ""));
        Path creds = tmp.resolve("creds");
        assertThat(Cli.runWithEnv(env, "storage", "ensure", "-f", fleet.toString(), "--credentials-out",
                creds.toString()).exitCode()).isZero();
        String distributed = envFile(creds.resolve("cli-keys.env")).getProperty("AWS_ACCESS_KEY_ID");
        StoragePlan plan = plan(fleet, "cli-keys");
        RgwTenantStorage storage = RgwTenantStorage.connect(endpoint, "default", RealRgw.get().adminKeys());
        S3Keys planted = storage.issueKey(plan);
        storage.issueKey(plan);

        Cli check = Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString());
        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.out()).contains("keys of bf-cli-keys: wanted one S3 key, found 3 (");

        Cli repair = Cli.runWithEnv(env, "storage", "ensure", "-f", fleet.toString(), "--credentials-out",
                creds.toString());
        assertThat(repair.exitCode()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("updated key of bf-cli-keys (kept " + distributed + ", revoked ")
                .doesNotContain(planted.secretAccessKey());
        assertThat(storage.accessKeys(plan)).containsExactly(distributed);
        assertThat(envFile(creds.resolve("cli-keys.env")).getProperty("AWS_ACCESS_KEY_ID")).isEqualTo(distributed);
        assertThat(Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString()).exitCode()).isZero();
    }

    @Test
    void retainSaysKeptOnlyForWhatRgwHasAndAnEndpointWithAPathIsRefused() throws IOException {
        Path fleet = fleet(tenant("cli-ret", ""));
        Cli nothing = Cli.runWithEnv(env, "storage", "delete", "-f", fleet.toString(), "--tenant", "cli-ret",
                "--confirm");
        assertThat(nothing.exitCode()).as(nothing.err()).isZero();
        assertThat(nothing.out()).doesNotContain("kept").contains("absent  bucket bf-cli-ret-cache and its objects "
                + "(RGW has none)", "absent  user bf-cli-ret and its keys", "nothing left to keep");

        assertThat(Cli.runWithEnv(env, "storage", "ensure", "-f", fleet.toString(), "--credentials-out",
                tmp.resolve("c").toString()).exitCode()).isZero();
        Cli kept = Cli.runWithEnv(env, "storage", "delete", "-f", fleet.toString(), "--tenant", "cli-ret",
                "--confirm");
        assertThat(kept.out()).contains("kept    bucket bf-cli-ret-cache and its objects (0 objects, owned by "
                + "bf-cli-ret.owner)", "kept    owner bf-cli-ret.owner and its key", "kept    user bf-cli-ret");

        Path withPath = Files.writeString(tmp.resolve("path.yaml"), Files.readString(fleet(tenant("cli-ret",
                "storageDeletionPolicy: Delete"))).replace(endpoint.toString(), endpoint + "/some/path"));
        Cli refused = Cli.runWithEnv(env, "storage", "delete", "-f", withPath.toString(), "--tenant", "cli-ret",
                "--confirm");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("config.ceph.endpoint: '" + endpoint + "/some/path' has the path "
                + "'/some/path'");
        assertThat(refused.out()).doesNotContain("nothing left to remove");
        assertThat(Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString()).exitCode())
                .as("everything is still there").isZero();
    }

    private static S3Keys ownerKeys(StoragePlan plan) {
        return new RgwAdminClient(endpoint, "default", RealRgw.get().adminKeys(), java.time.Duration.ofSeconds(10))
                .user(plan.ownerUserId()).orElseThrow().firstKey().orElseThrow();
    }

    private static Properties envFile(Path file) throws IOException {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        return properties;
    }

    @Test
    void deleteNeedsConfirmAndFollowsThePolicy() throws IOException {
        Path fleet = fleet(tenant("cli-del", "storageDeletionPolicy: Delete"));
        Path creds = tmp.resolve("creds");
        assertThat(Cli.runWithEnv(env, "storage", "ensure", "-f", fleet.toString(), "--credentials-out",
                creds.toString()).exitCode()).isZero();

        Cli refused = Cli.runWithEnv(env, "storage", "delete", "-f", fleet.toString(), "--tenant", "cli-del");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("without --confirm");
        assertThat(Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString()).exitCode()).isZero();

        Cli deleted = Cli.runWithEnv(env, "storage", "delete", "-f", fleet.toString(), "--tenant", "cli-del",
                "--confirm");
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();
        assertThat(deleted.out()).contains("removed bucket bf-cli-del-cache", "removed owner bf-cli-del.owner",
                "removed user bf-cli-del");
        Cli check = Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString());
        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.out()).contains("user bf-cli-del: wanted exists, found missing");
    }

    @Test
    void missingAdminKeysAndBadInputAreRefusedBeforeAnyCall() throws IOException {
        Path fleet = fleet(tenant("cli-x", ""));
        Cli noSecret = Cli.runWithEnv(Map.of("BUILDFLEET_RGW_ACCESS_KEY", "x"), "storage", "check", "-f",
                fleet.toString());
        assertThat(noSecret.exitCode()).isEqualTo(2);
        assertThat(noSecret.err()).contains("BUILDFLEET_RGW_SECRET_KEY is not set");

        Cli unknown = Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString(), "--tenant", "nope");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("--tenant: 'nope' is not a tenant of the fleet (it has: cli-x)");

        Path bad = fleet(tenant("cli-y", "cache: {quota: {maxObjects: 0}}"));
        Cli invalid = Cli.runWithEnv(env, "storage", "ensure", "-f", bad.toString(), "--credentials-out",
                tmp.resolve("c").toString());
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.err()).contains("tenants[0].spec.cache.quota.maxObjects");
        assertThat(tmp.resolve("c")).doesNotExist();
        RgwTenantStorage storage = RgwTenantStorage.connect(endpoint, "default", RealRgw.get().adminKeys());
        assertThat(storage.accessKeys(plan(fleet, "cli-x"))).isEmpty();
    }

    @Test
    void unreachableRgwExitsFourWithTheReason() throws IOException {
        String deadFleet = Files.readString(fleet(tenant("cli-dead", "")))
                .replace(endpoint.toString(), "http://127.0.0.1:" + freePort());
        Path fleet = Files.writeString(tmp.resolve("dead.yaml"), deadFleet);
        Cli cli = Cli.runWithEnv(env, "storage", "ensure", "-f", fleet.toString(), "--credentials-out",
                tmp.resolve("c").toString());
        assertThat(cli.exitCode()).isEqualTo(4);
        assertThat(cli.err()).contains("RGWUnreachable");
        assertThat(tmp.resolve("c")).doesNotExist();
    }

    private static int freePort() throws IOException {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static StoragePlan plan(Path fleetFile, String tenant) {
        Fleet fleet = FleetLoader.load(fleetFile);
        return StoragePlan.of(TenantResolver.resolve(fleet.config(), fleet.tenants().stream()
                .filter(t -> t.getMetadata().getName().equals(tenant)).findFirst().orElseThrow()));
    }

    @Test
    void overHttpsTheCliTrustsTheCaFileItIsGivenAndNamesItWhenTheCertificateIsNotTrusted() throws IOException {
        URI https = RealRgw.get().tlsEndpoint();
        Path fleet = Files.writeString(tmp.resolve("fleet-tls.yaml"), StorageFleets.header(https) + "  - "
                + tenant("cli-tls", "") + "\n");
        Path ca = Files.writeString(tmp.resolve("corporate-ca.pem"), RealRgw.get().ca().pem());
        Path other = Files.writeString(tmp.resolve("other-ca.pem"),
                dev.buildfleet.tls.TestCa.create("some other CA").pem());

        Cli jdkOnly = Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString());
        assertThat(jdkOnly.exitCode()).isEqualTo(4);
        assertThat(jdkOnly.err()).contains("certificate not trusted by the JDK's default CAs", "--ca-file");

        Cli wrong = Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString(), "--ca-file", other.toString());
        assertThat(wrong.exitCode()).isEqualTo(4);
        assertThat(wrong.err()).contains("certificate not trusted by --ca-file " + other);

        Cli ensure = Cli.runWithEnv(env, "storage", "ensure", "-f", fleet.toString(), "--ca-file", ca.toString(),
                "--credentials-out", tmp.resolve("creds-tls").toString());
        assertThat(ensure.exitCode()).as(ensure.err()).isZero();
        assertThat(ensure.out()).contains("created bucket bf-cli-tls-cache");
        Cli check = Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString(), "--ca-file", ca.toString());
        assertThat(check.exitCode()).as(check.out() + check.err()).isZero();

        Path notPem = Files.writeString(tmp.resolve("not.pem"), "hello");
        Cli bad = Cli.runWithEnv(env, "storage", "check", "-f", fleet.toString(), "--ca-file", notPem.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("--ca-file " + notPem);
    }
}
