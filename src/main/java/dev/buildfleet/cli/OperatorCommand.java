package dev.buildfleet.cli;

import dev.buildfleet.config.FleetConfig;
import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.config.Defaults;
import dev.buildfleet.model.Names;
import dev.buildfleet.gitlab.GitLabConnections;
import dev.buildfleet.gitlab.GitLabRunners;
import dev.buildfleet.gitlab.HttpGitLabRunners;
import dev.buildfleet.operator.BuildfleetOperator;
import dev.buildfleet.operator.StorageStep;
import dev.buildfleet.storage.RgwTenantStorage;
import dev.buildfleet.storage.S3Keys;
import dev.buildfleet.storage.TenantStorage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import dev.buildfleet.model.Connectivity;
import dev.buildfleet.proxy.OutboundProxy;
import dev.buildfleet.tls.TrustBundle;
import java.net.URI;
import dev.buildfleet.operator.OperatorServer;
import dev.buildfleet.validation.ConfigValidator;
import dev.buildfleet.validation.InvalidInputException;
import dev.buildfleet.validation.Problem;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "operator", mixinStandardHelpOptions = true,
        description = {"Run the Kubernetes operator that keeps every BuildTenant converged.",
                "Uses the in-cluster service account (or ~/.kube/config). Serves /healthz, /readyz and /metrics."})
final class OperatorCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FLEETCONFIG.yaml",
            description = "Platform settings (the `config:` part of a fleet file).")
    Path config;

    @Option(names = "--port", defaultValue = "8080", description = "Port for health and metrics (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--leader-election-namespace", defaultValue = "${env:POD_NAMESPACE}",
            description = "Namespace of the leader-election Lease; empty runs without leader election.")
    String leaseNamespace;

    @Option(names = "--tenant-selector", description = "Label selector of the BuildTenants to manage "
            + "(e.g. fleet=blue); default all.")
    String tenantSelector;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        try (Running running = start()) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                // SIGTERM: finish in-flight reconciles, release the lease, then exit.
                running.close();
                stopped.countDown();
            }, "buildfleet-shutdown"));
            stopped.await();
        }
        return 0;
    }

    /** A started operator with its health/metrics server; closing stops both. */
    record Running(Operator operator, OperatorServer server, KubernetesClient client) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            operator.stop();
            client.close();
        }
    }

    Running start() throws IOException {
        FleetConfig fleetConfig = loadConfig(config);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        KubernetesClient client = new KubernetesClientBuilder().build();
        TrustBundle trust;
        try {
            trust = trust(client, fleetConfig);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
        OutboundProxy proxy = OutboundProxy.of(fleetConfig.proxy(), Connectivity.noProxy(fleetConfig, null));
        Operator operator = BuildfleetOperator.create(client, fleetConfig, registry, new BuildfleetOperator.Options(
                leaseNamespace == null || leaseNamespace.isBlank() ? null : leaseNamespace,
                Objects.requireNonNullElseGet(System.getenv("POD_NAME"), OperatorCommand::hostName), tenantSelector,
                true), storage(client, fleetConfig, trust, proxy), gitlab(client, fleetConfig, trust, proxy),
                BuildfleetOperator.GITLAB_RETRY);
        OperatorServer server = new OperatorServer(port, operator, registry);
        operator.start();
        return new Running(operator, server, client);
    }

    /**
     * The RGW client for provisioned tenants, from the admin Secret named in FleetConfig (keys AWS_ACCESS_KEY_ID,
     * AWS_SECRET_ACCESS_KEY), or null when none is named: then only bring-your-own tenants can be Ready.
     */
    /**
     * The CAs the operator trusts for RGW and GitLab: the PEM bundle of config.caBundle's ConfigMap, read once at
     * start (a new bundle takes a restart), or null for the JDK's CAs.
     */
    static TrustBundle trust(KubernetesClient client, FleetConfig config) throws IOException {
        FleetConfig.CaBundle ref = config.caBundle();
        if (ref == null) {
            return null;
        }
        String namespace = Connectivity.namespace(config);
        ConfigMap source = client.configMaps().inNamespace(namespace).withName(ref.configMap()).get();
        String pem = source == null || source.getData() == null ? null : source.getData().get(ref.resolvedKey());
        if (pem == null) {
            throw new IOException("config.caBundle: ConfigMap " + namespace + "/" + ref.configMap() + " key "
                    + ref.resolvedKey() + " does not exist; create it with the PEM certificates of the CAs to trust");
        }
        try {
            TrustBundle bundle = TrustBundle.parse("config.caBundle", pem);
            org.slf4j.LoggerFactory.getLogger(OperatorCommand.class).info("trusting {} for RGW and GitLab",
                    bundle.describe());
            return bundle;
        } catch (InvalidInputException e) {
            throw new IOException(e.getMessage() + " (ConfigMap " + namespace + "/" + ref.configMap() + ")", e);
        }
    }

    static TenantStorage storage(KubernetesClient client, FleetConfig config) throws IOException {
        return storage(client, config, null, null);
    }

    static TenantStorage storage(KubernetesClient client, FleetConfig config, TrustBundle trust,
                                 OutboundProxy proxy) throws IOException {
        FleetConfig.NamespacedSecret ref = config.ceph().adminCredentialsSecret();
        if (ref == null) {
            return null;
        }
        Secret secret = client.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
        S3Keys keys = secret == null ? null : StorageStep.keysOf(secret);
        if (keys == null) {
            throw new IOException("RGW admin Secret " + ref.namespace() + "/" + ref.name() + " is missing or lacks "
                    + Names.ACCESS_KEY_ID + " and " + Names.SECRET_ACCESS_KEY);
        }
        String region = config.ceph().region() == null ? Defaults.CEPH_REGION : config.ceph().region();
        return RgwTenantStorage.connect(URI.create(config.ceph().resolvedAdminEndpoint()), region, keys, trust, proxy);
    }

    /**
     * The GitLab client for created runners, with the access token from the Secret named in FleetConfig
     * (gitlab.accessTokenSecret), or null when none is named: then only given-token tenants can be Ready.
     */
    static GitLabRunners gitlab(KubernetesClient client, FleetConfig config) throws IOException {
        return gitlab(client, config, null, null);
    }

    static GitLabRunners gitlab(KubernetesClient client, FleetConfig config, TrustBundle trust,
                                OutboundProxy proxy) throws IOException {
        FleetConfig.NamespacedSecretKey ref = config.gitlab().accessTokenSecret();
        if (ref == null) {
            return null;
        }
        Secret secret = client.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
        String token = secret == null || secret.getData() == null || secret.getData().get(ref.resolvedKey()) == null
                ? null : new String(java.util.Base64.getDecoder().decode(secret.getData().get(ref.resolvedKey())),
                java.nio.charset.StandardCharsets.UTF_8).trim();
        if (token == null || token.isEmpty()) {
            throw new IOException("GitLab access token Secret " + ref.namespace() + "/" + ref.name()
                    + " is missing or lacks key " + ref.resolvedKey());
        }
        return new HttpGitLabRunners(GitLabConnections.of(config.gitlab(), trust, proxy), token);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "buildfleet-" + ProcessHandle.current().pid();
        }
    }

    /** The validated config file, read as the fleet file is (regular files only, size cap, lines in problems). */
    static FleetConfig loadConfig(Path file) {
        FleetLoader.LoadedConfig loaded = FleetLoader.readConfig(file);
        List<Problem> problems = new ArrayList<>(loaded.problems());
        if (loaded.config() != null) {
            problems.addAll(loaded.placed(ConfigValidator.validate(loaded.config(), "")));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return loaded.config();
    }
}
