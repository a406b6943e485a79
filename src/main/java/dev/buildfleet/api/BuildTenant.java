package dev.buildfleet.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** One team's isolated build fleet. Cluster-scoped: it owns a namespace. */
@Group(BuildTenant.GROUP)
@Version(BuildTenant.VERSION)
@Kind("BuildTenant")
@Plural("buildtenants")
@Singular("buildtenant")
@ShortNames("bt")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Runner", jsonPath = ".status.runnerId", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Concurrency", jsonPath = ".spec.concurrency",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Nodes", jsonPath = ".status.capacity.nodes",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class BuildTenant extends CustomResource<BuildTenantSpec, BuildTenantStatus> {
    public static final String GROUP = "buildfleet.dev";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    /** The order `kubectl get buildtenants` prints the columns in, after NAME. */
    public static final java.util.List<String> PRINTER_COLUMNS = java.util.List.of("Ready", "Runner", "Concurrency",
            "Nodes", "Age");

    public BuildTenant() {
    }

    public BuildTenant(String name, BuildTenantSpec spec) {
        ObjectMeta meta = new ObjectMeta();
        meta.setName(name);
        setMetadata(meta);
        setSpec(spec);
    }
}
