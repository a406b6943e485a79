package dev.buildfleet.cli;

import dev.buildfleet.render.BuildTenantCrd;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.util.concurrent.Callable;

@Command(name = "crd", mixinStandardHelpOptions = true,
        description = "Print the BuildTenant CustomResourceDefinition (generated from the Java API at build time).")
final class CrdCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        spec.commandLine().getOut().print(crd());
        spec.commandLine().getOut().flush();
        return 0;
    }

    static String crd() throws IOException {
        return BuildTenantCrd.yaml();
    }
}
