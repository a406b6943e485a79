package dev.buildfleet.cli;

import dev.buildfleet.config.InputFiles;
import dev.buildfleet.tls.TrustBundle;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The CAs the CLI trusts for RGW and GitLab: the operator reads config.caBundle from its ConfigMap, which a command
 * run from a laptop or a CI job has no cluster to read, so it takes the same PEM bundle as a file.
 */
final class CaFileOption {
    @Option(names = "--ca-file", paramLabel = "PEM",
            description = "PEM certificates of the CAs to trust for RGW and GitLab, instead of the JDK's (the file "
                    + "config.caBundle's ConfigMap holds).")
    Path caFile;

    /** The bundle, or null for the JDK's CAs; a file that cannot be read or is not PEM certificates is refused. */
    TrustBundle trust() {
        if (caFile == null) {
            return null;
        }
        return TrustBundle.parse("--ca-file " + caFile, InputFiles.readText(caFile, InputFiles.MAX_CONFIG_BYTES));
    }
}
