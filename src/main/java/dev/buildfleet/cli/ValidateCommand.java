package dev.buildfleet.cli;

import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.config.Fleet;
import dev.buildfleet.validation.FleetValidator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a fleet file and print every problem with its field path and a fix.")
final class ValidateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FLEET.yaml", description = "The fleet file.")
    Path file;

    @Override
    public Integer call() {
        Fleet fleet = FleetValidator.loadValid(file);
        spec.commandLine().getOut().printf("%s: valid, %d tenants (%s)%n", file, fleet.tenants().size(),
                fleet.tenants().stream().map(BuildTenant::getMetadata).map(m -> m.getName())
                        .collect(Collectors.joining(", ")));
        return 0;
    }
}
