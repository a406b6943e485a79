package dev.buildfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.buildfleet.Fixtures;
import dev.buildfleet.render.GitOpsUnits;
import dev.buildfleet.render.Yaml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** render --gitops: every unit an Argo CD ApplicationSet or a Flux Kustomization points at builds on its own. */
class GitOpsUnitsTest {
    @TempDir
    Path tmp;

    /** The kinds kubectl's kustomize builds from one unit folder. */
    static List<String> kustomize(Path dir) throws IOException, InterruptedException {
        Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String built = new String(kubectl.getInputStream().readAllBytes());
        assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.exitValue()).as(dir.toString()).isZero();
        List<String> kinds = new ArrayList<>();
        for (String doc : built.split("(?m)^---$")) {
            kinds.add(Yaml.read(doc).path("kind").asText());
        }
        return kinds;
    }

    @Test
    void argoCdGetsOneApplicationPerFolderAndEachFolderBuilds() throws Exception {
        Path repo = tmp.resolve("repo");
        Path out = repo.resolve("clusters/prod");
        Cli render = Cli.run("render", "-f", Fixtures.EXAMPLE.toString(), "-o", out.toString(), "--gitops",
                "argocd", "--gitops-repo", "https://gitlab.example.com/platform/fleet.git", "--gitops-path",
                "clusters/prod", "--gitops-revision", "main");
        assertThat(render.exitCode()).as(render.err()).isZero();

        JsonNode set = Yaml.read(Files.readString(out.resolve("argocd/applicationset.yaml")));
        JsonNode git = set.at("/spec/generators/0/git");
        assertThat(git.path("repoURL").asText()).isEqualTo("https://gitlab.example.com/platform/fleet.git");
        assertThat(git.path("revision").asText()).isEqualTo("main");
        assertThat(set.at("/spec/syncPolicy/preserveResourcesOnDeletion").asBoolean()).isTrue();
        assertThat(set.at("/spec/template/spec/source/path").asText()).isEqualTo("{{.path.path}}");
        // What the directory generator yields: every folder under clusters/prod/* but the excluded ones.
        List<String> included = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        git.path("directories").forEach(d -> (d.path("exclude").asBoolean() ? excluded : included)
                .add(d.path("path").asText()));
        assertThat(included).containsExactly("clusters/prod/*");
        List<String> units;
        try (Stream<Path> dirs = Files.list(out)) {
            units = dirs.filter(Files::isDirectory).map(d -> repo.relativize(d).toString())
                    .filter(d -> !excluded.contains(d)).sorted().toList();
        }
        assertThat(units).containsExactly("clusters/prod/" + GitOpsUnits.CLUSTER_ROLES_DIR, "clusters/prod/dotnet",
                "clusters/prod/java");
        List<String> all = new ArrayList<>();
        for (String unit : units) {
            all.addAll(kustomize(repo.resolve(unit)));
        }
        assertThat(all).as("the units together hold what the top-level kustomization holds").hasSize(48);
        assertThat(kustomize(repo.resolve(units.getFirst()))).containsOnly("ClusterRole").hasSize(2);
    }

    @Test
    void fluxGetsOneKustomizationPerTenantThatNeedsTheClusterRolesFirst() throws Exception {
        Path out = tmp.resolve("out");
        Cli render = Cli.run("render", "-f", Fixtures.EXAMPLE.toString(), "-o", out.toString(), "--gitops", "flux",
                "--gitops-repo", "fleet", "--gitops-path", "clusters/prod");
        assertThat(render.exitCode()).as(render.err()).isZero();
        assertThat(kustomize(out.resolve("flux"))).containsOnly("Kustomization").hasSize(3);
        JsonNode java = Yaml.read(Files.readString(out.resolve("flux/java.yaml")));
        assertThat(java.at("/spec/path").asText()).isEqualTo("./clusters/prod/java");
        assertThat(java.at("/spec/sourceRef/name").asText()).isEqualTo("fleet");
        assertThat(java.at("/spec/dependsOn/0/name").asText()).isEqualTo("bf-cluster-roles");
        assertThat(kustomize(out.resolve("java"))).contains("Namespace", "Deployment").doesNotContain("Kustomization");
    }

    @Test
    void missingRepoOrAPathLeavingTheRepositoryIsAUsageErrorAndNothingIsWritten() {
        Path out = tmp.resolve("out");
        Cli noRepo = Cli.run("render", "-f", Fixtures.EXAMPLE.toString(), "-o", out.toString(), "--gitops", "flux");
        assertThat(noRepo.exitCode()).isEqualTo(2);
        assertThat(noRepo.err()).contains("--gitops-repo: missing");
        Cli outside = Cli.run("render", "-f", Fixtures.EXAMPLE.toString(), "-o", out.toString(), "--gitops", "argocd",
                "--gitops-repo", "https://git.example.com/x.git", "--gitops-path", "../elsewhere");
        assertThat(outside.exitCode()).isEqualTo(2);
        assertThat(outside.err()).contains("--gitops-path: '../elsewhere' must be a relative path");
        Cli tool = Cli.run("render", "-f", Fixtures.EXAMPLE.toString(), "-o", out.toString(), "--gitops", "jenkins",
                "--gitops-repo", "x");
        assertThat(tool.exitCode()).isEqualTo(2);
        assertThat(tool.err()).contains("--gitops: 'jenkins' is not one of argocd, flux");
        assertThat(out).doesNotExist();
    }
}
