package dev.buildfleet.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one way the CLI and the operator read a file they are given (fleet file, --config, kubeconfig, token and CA
 * files): only a regular file, after resolving links, and never more than a byte cap counted on what is actually
 * read, so a device, a FIFO or a /proc file that reports size 0 can neither hang the process nor fill its memory.
 */
public final class InputFiles {
    /** Far above any real fleet (1000 tenants render from ~1 MiB) or kubeconfig. */
    public static final int MAX_CONFIG_BYTES = 4 * 1024 * 1024;
    /** A runner token, an env file of two keys. */
    public static final int MAX_SECRET_BYTES = 64 * 1024;

    private InputFiles() {
    }

    /** @throws UnreadableFileException naming the file and what it is instead */
    public static byte[] read(Path file, int maxBytes) {
        Path real;
        BasicFileAttributes attributes;
        try {
            real = file.toRealPath();
            attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new UnreadableFileException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UnreadableFileException(file + ": permission denied");
        } catch (IOException e) {
            throw new UnreadableFileException(file + ": cannot read: " + e.getMessage());
        }
        if (!attributes.isRegularFile()) {
            throw new UnreadableFileException(file + ": not a regular file (" + kind(real, attributes)
                    + (real.equals(file.toAbsolutePath()) ? "" : " " + real) + "); give a file");
        }
        // NOFOLLOW_LINKS: a link swapped in after the check above is refused rather than followed.
        try (FileChannel channel = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
             InputStream in = Channels.newInputStream(channel)) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new UnreadableFileException(file + ": larger than " + size(maxBytes)
                        + ", the most buildfleet reads from such a file (is this the right file?)");
            }
            return bytes;
        } catch (IOException e) {
            throw new UnreadableFileException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** The file as UTF-8 text; anything that is not UTF-8 is refused rather than replaced. */
    public static String readText(Path file, int maxBytes) {
        try {
            return utf8(read(file, maxBytes));
        } catch (CharacterCodingException e) {
            throw new UnreadableFileException(file + ": not UTF-8 text");
        }
    }

    /** Strict UTF-8 decoding: malformed input is an error, not a replacement character. */
    public static String utf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    }

    static String size(int bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB"
                : bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " bytes";
    }

    private static String kind(Path real, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a directory";
        }
        try {
            int type = (Integer) Files.getAttribute(real, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
            return switch (type) {
                case 0010000 -> "a FIFO";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "not a file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a device, FIFO or socket";
        }
    }

}
