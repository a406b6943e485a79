package dev.buildfleet.cli;

import dev.buildfleet.config.Fleet;
import dev.buildfleet.validation.FleetValidator;
import dev.buildfleet.model.Names;
import dev.buildfleet.render.FleetRenderer;
import dev.buildfleet.render.OutputDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.SortedMap;
import java.util.concurrent.Callable;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Write every tenant's Kubernetes objects as YAML for GitOps, one folder per tenant with a "
                + "kustomization.yaml. Nothing is written when the fleet is invalid.",
                "Secrets are never rendered: create them in each tenant namespace (see the summary)."})
final class RenderCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FLEET.yaml", description = "The fleet file.")
    Path file;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
            description = "Output directory: new, empty, or written by an earlier render.")
    Path output;

    @Override
    public Integer call() throws IOException {
        Fleet fleet = FleetValidator.loadValid(file);
        SortedMap<String, String> files = FleetRenderer.render(fleet);
        OutputDirectory.write(output, files);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("rendered %d tenants, %d files into %s%n", fleet.tenants().size(), files.size(), output);
        out.printf("each tenant namespace (%s<tenant>) needs these Secrets, which render never writes "
                + "(the operator writes them all, except a given runner token and bring-your-own S3 keys):%n",
                Names.NAMESPACE_PREFIX);
        out.printf("  %s (key %s) unless spec.gitlab.runner.tokenSecretRef names another: the glrt- runner token%n",
                Names.RUNNER_TOKEN_SECRET, Names.RUNNER_TOKEN_KEY);
        out.printf("  %s (keys %s, %s) unless spec.cache.existingCredentialsSecret names another%n",
                Names.CACHE_CREDENTIALS_SECRET, Names.ACCESS_KEY_ID, Names.SECRET_ACCESS_KEY);
        out.printf("  %s (key %s): bcrypt htpasswd of the cache registry's one user%n",
                Names.CACHE_REGISTRY_HTPASSWD_SECRET, Names.CACHE_REGISTRY_HTPASSWD_KEY);
        out.printf("  %s (key %s): docker config.json with that user's auth for %s.%s<tenant>.svc:%d%n",
                Names.KANIKO_DOCKER_CONFIG_SECRET, Names.KANIKO_DOCKER_CONFIG_KEY, Names.CACHE_REGISTRY,
                Names.NAMESPACE_PREFIX, Names.CACHE_REGISTRY_PORT);
        return 0;
    }
}
