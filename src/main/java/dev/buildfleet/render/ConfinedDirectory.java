package dev.buildfleet.render;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The output directory, opened once; every later change happens relative to that open handle. Each directory on the
 * way to a file is opened without following symbolic links, and files are created, renamed and unlinked inside the
 * handle of their own directory, so a link anywhere below the output directory (committed to a repository, or
 * swapped in while render runs) can never move a write or a delete outside it.
 */
final class ConfinedDirectory implements Closeable {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a path names: nothing yet, or a regular file. Anything else is refused by {@link #inspect}. */
    enum Entry { ABSENT, FILE }

    private final Path root;
    private final String shown;
    private final SecureDirectoryStream<Path> handle;

    private ConfinedDirectory(Path root, String shown, SecureDirectoryStream<Path> handle) {
        this.root = root;
        this.shown = shown;
        this.handle = handle;
    }

    /** Opens (creating it if need be) {@code dir}, which must be a directory and not a link to one. */
    static ConfinedDirectory open(Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        BasicFileAttributes attributes = attributes(root);
        if (attributes == null) {
            Files.createDirectories(root);
        } else if (attributes.isSymbolicLink()) {
            // Links above -o are the user's own path; -o itself could be a link committed to the repository.
            throw new IOException(dir + " is a symbolic link (to " + linkTarget(root) + "); give the directory it "
                    + "points to as -o, render never writes through a link");
        } else if (!attributes.isDirectory()) {
            throw new IOException(dir + " exists and is not a directory; choose a new or empty directory");
        }
        Path parent = root.getParent();
        if (parent == null) {
            return new ConfinedDirectory(root, dir.toString(), secure(Files.newDirectoryStream(root), dir));
        }
        try (SecureDirectoryStream<Path> parentHandle = secure(Files.newDirectoryStream(parent), dir)) {
            return new ConfinedDirectory(root, dir.toString(),
                    parentHandle.newDirectoryStream(root.getFileName(), NOFOLLOW));
        }
    }

    boolean isEmpty() {
        return !handle.iterator().hasNext();
    }

    /**
     * What {@code path} names now, refusing a symbolic link or anything but a directory on the way and anything but
     * a regular file at the end.
     */
    Entry inspect(RenderedPath path, String verb) throws IOException {
        try (Descent descent = descend(path, false, verb)) {
            return descent == null ? Entry.ABSENT : entry(descent.last(), path, verb);
        }
    }

    /** The bytes of the regular file {@code path}, refusing one larger than {@code maxBytes}. */
    byte[] read(RenderedPath path, int maxBytes) throws IOException {
        try (Descent descent = descend(path, false, "read")) {
            if (descent == null || entry(descent.last(), path, "read") == Entry.ABSENT) {
                throw new NoSuchFileException(shown + "/" + path);
            }
            try (InputStream in = Channels.newInputStream(descent.last().newByteChannel(Path.of(path.name()),
                    Set.of(StandardOpenOption.READ, NOFOLLOW)))) {
                byte[] bytes = in.readNBytes(maxBytes + 1);
                if (bytes.length > maxBytes) {
                    throw new IOException(shown + "/" + path + " is larger than " + maxBytes + " bytes");
                }
                return bytes;
            }
        }
    }

    /**
     * Writes {@code content} to a new file beside {@code path} and renames it over {@code path}: readers see the old
     * file or the new one, and a link planted at either name is replaced or never opened, not written through.
     */
    void replace(RenderedPath path, byte[] content) throws IOException {
        try (Descent descent = descend(path, true, "write")) {
            SecureDirectoryStream<Path> dir = descent.last();
            entry(dir, path, "write");
            Path tmp = createTemporary(dir, path.name(), content);
            try {
                dir.move(tmp, dir, Path.of(path.name()));
            } catch (IOException e) {
                deleteQuietly(dir, tmp);
                throw e;
            }
        }
    }

    /** Unlinks the file {@code path} if it is there, then each directory on its way that this left empty. */
    void delete(RenderedPath path) throws IOException {
        try (Descent descent = descend(path, false, "remove")) {
            if (descent == null || entry(descent.last(), path, "remove") == Entry.ABSENT) {
                return;
            }
            descent.last().deleteFile(Path.of(path.name()));
            descent.removeEmptyDirectories();
        }
    }

    @Override
    public void close() throws IOException {
        handle.close();
    }

    /** The open directories from the root to the one holding {@code path}'s file; null if one is missing. */
    private Descent descend(RenderedPath path, boolean create, String verb) throws IOException {
        Descent descent = new Descent(path);
        try {
            for (int i = 0; i < path.depth() - 1; i++) {
                SecureDirectoryStream<Path> parent = descent.last();
                Path name = Path.of(path.segments().get(i));
                BasicFileAttributes attributes = attributes(parent, name);
                if (attributes == null && create) {
                    createDirectory(path.prefix(i + 1));
                } else if (attributes == null) {
                    descent.close();
                    return null;
                } else if (attributes.isSymbolicLink()) {
                    throw refusal(verb, path, path.prefix(i + 1), "is a symbolic link (to "
                            + linkTarget(root.resolve(path.prefix(i + 1))) + ")");
                } else if (!attributes.isDirectory()) {
                    throw refusal(verb, path, path.prefix(i + 1), "is not a directory");
                }
                // Opened without following links: a link swapped in since the check above fails here.
                descent.add(parent.newDirectoryStream(name, NOFOLLOW));
            }
            return descent;
        } catch (IOException | RuntimeException e) {
            descent.close();
            throw e;
        }
    }

    private void createDirectory(String relative) throws IOException {
        try {
            Files.createDirectory(root.resolve(relative));
        } catch (FileAlreadyExistsException e) {
            // Made meanwhile; opening it without following links still decides whether it is usable.
        }
    }

    private Entry entry(SecureDirectoryStream<Path> dir, RenderedPath path, String verb) throws IOException {
        BasicFileAttributes attributes = attributes(dir, Path.of(path.name()));
        if (attributes == null) {
            return Entry.ABSENT;
        }
        if (attributes.isSymbolicLink()) {
            throw refusal(verb, path, path.text(), "is a symbolic link (to " + linkTarget(root.resolve(path.text()))
                    + ")");
        }
        if (!attributes.isRegularFile()) {
            throw refusal(verb, path, path.text(), attributes.isDirectory() ? "is a directory"
                    : "is not a regular file");
        }
        return Entry.FILE;
    }

    private static Path createTemporary(SecureDirectoryStream<Path> dir, String name, byte[] content)
            throws IOException {
        for (int attempt = 0; ; attempt++) {
            byte[] suffix = new byte[8];
            RANDOM.nextBytes(suffix);
            Path tmp = Path.of("." + name + "." + HexFormat.of().formatHex(suffix) + ".tmp");
            try (SeekableByteChannel out = dir.newByteChannel(tmp, Set.of(StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE_NEW, NOFOLLOW))) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            } catch (IOException e) {
                deleteQuietly(dir, tmp);
                throw e;
            }
        }
    }

    private static void deleteQuietly(SecureDirectoryStream<Path> dir, Path name) {
        try {
            dir.deleteFile(name);
        } catch (IOException ignored) {
            // Nothing more to undo; the failure that brought us here is what gets reported.
        }
    }

    private IOException refusal(String verb, RenderedPath path, String culprit, String what) {
        String where = culprit.equals(path.text()) ? path.text() + " " + what
                : path + ": " + culprit + " " + what;
        return new IOException("refusing to " + verb + " " + where + " inside " + shown + "; render never follows a "
                + "symbolic link or writes anything but its own regular files there (remove it and render again)");
    }

    private static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static BasicFileAttributes attributes(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        try {
            return dir.getFileAttributeView(name, BasicFileAttributeView.class, NOFOLLOW).readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }

    private static SecureDirectoryStream<Path> secure(DirectoryStream<Path> stream, Path dir) throws IOException {
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        stream.close();
        throw new IOException("cannot write " + dir + " safely: this platform does not open directories relative to "
                + "one another (SecureDirectoryStream), which render needs to never follow a link out of -o");
    }

    /** The chain of open directories from the root down; closes all but the root's. */
    private final class Descent implements Closeable {
        private final RenderedPath path;
        private final List<SecureDirectoryStream<Path>> chain = new ArrayList<>();

        Descent(RenderedPath path) {
            this.path = path;
            chain.add(handle);
        }

        SecureDirectoryStream<Path> last() {
            return chain.getLast();
        }

        void add(SecureDirectoryStream<Path> dir) {
            chain.add(dir);
        }

        /** Removes, deepest first, each directory on the way that is now empty; stops at the first that is not. */
        void removeEmptyDirectories() throws IOException {
            for (int i = chain.size() - 1; i > 0; i--) {
                chain.remove(i).close();
                try {
                    chain.get(i - 1).deleteDirectory(Path.of(path.segments().get(i - 1)));
                } catch (DirectoryNotEmptyException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            while (chain.size() > 1) {
                chain.removeLast().close();
            }
        }
    }
}
