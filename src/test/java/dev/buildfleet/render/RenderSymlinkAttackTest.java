package dev.buildfleet.render;

import dev.buildfleet.Fixtures;
import dev.buildfleet.cli.Cli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A GitOps repository can carry a symbolic link in any commit. Each test plants one in (or as) the output of an
 * earlier render, renders again, and proves that nothing outside the output directory was written or removed.
 */
class RenderSymlinkAttackTest {
    @TempDir
    Path tmp;
    Path out;
    Path outside;
    Path precious;

    @BeforeEach
    void renderOnceAndPlaceAVictim() throws IOException {
        out = tmp.resolve("out");
        Cli first = render(Fixtures.EXAMPLE);
        assertThat(first.exitCode()).as(first.err()).isZero();
        outside = Files.createDirectories(tmp.resolve("outside"));
        precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
    }

    @Test
    void aTenantFolderThatIsALinkIsNotWrittenThrough() throws IOException {
        Map<String, String> before = snapshot(outside);
        replaceWithLink(out.resolve("java"), outside);
        Map<String, String> outBefore = snapshot(out);

        Cli again = render(Fixtures.EXAMPLE);

        assertThat(again.exitCode()).isEqualTo(3);
        assertThat(again.err()).contains("refusing to write java/", "java is a symbolic link (to " + outside + ")",
                "nothing was written or removed");
        assertThat(snapshot(outside)).isEqualTo(before);
        assertThat(snapshot(out)).isEqualTo(outBefore);
    }

    @Test
    void aLinkedFolderOfTheGitOpsUnitsIsRefusedToo() throws IOException {
        String[] argocd = {"--gitops", "argocd", "--gitops-repo", "https://git.example.com/fleet", "--gitops-path",
                "out"};
        assertThat(render(Fixtures.EXAMPLE, argocd).exitCode()).isZero();
        replaceWithLink(out.resolve("argocd"), outside);

        Cli again = render(Fixtures.EXAMPLE, argocd);

        assertThat(again.exitCode()).isEqualTo(3);
        assertThat(again.err()).contains("argocd is a symbolic link");
        assertThat(snapshot(outside)).containsOnlyKeys("precious.txt");
    }

    @Test
    void aLinkAtAnyDepthIsRefused() throws IOException {
        Path dir = tmp.resolve("deep");
        SortedMap<String, String> files = new TreeMap<>(Map.of("a/b/c/d.yaml", "x: 1\n"));
        OutputDirectory.write(dir, files);
        replaceWithLink(dir.resolve("a/b"), outside);

        assertThatThrownBy(() -> OutputDirectory.write(dir, files)).isInstanceOf(IOException.class)
                .hasMessageContaining("refusing to write a/b/c/d.yaml: a/b is a symbolic link");
        assertThatThrownBy(() -> OutputDirectory.write(dir, new TreeMap<>())).isInstanceOf(IOException.class)
                .hasMessageContaining("refusing to remove a/b/c/d.yaml: a/b is a symbolic link");
        assertThat(snapshot(outside)).containsOnlyKeys("precious.txt");
    }

    @Test
    void aTemporaryFileNameThatIsALinkIsNeverOpened() throws IOException {
        Path target = out.resolve("java/01-namespace-bf-java.yaml");
        Path planted = Files.createSymbolicLink(target.resolveSibling(target.getFileName() + ".tmp"), precious);

        Cli again = render(Fixtures.EXAMPLE);

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(precious).hasContent("keep me");
        assertThat(Files.isSymbolicLink(planted)).isTrue();
        assertThat(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(leftoverTemporaries()).isEmpty();
    }

    @Test
    void aRenderedFileReplacedByALinkIsNotWrittenThrough() throws IOException {
        Path target = out.resolve("java/15-deployment-gitlab-runner.yaml");
        replaceWithLink(target, precious);

        Cli again = render(Fixtures.EXAMPLE);

        assertThat(again.exitCode()).isEqualTo(3);
        assertThat(again.err()).contains("java/15-deployment-gitlab-runner.yaml is a symbolic link");
        assertThat(precious).hasContent("keep me");
        assertThat(Files.isSymbolicLink(target)).isTrue();
    }

    @Test
    void aManifestEntryUnderALinkedFolderDeletesNothingOutside() throws IOException {
        Files.writeString(out.resolve(OutputDirectory.MANIFEST), "evil/precious.txt\n",
                java.nio.file.StandardOpenOption.APPEND);
        Files.createSymbolicLink(out.resolve("evil"), outside);

        Cli again = render(Fixtures.EXAMPLE);

        assertThat(again.exitCode()).isEqualTo(3);
        assertThat(again.err()).contains("refusing to remove evil/precious.txt: evil is a symbolic link");
        assertThat(precious).hasContent("keep me");
    }

    @Test
    void aTenantThatLeftThroughALinkedFolderDeletesNothingOutside() throws IOException {
        for (String name : java.util.List.of("01-namespace-bf-java.yaml", "kustomization.yaml")) {
            Files.writeString(outside.resolve(name), "someone else's " + name);
        }
        replaceWithLink(out.resolve("java"), outside);
        Path onlyDotnet = Files.writeString(tmp.resolve("fleet.yaml"),
                Fixtures.exampleWith(root -> root.withArray("tenants").remove(0)));
        Map<String, String> before = snapshot(outside);

        Cli again = render(onlyDotnet);

        assertThat(again.exitCode()).isEqualTo(3);
        assertThat(again.err()).contains("refusing to remove java/", "java is a symbolic link");
        assertThat(snapshot(outside)).isEqualTo(before);
    }

    @Test
    void aManifestEntryLeavingTheDirectoryIsRefused() throws IOException {
        Files.writeString(out.resolve(OutputDirectory.MANIFEST), "../outside/precious.txt\n",
                java.nio.file.StandardOpenOption.APPEND);
        Cli again = render(Fixtures.EXAMPLE);
        assertThat(again.exitCode()).isEqualTo(3);
        assertThat(again.err()).contains(OutputDirectory.MANIFEST + " line ", "'../outside/precious.txt' has an "
                + "empty, '.' or '..' part");
        assertThat(precious).hasContent("keep me");
    }

    @Test
    void aManifestThatIsALinkIsNeitherReadNorOverwritten() throws IOException {
        Path manifest = out.resolve(OutputDirectory.MANIFEST);
        Files.writeString(precious, "java/kustomization.yaml\n");
        replaceWithLink(manifest, precious);

        Cli again = render(Fixtures.EXAMPLE);

        assertThat(again.exitCode()).isEqualTo(3);
        assertThat(again.err()).contains(OutputDirectory.MANIFEST + " is a symbolic link");
        assertThat(precious).hasContent("java/kustomization.yaml\n");
    }

    @Test
    void anOutputDirectoryThatIsItselfALinkIsRefused() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("linked-out"), outside);
        Cli cli = Cli.run("render", "-f", Fixtures.EXAMPLE.toString(), "-o", link.toString());
        assertThat(cli.exitCode()).isEqualTo(3);
        assertThat(cli.err()).contains("linked-out is a symbolic link (to " + outside + ")");
        assertThat(snapshot(outside)).containsOnlyKeys("precious.txt");
    }

    @Test
    void aFileRenderDidNotWriteIsNotOverwritten() throws IOException {
        Files.delete(out.resolve("dotnet/03-serviceaccount-runner-manager.yaml"));
        String manifest = Files.readString(out.resolve(OutputDirectory.MANIFEST))
                .replace("dotnet/03-serviceaccount-runner-manager.yaml\n", "");
        Files.writeString(out.resolve(OutputDirectory.MANIFEST), manifest);
        Path mine = Files.writeString(out.resolve("dotnet/03-serviceaccount-runner-manager.yaml"), "my own");

        Cli again = render(Fixtures.EXAMPLE);

        assertThat(again.exitCode()).isEqualTo(3);
        assertThat(again.err()).contains("refusing to overwrite dotnet/03-serviceaccount-runner-manager.yaml",
                "not in " + OutputDirectory.MANIFEST);
        assertThat(mine).hasContent("my own");
    }

    private Cli render(Path fleet, String... more) {
        String[] args = Stream.concat(Stream.of("render", "-f", fleet.toString(), "-o", out.toString()),
                Stream.of(more)).toArray(String[]::new);
        return Cli.run(args);
    }

    private static void replaceWithLink(Path path, Path target) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(path)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        } else {
            Files.deleteIfExists(path);
        }
        Files.createSymbolicLink(path, target);
    }

    private List<Path> leftoverTemporaries() throws IOException {
        try (Stream<Path> walk = Files.walk(out)) {
            return walk.filter(p -> p.getFileName().toString().matches("\\..*\\.[0-9a-f]{16}\\.tmp")).toList();
        }
    }

    /** Every regular file below {@code dir} (links not followed) with its content. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                files.put(dir.relativize(p).toString(), Files.readString(p));
            }
        }
        return files;
    }
}
