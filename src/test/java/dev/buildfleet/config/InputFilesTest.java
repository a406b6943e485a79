package dev.buildfleet.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputFilesTest {
    @Test
    void theCapCountsTheBytesReadNotTheSizeTheFileReports() throws Exception {
        Path status = Path.of("/proc/self/status");
        assertThat(Files.size(status)).as("a /proc file reports size 0").isZero();
        assertThat(InputFiles.read(status, 64 * 1024)).hasSizeGreaterThan(100);

        assertThatThrownBy(() -> InputFiles.read(status, 100))
                .isInstanceOf(UnreadableFileException.class)
                .hasMessage("/proc/self/status: larger than 100 bytes, the most buildfleet reads from such a file "
                        + "(is this the right file?)");
    }
}
