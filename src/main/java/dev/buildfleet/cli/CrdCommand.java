package dev.buildfleet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

@Command(name = "crd", mixinStandardHelpOptions = true,
        description = "Print the BuildTenant CustomResourceDefinition (generated from the Java API at build time).")
final class CrdCommand implements Callable<Integer> {
    static final String RESOURCE = "/META-INF/fabric8/buildtenants.buildfleet.dev-v1.yml";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        spec.commandLine().getOut().print(crd());
        spec.commandLine().getOut().flush();
        return 0;
    }

    static String crd() throws IOException {
        try (InputStream in = CrdCommand.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("CRD resource " + RESOURCE + " missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
