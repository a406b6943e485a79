package dev.buildfleet.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.buildfleet.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.buildfleet.Fixtures.exampleWith;
import static dev.buildfleet.Fixtures.tenantSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every kind of bad fleet a platform engineer could write: `validate` and `render` both exit 1, print the field path
 * and a message saying what to do, and `render` writes nothing.
 */
class BadInputTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> badFleets() {
        return Stream.of(
                bad("duplicate tenant names", root -> ((ObjectNode) root.withArray("tenants").get(1).get("metadata"))
                        .put("name", "java"), "tenants[1].metadata.name: 'java' is already used by tenants[0]"),
                bad("name not a DNS label", root -> ((ObjectNode) root.withArray("tenants").get(0).get("metadata"))
                        .put("name", "Java_Team"), "tenants[0].metadata.name: 'Java_Team' must be lowercase"),
                bad("name too long for the bucket", root -> ((ObjectNode) root.withArray("tenants").get(0)
                        .get("metadata")).put("name", "a".repeat(55)), "at most 54 fit the derived bucket name"),
                bad("two tenants on one node label", root -> {
                    tenantSpec(root, 0).putObject("nodes").putObject("selector").put("pool", "builders");
                    tenantSpec(root, 1).putObject("nodes").putObject("selector").put("pool", "builders");
                }, "tenants[1].spec.nodes.selector: node labels {pool=builders} and tenants[0] (java)'s {pool=builders} "
                        + "can both match one node"),
                bad("selector that contains another tenant's", root -> {
                    tenantSpec(root, 0).putObject("nodes").putObject("selector").put("pool", "builders");
                    tenantSpec(root, 1).putObject("nodes").putObject("selector").put("pool", "builders")
                            .put("team", "dotnet");
                }, "and tenants[0] (java)'s {pool=builders} can both match one node"),
                bad("selectors on different keys, which one node can carry both", root -> {
                    tenantSpec(root, 0).putObject("nodes").putObject("selector").put("pool", "builders");
                    tenantSpec(root, 1).putObject("nodes").putObject("selector").put("team", "dotnet");
                }, "tenants[1].spec.nodes.selector: node labels {team=dotnet} and tenants[0] (java)'s "
                        + "{pool=builders} can both match one node"),
                bad("a toleration of another tenant's taint", root -> {
                    var tolerations = tenantSpec(root, 1).with("nodes").putArray("tolerations");
                    tolerations.addObject().put("key", "buildfleet.dev/tenant").put("operator", "Equal")
                            .put("value", "dotnet").put("effect", "NoSchedule");
                    tolerations.addObject().put("key", "buildfleet.dev/tenant").put("operator", "Exists");
                }, "tenants[1].spec.nodes.tolerations[1]: tolerates buildfleet.dev/tenant=java:NoSchedule, the "
                        + "taint that keeps other pods off tenants[0] (java)'s nodes"),
                bad("concurrency above 200", root -> tenantSpec(root, 1).put("concurrency", 500),
                        "tenants[1].spec.concurrency: 500 exceeds the maximum 200"),
                bad("concurrency zero", root -> tenantSpec(root, 0).put("concurrency", 0),
                        "tenants[0].spec.concurrency: 0 is below the minimum 1"),
                bad("cpu limit below request", root -> tenantSpec(root, 0).putObject("jobResources")
                                .putObject("cpu").put("request", "2").put("limit", "500m"),
                        "tenants[0].spec.jobResources.cpu.limit: 500m is below the request 2"),
                bad("memory limit below the default request", root -> tenantSpec(root, 0).putObject("jobResources")
                                .putObject("memory").put("limit", "1Gi"),
                        "tenants[0].spec.jobResources.memory.limit: limit 1Gi is below the request 2Gi"),
                bad("a maximum limit below the limit", root -> tenantSpec(root, 0).putObject("jobResources")
                                .putObject("cpu").put("limit", "4").put("maxLimit", "3"),
                        "tenants[0].spec.jobResources.cpu.maxLimit: maxLimit 3 is below the limit 4"),
                bad("a maximum request below the fleet's default request", root -> tenantSpec(root, 0)
                                .putObject("jobResources").putObject("memory").put("maxRequest", "1Gi"),
                        "tenants[0].spec.jobResources.memory.maxRequest: maxRequest 1Gi is below the request 2Gi"),
                bad("a request a job may raise above the limit it may reach", root -> tenantSpec(root, 0)
                                .putObject("jobResources").putObject("cpu").put("maxRequest", "8"),
                        "tenants[0].spec.jobResources.cpu.maxRequest: maxRequest 8 is above the most a job may set "
                                + "its limit to (2"),
                bad("a maximum that is not a quantity", root -> tenantSpec(root, 0).putObject("jobResources")
                                .putObject("ephemeralStorage").put("maxLimit", "lots"),
                        "tenants[0].spec.jobResources.ephemeralStorage.maxLimit: 'lots' is not a quantity"),
                bad("a privileged job container through runnerConfig", root -> tenantSpec(root, 0)
                                .putObject("runnerConfig").putObject("kubernetes").put("privileged", true),
                        "tenants[0].spec.runnerConfig.kubernetes.privileged: not settable here: job containers "
                                + "never run privileged"),
                bad("another namespace through runnerConfig", root -> tenantSpec(root, 0)
                                .putObject("runnerConfig").putObject("kubernetes").put("namespace", "bf-dotnet"),
                        "tenants[0].spec.runnerConfig.kubernetes.namespace: not settable here"),
                bad("a job-chosen node selector through runnerConfig", root -> tenantSpec(root, 0)
                                .putObject("runnerConfig").putObject("kubernetes")
                                .put("node_selector_overwrite_allowed", ".*"),
                        "tenants[0].spec.runnerConfig.kubernetes.node_selector_overwrite_allowed: not settable here: "
                                + "job pods run on the tenant's nodes only"),
                bad("a host path volume through runnerConfig", root -> tenantSpec(root, 0)
                                .putObject("runnerConfig").putObject("kubernetes").putObject("volumes")
                                .putArray("host_path").addObject().put("name", "root").put("host_path", "/"),
                        "tenants[0].spec.runnerConfig.kubernetes.volumes: not settable here"),
                bad("an added capability through runnerConfig", root -> tenantSpec(root, 0)
                                .putObject("runnerConfig").putObject("kubernetes").putArray("cap_add").add("SYS_ADMIN"),
                        "tenants[0].spec.runnerConfig.kubernetes.cap_add: not settable here"),
                bad("a service account token through runnerConfig", root -> tenantSpec(root, 0)
                                .putObject("runnerConfig").putObject("kubernetes")
                                .put("automount_service_account_token", true),
                        "tenants[0].spec.runnerConfig.kubernetes.automount_service_account_token: not settable here"),
                bad("a token key that the init container would fill", root -> tenantSpec(root, 0)
                                .putObject("runnerConfig").putObject("custom").put("token", "$RUNNER_TOKEN"),
                        "tenants[0].spec.runnerConfig.custom.token: not settable here"),
                bad("another clone URL through runnerConfig", root -> tenantSpec(root, 0)
                                .putObject("runnerConfig").put("clone_url", "https://evil.example.com"),
                        "tenants[0].spec.runnerConfig.clone_url: not settable here"),
                bad("a variable buildfleet sets", root -> tenantSpec(root, 0).putObject("runnerConfig")
                                .putArray("environment").add("BUILDFLEET_CACHE_REPO=evil.example.com/cache"),
                        "tenants[0].spec.runnerConfig.environment[0]: BUILDFLEET_CACHE_REPO is set by buildfleet"),
                bad("the runner's own token rotation", root -> tenantSpec(root, 0).putObject("runnerConfig")
                                .putObject("feature_flags").put("FF_DISABLE_AUTOMATIC_TOKEN_ROTATION", false),
                        "tenants[0].spec.runnerConfig.feature_flags.FF_DISABLE_AUTOMATIC_TOKEN_ROTATION: buildfleet "
                                + "rotates the token itself"),
                bad("an unconfined AppArmor annotation on job pods", root -> tenantSpec(root, 0)
                                .putObject("runnerConfig").putObject("kubernetes").putObject("pod_annotations")
                                .put("container.apparmor.security.beta.kubernetes.io/build", "unconfined"),
                        "tenants[0].spec.runnerConfig.kubernetes.pod_annotations.container.apparmor.security.beta."
                                + "kubernetes.io/build: security profiles"),
                bad("a null in runnerConfig", root -> tenantSpec(root, 0).putObject("runnerConfig")
                                .putNull("output_limit"),
                        "tenants[0].spec.runnerConfig.output_limit: empty; TOML has no null"),
                bad("the runner pod moved off the tenant's nodes", root -> tenantSpec(root, 0)
                                .putObject("runnerPodPatch").putObject("spec").putObject("nodeSelector")
                                .put("pool", "shared"),
                        "tenants[0].spec.runnerPodPatch.spec.nodeSelector: not patchable: the runner runs on the "
                                + "tenant's nodes only"),
                bad("the runner pod on the host network", root -> tenantSpec(root, 0)
                                .putObject("runnerPodPatch").putObject("spec").put("hostNetwork", true),
                        "tenants[0].spec.runnerPodPatch.spec.hostNetwork: not patchable: the runner never uses the "
                                + "host's namespaces"),
                bad("another ServiceAccount for the runner", root -> tenantSpec(root, 0)
                                .putObject("runnerPodPatch").putObject("spec").put("serviceAccountName", "default"),
                        "tenants[0].spec.runnerPodPatch.spec.serviceAccountName: not patchable"),
                bad("a sidecar beside the runner", root -> tenantSpec(root, 0).putObject("runnerPodPatch")
                                .putObject("spec").putArray("containers").addObject().put("name", "sidecar")
                                .put("image", "busybox"),
                        "tenants[0].spec.runnerPodPatch.spec.containers[0].name: 'sidecar' is not a container of "
                                + "the runner pod (only 'runner'): an added container would share the runner's API "
                                + "token"),
                bad("a privileged runner container", root -> tenantSpec(root, 0).putObject("runnerPodPatch")
                                .putObject("spec").putArray("containers").addObject().put("name", "runner")
                                .putObject("securityContext").put("privileged", true),
                        "tenants[0].spec.runnerPodPatch.spec.containers[0].securityContext: not patchable"),
                bad("a host path volume for the runner", root -> tenantSpec(root, 0).putObject("runnerPodPatch")
                                .putObject("spec").putArray("volumes").addObject().put("name", "node")
                                .putObject("hostPath").put("path", "/"),
                        "tenants[0].spec.runnerPodPatch.spec.volumes[0].hostPath: not patchable: a host path opens "
                                + "the node"),
                bad("a projected token volume for the runner", root -> tenantSpec(root, 0)
                                .putObject("runnerPodPatch").putObject("spec").putArray("volumes").addObject()
                                .put("name", "token").putObject("projected"),
                        "tenants[0].spec.runnerPodPatch.spec.volumes[0].projected: not patchable"),
                bad("a label that selects the runner's policies", root -> tenantSpec(root, 0)
                                .putObject("runnerPodPatch").putObject("metadata").putObject("labels")
                                .put("buildfleet.dev/role", "build-job"),
                        "tenants[0].spec.runnerPodPatch.metadata.labels.buildfleet.dev/role: buildfleet's own"),
                bad("a mount over the service-account token", root -> {
                    var spec = tenantSpec(root, 0).putObject("runnerPodPatch").putObject("spec");
                    spec.putArray("volumes").addObject().put("name", "extra").putObject("emptyDir");
                    spec.putArray("containers").addObject().put("name", "runner").putArray("volumeMounts")
                            .addObject().put("name", "extra")
                            .put("mountPath", "/var/run/secrets/kubernetes.io/serviceaccount");
                }, "tenants[0].spec.runnerPodPatch.spec.containers[0].volumeMounts[0].mountPath: "
                        + "'/var/run/secrets/kubernetes.io/serviceaccount' is not a free absolute path"),
                bad("a registry mirror with a scheme", root -> root.with("config").with("images")
                                .putArray("registryMirrors").add("https://mirror.example.com"),
                        "config.images.registryMirrors[0]: 'https://mirror.example.com' is not a registry "
                                + "host[:port][/path]"),
                bad("two shapes of one name", root -> {
                    var shapes = tenantSpec(root, 0).putArray("shapes");
                    shapes.addObject().put("name", "large").putObject("runner").putObject("tokenSecretRef")
                            .put("name", "a");
                    shapes.addObject().put("name", "large").putObject("runner").putObject("tokenSecretRef")
                            .put("name", "b");
                }, "tenants[0].spec.shapes[1].name: 'large' is used by another shape"),
                bad("a shape sharing the main runner's token Secret", root -> tenantSpec(root, 1).putArray("shapes")
                                .addObject().put("name", "large").putObject("runner").putObject("tokenSecretRef")
                                .put("name", tenantSpec(root, 1).at("/gitlab/runner/tokenSecretRef/name").asText()),
                        "tenants[1].spec.shapes[0].runner: its token would be in Secret"),
                bad("shapes beyond what one runner manager runs", root -> tenantSpec(root, 0).putArray("shapes")
                                .addObject().put("name", "large").put("concurrency", 190).putObject("runner")
                                .putObject("tokenSecretRef").put("name", "t"),
                        "tenants[0].spec.shapes: spec.concurrency and the shapes' together run 210 jobs at once"),
                bad("a shape without a runner", root -> tenantSpec(root, 0).putArray("shapes").addObject()
                                .put("name", "small"),
                        "tenants[0].spec.shapes[0].runner: set exactly one of tokenSecretRef"),
                bad("a shape whose limit is below its request", root -> {
                    var shape = tenantSpec(root, 0).putArray("shapes").addObject().put("name", "large");
                    shape.putObject("runner").putObject("tokenSecretRef").put("name", "t");
                    shape.putObject("jobResources").putObject("cpu").put("request", "4");
                }, "tenants[0].spec.shapes[0].jobResources.cpu.limit: limit 2 is below the request 4"),
                bad("a maximum for the helper", root -> root.with("config").with("defaults")
                                .putObject("helperResources").putObject("cpu").put("maxLimit", "2"),
                        "config.defaults.helperResources.cpu.maxLimit: jobs cannot resize the helper container"),
                bad("unknown spec field", root -> tenantSpec(root, 0).put("concurency", 10),
                        "tenants[0].spec.concurency: unknown field"),
                bad("unknown nested field", root -> ((ObjectNode) tenantSpec(root, 0).get("cache")).put("tll", "1h"),
                        "tenants[0].spec.cache.tll: unknown field"),
                bad("unknown toleration field", root -> tenantSpec(root, 0).putObject("nodes")
                                .putArray("tolerations").addObject().put("key", "a").put("efect", "NoSchedule"),
                        "tenants[0].spec.nodes.tolerations[0].efect: unknown field"),
                bad("toleration without a key", root -> tenantSpec(root, 0).putObject("nodes")
                                .putArray("tolerations").addObject().put("operator", "Exists"),
                        "tenants[0].spec.nodes.tolerations[0].key: missing: a toleration without a key tolerates "
                                + "every taint"),
                bad("malformed GitLab URL", root -> ((ObjectNode) root.get("config").get("gitlab"))
                        .put("url", "gitlab example com"), "config.gitlab.url: 'gitlab example com' is not a URL"),
                bad("plain http GitLab without opt-in", root -> ((ObjectNode) root.get("config").get("gitlab"))
                        .put("url", "http://gitlab.example.com"), "config.gitlab.url: 'http://gitlab.example.com' is "
                        + "plain http"),
                bad("credentials in a URL", root -> ((ObjectNode) root.get("config").get("ceph"))
                        .put("endpoint", "https://admin:pw@rgw.example.com"), "config.ceph.endpoint: "
                        + "'https://***@rgw.example.com' carries credentials"),
                bad("admin endpoint not a URL", root -> ((ObjectNode) root.get("config").get("ceph"))
                        .put("adminEndpoint", "ftp://rgw-admin.example.com"), "config.ceph.adminEndpoint: "
                        + "'ftp://rgw-admin.example.com' must start with https://"),
                bad("admin credentials secret in a bad namespace", root -> ((ObjectNode) root.get("config")
                        .get("ceph")).putObject("adminCredentialsSecret").put("namespace", "Buildfleet_System")
                        .put("name", "rgw-admin"), "config.ceph.adminCredentialsSecret.namespace: "
                        + "'Buildfleet_System' is not a namespace name"),
                bad("admin credentials secret without a name", root -> ((ObjectNode) root.get("config")
                        .get("ceph")).putObject("adminCredentialsSecret").put("namespace", "buildfleet-system"),
                        "config.ceph.adminCredentialsSecret.name: 'null' is not a Secret name"),
                bad("no tags and runUntagged false", root -> ((ObjectNode) tenantSpec(root, 0).get("gitlab")
                        .get("runner").get("create")).putArray("tags"), "tenants[0].spec.gitlab.runner.create.tags: "
                        + "empty while runUntagged is false"),
                bad("both token sources", root -> ((ObjectNode) tenantSpec(root, 0).get("gitlab").get("runner"))
                                .putObject("tokenSecretRef").put("name", "t"),
                        "tenants[0].spec.gitlab.runner: set exactly one of tokenSecretRef"),
                bad("group runner without group id", root -> ((ObjectNode) tenantSpec(root, 0).get("gitlab")
                        .get("runner").get("create")).remove("groupId"), "tenants[0].spec.gitlab.runner.create.groupId: "
                        + "required when runnerType is group_type"),
                bad("runner type not in the enum", root -> ((ObjectNode) tenantSpec(root, 0).get("gitlab")
                                .get("runner").get("create")).put("runnerType", "shared"),
                        "tenants[0].spec.gitlab.runner.create.runnerType: 'shared' is not one of "
                                + "instance_type, group_type, project_type"),
                bad("timeout below GitLab's minimum", root -> ((ObjectNode) tenantSpec(root, 0).get("gitlab")
                                .get("runner").get("create")).put("maximumTimeout", 60),
                        "maximumTimeout: 60 seconds is outside 600..2592000"),
                bad("egress CIDR that does not parse", root -> ((ObjectNode) tenantSpec(root, 0).withArray("egress")
                        .get(0)).put("cidr", "10.20.0.0/33"), "tenants[0].spec.egress[0].cidr: '10.20.0.0/33' is not a "
                        + "CIDR: prefix length must be 0..32"),
                bad("egress CIDR that is a host name", root -> ((ObjectNode) tenantSpec(root, 0).withArray("egress")
                        .get(1)).put("cidr", "harbor.example.com/32"), "tenants[0].spec.egress[1].cidr: "
                        + "'harbor.example.com/32' is not a CIDR"),
                bad("egress CIDR with host bits", root -> ((ObjectNode) tenantSpec(root, 1).withArray("egress")
                        .get(0)).put("cidr", "10.20.3.4/16"), "did you mean 10.20.0.0/16?"),
                bad("egress to every address", root -> ((ObjectNode) tenantSpec(root, 1).withArray("egress")
                        .get(0)).put("cidr", "0.0.0.0/0"), "tenants[1].spec.egress[0].cidr: '0.0.0.0/0' covers every "
                        + "address; open narrower ranges, or, if the platform means to allow this one, list a range "
                        + "that contains it in config.egressPolicy.allowedRanges"),
                bad("egress to every IPv6 address", root -> ((ObjectNode) tenantSpec(root, 1).withArray("egress")
                        .get(0)).put("cidr", "::/0"), "'::/0' covers every address"),
                bad("egress to the cloud metadata address", root -> ((ObjectNode) tenantSpec(root, 1)
                        .withArray("egress").get(0)).put("cidr", "169.254.169.254/32"),
                        "'169.254.169.254/32' overlaps the link-local range 169.254.0.0/16"),
                bad("egress half the address space, over the API server", root -> ((ObjectNode) tenantSpec(root, 0)
                        .withArray("egress").get(0)).put("cidr", "0.0.0.0/1"), "tenants[0].spec.egress[0].cidr: "
                        + "'0.0.0.0/1' overlaps the Kubernetes API server's 10.96.0.1/32 (config.kubernetesApi.cidrs)"),
                bad("egress into the cluster's pod range", root -> {
                    ((ObjectNode) root.get("config")).putObject("cluster").putArray("podCidrs").add("10.20.128.0/17");
                }, "tenants[0].spec.egress[0].cidr: '10.20.0.0/16' overlaps the cluster's pod range 10.20.128.0/17 "
                        + "(config.cluster.podCidrs)"),
                bad("GitLab CIDRs of every address", root -> ((ObjectNode) root.get("config").get("gitlab"))
                        .putArray("cidrs").add("0.0.0.0/0"), "config.gitlab.cidrs[0]: '0.0.0.0/0' covers every"),
                bad("Ceph CIDRs over the API server", root -> ((ObjectNode) root.get("config").get("ceph"))
                        .putArray("cidrs").add("10.96.0.0/12"), "config.ceph.cidrs[0]: '10.96.0.0/12' overlaps the "
                        + "Kubernetes API server's 10.96.0.1/32"),
                bad("an allowed range that is no CIDR", root -> ((ObjectNode) root.get("config"))
                        .putObject("egressPolicy").putArray("allowedRanges").add("internet"),
                        "config.egressPolicy.allowedRanges[0]: 'internet' is not a CIDR"),
                bad("a placeholder in the GitLab URL", root -> ((ObjectNode) root.get("config").get("gitlab"))
                        .put("url", "https://gitlab.example.com/$RUNNER_TOKEN"), "config.gitlab.url: "
                        + "'https://gitlab.example.com/$RUNNER_TOKEN' holds $, a quote, a backslash or a space"),
                bad("egress without ports", root -> ((ObjectNode) tenantSpec(root, 1).withArray("egress")
                        .get(0)).putArray("ports"), "tenants[1].spec.egress[0].ports: empty"),
                bad("two tenants on one bucket", root -> tenantSpec(root, 1).with("cache").put("bucket",
                        "bf-java-cache"), "tenants[1].spec.cache.bucket: 'bf-java-cache' is also the bucket of "
                        + "tenants[0]"),
                bad("bucket name S3 refuses", root -> tenantSpec(root, 1).with("cache").put("bucket", "Team_Cache"),
                        "tenants[1].spec.cache.bucket: 'Team_Cache' may only hold lowercase letters"),
                bad("image on the latest tag", root -> ((ObjectNode) root.get("config").get("images"))
                        .put("builder", "ghcr.io/osscontainertools/kaniko:latest"), "config.images.builder: "
                        + "'ghcr.io/osscontainertools/kaniko:latest' uses the moving tag latest"),
                bad("number written as words", root -> tenantSpec(root, 0).put("concurrency", "twenty"),
                        "tenants[0].spec.concurrency: expected a whole number, found the text 'twenty'"),
                bad("quantity that is not one", root -> tenantSpec(root, 0).putObject("jobResources")
                        .putObject("cpu").put("request", "2 cores"), "tenants[0].spec.jobResources.cpu.request: "
                        + "'2 cores' is not a quantity"),
                bad("ttl that is not a duration", root -> tenantSpec(root, 0).with("cache").put("ttl", "2 weeks"),
                        "tenants[0].spec.cache.ttl: '2 weeks' is not a duration like 336h"),
                bad("config without the API server CIDRs", root -> ((ObjectNode) root.get("config"))
                        .remove("kubernetesApi"), "config.kubernetesApi: missing"),
                bad("tenants not a list", root -> root.put("tenants", "java"), "tenants: must be a list"),
                bad("unknown top-level field", root -> root.putObject("tenant"), "tenant: unknown field"),
                bad("wrong kind", root -> root.put("kind", "Deployment"), "kind: is Deployment, expected Fleet"));
    }

    private static Arguments bad(String name, Consumer<ObjectNode> change, String expected) {
        return arguments(name, exampleWith(change), expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFleets")
    void invalidFleetIsRefusedWithItsFieldAndNothingIsWritten(String name, String yaml, String expected)
            throws IOException {
        Path file = Files.writeString(tmp.resolve("fleet.yaml"), yaml);
        Path out = tmp.resolve("out");

        Cli validate = Cli.run("validate", "-f", file.toString());
        assertThat(validate.exitCode()).as(validate.err()).isEqualTo(1);
        assertThat(validate.err()).contains(expected);

        Cli render = Cli.run("render", "-f", file.toString(), "-o", out.toString());
        assertThat(render.exitCode()).isEqualTo(1);
        assertThat(render.err()).contains(expected);
        assertThat(out).doesNotExist();
    }

    @Test
    void credentialsInAUrlAreNeverPrintedBack() throws IOException {
        for (String url : new String[]{"https://root:s3cr3t-pw@gitlab.example.com",
                "https://gitlab.example.com/api?private_token=s3cr3t-pw", "http://s3cr3t-pw@gitlab example.com"}) {
            String yaml = exampleWith(root -> ((ObjectNode) root.get("config").get("gitlab")).put("url", url));
            Cli validate = Cli.run("validate", "-f", Files.writeString(tmp.resolve("fleet.yaml"), yaml).toString());
            assertThat(validate.exitCode()).as(url).isEqualTo(1);
            assertThat(validate.err()).as(url).contains("config.gitlab.url: ").doesNotContain("s3cr3t");
            assertThat(validate.out()).doesNotContain("s3cr3t");
        }
    }

    @Test
    void aRangeThePlatformAllowsOnPurposeIsAccepted() throws IOException {
        String yaml = exampleWith(root -> {
            ((ObjectNode) root.get("config")).putObject("egressPolicy").putArray("allowedRanges").add("0.0.0.0/0");
            ((ObjectNode) tenantSpec(root, 1).withArray("egress").get(0)).put("cidr", "0.0.0.0/0");
        });
        Cli validate = Cli.run("validate", "-f", Files.writeString(tmp.resolve("fleet.yaml"), yaml).toString());
        assertThat(validate.exitCode()).as(validate.err()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notFleets")
    void fileThatIsNoFleetIsRefused(String name, String content, String expected) throws IOException {
        Path file = Files.writeString(tmp.resolve("input.yaml"), content);
        Cli validate = Cli.run("validate", "-f", file.toString());
        assertThat(validate.exitCode()).isEqualTo(1);
        assertThat(validate.err()).contains(expected);
    }

    static Stream<Arguments> notFleets() {
        return Stream.of(
                arguments("empty file", "", "the file is empty"),
                arguments("only a comment", "# nothing here\n", "the file is empty"),
                arguments("a Deployment", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n",
                        "kind: is Deployment, expected Fleet"),
                arguments("a list", "- a\n- b\n", "not a fleet: expected a mapping"),
                arguments("a scalar", "hello\n", "not a fleet"),
                arguments("broken YAML", "kind: Fleet\ntenants: [\n", "line 3: not valid YAML (column 1)"),
                arguments("a fleet without tenants", "apiVersion: buildfleet.dev/v1alpha1\nkind: Fleet\n"
                        + "config: {}\n", "tenants: missing"));
    }


    @Test
    void everyProblemIsReportedNotJustTheFirst() throws IOException {
        String yaml = exampleWith(root -> {
            tenantSpec(root, 0).put("concurrency", 500);
            tenantSpec(root, 0).put("concurency", 5);
            ((ObjectNode) tenantSpec(root, 1).withArray("egress").get(0)).put("cidr", "bogus");
            ((ArrayNode) root.get("config").get("ceph").get("cidrs")).removeAll();
        });
        Path file = Files.writeString(tmp.resolve("fleet.yaml"), yaml);
        Cli validate = Cli.run("validate", "-f", file.toString());
        assertThat(validate.exitCode()).isEqualTo(1);
        assertThat(validate.err()).contains("4 problems:");
        assertThat(validate.err()).contains("tenants[0].spec.concurency: unknown field");
        assertThat(validate.err()).contains("tenants[0].spec.concurrency: 500 exceeds the maximum 200");
        assertThat(validate.err()).contains("tenants[1].spec.egress[0].cidr: 'bogus' is not a CIDR");
        assertThat(validate.err()).contains("config.ceph.cidrs: empty");
    }

    @Test
    void gitlabOperatorSettingsAreCheckedWithTheirFieldPaths() throws IOException {
        String yaml = exampleWith(root -> {
            ((ObjectNode) root.get("config")).remove("caBundle");
            ObjectNode gitlab = (ObjectNode) root.get("config").get("gitlab");
            gitlab.putObject("accessTokenSecret").put("namespace", "Bad_NS").put("name", "gitlab-token")
                    .put("key", "a/b");
            gitlab.put("caBundle", "relative/ca.pem").put("proxy", "ftp://proxy:3128").put("timeoutSeconds", 0)
                    .put("tokenRotationMarginDays", 400);
        });
        Path file = Files.writeString(tmp.resolve("fleet.yaml"), yaml);
        Cli validate = Cli.run("validate", "-f", file.toString());
        assertThat(validate.exitCode()).isEqualTo(1);
        assertThat(validate.err()).contains("6 problems:", "config.gitlab.accessTokenSecret.namespace:",
                "config.gitlab.accessTokenSecret.key:", "config.gitlab.caBundle:", "config.gitlab.proxy:",
                "config.gitlab.timeoutSeconds:", "config.gitlab.tokenRotationMarginDays:");
    }

    @Test
    void caBundleReferencesAreCheckedWithTheirFieldPaths() throws IOException {
        String yaml = exampleWith(root -> {
            ((ObjectNode) root.get("config")).putObject("caBundle").put("configMap", "Corporate CA")
                    .put("key", "ca/crt").put("namespace", "Bad_NS");
            ((ObjectNode) root.get("config").get("gitlab")).put("caBundle", "/etc/ca/gitlab.pem");
            ((ObjectNode) root.get("tenants").get(0).get("spec")).putObject("caBundle").put("configMap", "");
        });
        Path file = Files.writeString(tmp.resolve("fleet.yaml"), yaml);
        Cli validate = Cli.run("validate", "-f", file.toString());
        assertThat(validate.exitCode()).isEqualTo(1);
        assertThat(validate.err()).contains(
                "config.caBundle.configMap: 'Corporate CA' is not a ConfigMap name",
                "config.caBundle.key: 'ca/crt' is not a ConfigMap key",
                "config.caBundle.namespace: 'Bad_NS' is not a namespace name",
                "config.gitlab.caBundle: set together with config.caBundle",
                "tenants[0].spec.caBundle.configMap: '' is not a ConfigMap name");
    }

    @Test
    void proxySettingsAreCheckedWithTheirFieldPaths() throws IOException {
        String yaml = exampleWith(root -> {
            ObjectNode proxy = ((ObjectNode) root.get("config")).putObject("proxy");
            proxy.put("httpProxy", "http://user:secret@proxy.example.com:3128").put("httpsProxy", "ftp://proxy:21");
            proxy.putArray("cidrs").add("0.0.0.0/0");
            proxy.putArray("noProxy").add("*.example.com");
            proxy.putArray("ports").add(0);
        });
        Path file = Files.writeString(tmp.resolve("fleet.yaml"), yaml);
        Cli validate = Cli.run("validate", "-f", file.toString());
        assertThat(validate.exitCode()).isEqualTo(1);
        assertThat(validate.err()).contains("config.proxy.httpProxy:", "carries credentials",
                "config.proxy.httpsProxy: 'ftp://proxy:21' must start with https:// (or http://)",
                "config.proxy.cidrs[0]:", "config.proxy.noProxy[0]: '*.example.com' is not a host",
                "config.proxy.ports[0]: 0 is not a port").doesNotContain("secret");
        String noCidrs = exampleWith(root -> ((ObjectNode) root.get("config")).putObject("proxy")
                .put("httpProxy", "http://proxy.example.com:3128"));
        Cli missing = Cli.run("validate", "-f", Files.writeString(tmp.resolve("fleet2.yaml"), noCidrs).toString());
        assertThat(missing.err()).contains("config.proxy.cidrs: empty; list the CIDRs of the proxy");
    }

    @Test
    void plainHttpGitLabIsAcceptedOnlyWithExplicitOptIn() throws IOException {
        String yaml = exampleWith(root -> ((ObjectNode) root.get("config").get("gitlab"))
                .put("url", "http://gitlab.example.com").put("allowInsecureHttp", true));
        Path file = Files.writeString(tmp.resolve("fleet.yaml"), yaml);
        Cli validate = Cli.run("validate", "-f", file.toString());
        assertThat(validate.exitCode()).as(validate.err()).isZero();
    }

    @Test
    void renderIntoAForeignDirectoryTouchesNothing() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Path precious = Files.writeString(out.resolve("notes.txt"), "keep me");
        Cli render = Cli.run("render", "-f", Fixtures.EXAMPLE.toString(), "-o", out.toString());
        assertThat(render.exitCode()).isEqualTo(3);
        assertThat(render.err()).contains("is not empty and holds no earlier render");
        assertThat(precious).hasContent("keep me");
        try (var files = Files.list(out)) {
            assertThat(files).containsExactly(precious);
        }
    }
}
