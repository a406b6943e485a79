package dev.buildfleet.cli;

import dev.buildfleet.config.Fleet;
import dev.buildfleet.validation.FleetValidator;
import dev.buildfleet.model.Names;
import dev.buildfleet.render.FleetRenderer;
import dev.buildfleet.render.GitOpsUnits;
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

    @Option(names = "--gitops", paramLabel = "argocd|flux", description = "Also write one unit per tenant for this "
            + "GitOps tool (an Argo CD ApplicationSet, or one Flux Kustomization per tenant), so it never builds the "
            + "whole fleet at once.")
    String gitops;

    @Option(names = "--gitops-repo", paramLabel = "REPO", description = "With --gitops: the git repository URL "
            + "(argocd) or the name of the GitRepository source in flux-system (flux).")
    String gitopsRepo;

    @Option(names = "--gitops-revision", paramLabel = "REV", defaultValue = "HEAD",
            description = "With --gitops argocd: the branch, tag or commit to follow (default: ${DEFAULT-VALUE}).")
    String gitopsRevision;

    @Option(names = "--gitops-path", paramLabel = "PATH", description = "With --gitops: where the output directory "
            + "is inside the repository (default: -o as given, when it is a relative path).")
    String gitopsPath;

    @Override
    public Integer call() throws IOException {
        GitOpsUnits.Tool tool = gitopsTool();
        Fleet fleet = FleetValidator.loadValid(file);
        SortedMap<String, String> files = FleetRenderer.renderValid(fleet);
        if (tool != null) {
            files = GitOpsUnits.add(files, fleet.tenants().stream().map(t -> t.getMetadata().getName()).sorted()
                    .toList(), tool, new GitOpsUnits.Source(gitopsRepo, gitopsRevision, gitopsPath()));
        }
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
        if (fleet.config().caBundle() != null || fleet.tenants().stream().anyMatch(t -> t.getSpec().caBundle() != null)) {
            out.printf("and ConfigMap %s (key %s): the PEM CA bundle of config.caBundle (or the tenant's "
                    + "spec.caBundle), which the operator copies and render cannot read%n",
                    dev.buildfleet.model.CaBundleMounts.CONFIG_MAP, dev.buildfleet.model.CaBundleMounts.KEY);
        }
        return 0;
    }

    private GitOpsUnits.Tool gitopsTool() {
        if (gitops == null) {
            return null;
        }
        GitOpsUnits.Tool tool = switch (gitops) {
            case "argocd" -> GitOpsUnits.Tool.ARGOCD;
            case "flux" -> GitOpsUnits.Tool.FLUX;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--gitops: '" + gitops + "' is not one of argocd, flux");
        };
        if (gitopsRepo == null || gitopsRepo.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gitops-repo: missing; give the "
                    + (tool == GitOpsUnits.Tool.ARGOCD ? "repository URL" : "name of the GitRepository source"));
        }
        String path = gitopsPath();
        if (path.startsWith("/") || Path.of(path).normalize().startsWith("..") || path.contains("\\")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gitops-path: '" + path + "' must be a "
                    + "relative path inside the repository" + (gitopsPath == null ? " (taken from -o; set it)" : ""));
        }
        return tool;
    }

    private String gitopsPath() {
        String path = gitopsPath != null ? gitopsPath : output.toString();
        path = Path.of(path).normalize().toString();
        return path.equals(".") ? "" : path;
    }
}
