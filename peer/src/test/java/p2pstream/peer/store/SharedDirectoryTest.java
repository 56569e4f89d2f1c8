package p2pstream.peer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.TestAbortedException;
import p2pstream.common.wire.Wire;

class SharedDirectoryTest {
    @TempDir
    Path tmp;

    private Path root() throws IOException {
        return Files.createDirectories(tmp.resolve("shared"));
    }

    private static Path write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    /** Creates a symbolic link, or skips the test where the file system or platform refuses them. */
    private static void link(Path link, Path target) {
        try {
            Files.createSymbolicLink(link, target);
        } catch (IOException | UnsupportedOperationException e) {
            throw new TestAbortedException("symbolic links not available here: " + e);
        }
    }

    @Test
    void listsNestedFilesWithSlashNamesSortedAndSkipsTheCacheDirectory() throws IOException {
        Path root = root();
        write(root.resolve("b.mp4"), "b");
        write(root.resolve("a/z.mp4"), "z");
        write(root.resolve("a/c/d.mp4"), "d");
        write(root.resolve("A.txt"), "A");
        write(root.resolve(".hidden"), "h");
        write(root.resolve(".p2pstream/manifests/x.manifest"), "cache");
        write(root.resolve("a/.p2pstream/kept"), "only the root cache directory is special");
        Files.createDirectories(root.resolve("empty/dir"));

        List<String> names = new SharedDirectory(root).names();

        assertEquals(List.of("A.txt", "a/c/d.mp4", "a/z.mp4", "b.mp4"), names);
    }

    /**
     * Issue 9: an interrupted viewer's partial file was announced as a whole stream of another content id under
     * the real one's name; records, dotfiles and the peer's own folders were shared too.
     */
    @Test
    void skipsRecordsDotfilesAndDownloadsUnderWayButSharesFinishedDownloads() throws IOException {
        Path root = root();
        Path source = Files.write(tmp.resolve("source.bin"), new byte[5 * 16 * 1024]);
        Manifest manifest = ManifestCache.compute("whole.bin", source, 16 * 1024);
        ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
        try (ChunkStore partial = ChunkStore.open(manifest, root.resolve("whole.bin"))) {
            partial.write(0, chunk);
            partial.write(1, chunk);
        }
        Files.createDirectories(root.resolve("done"));
        try (ChunkStore finished = ChunkStore.open(manifest, root.resolve("done/whole.bin"))) {
            for (int i = 0; i < manifest.chunkCount(); i++) {
                finished.write(i, chunk);
            }
        }
        write(root.resolve("torn.bin"), "data");
        write(root.resolve("torn.bin.p2ps"), "P2PR but torn");
        write(root.resolve("orphan.mp4.p2ps"), "a record without its data is no stream either");
        write(root.resolve(".hidden"), "h");
        write(root.resolve(".config/settings"), "s");
        write(root.resolve("a/.DS_Store"), "d");
        write(root.resolve("a/.cache/x.bin"), "x");
        write(root.resolve(".p2pstream/manifests/x.manifest"), "cache");
        write(root.resolve("a/film.mp4"), "f");

        List<String> names = new SharedDirectory(root).names();

        assertEquals(List.of("a/film.mp4", "done/whole.bin"), names);
    }

    @Test
    void aLinkToADownloadUnderWayIsNotSharedEither() throws IOException {
        Path root = root();
        Path source = Files.write(tmp.resolve("source.bin"), new byte[2 * 16 * 1024]);
        Manifest manifest = ManifestCache.compute("part.bin", source, 16 * 1024);
        try (ChunkStore partial = ChunkStore.open(manifest, root.resolve("part.bin"))) {
            partial.write(0, ByteBuffer.allocate(16 * 1024));
        }
        link(root.resolve("alias.bin"), root.resolve("part.bin"));
        write(root.resolve(".hidden.bin"), "h");
        link(root.resolve("visible.bin"), root.resolve(".hidden.bin"));

        assertEquals(List.of(), new SharedDirectory(root).names());
    }

    @Test
    void everyListedNameResolvesToItsFile() throws IOException {
        Path root = root();
        write(root.resolve("x/y/z.bin"), "z");
        write(root.resolve("top.bin"), "t");
        SharedDirectory shared = new SharedDirectory(root);

        for (String name : shared.names()) {
            Path file = shared.resolve(name);
            assertTrue(file.startsWith(shared.root()), file.toString());
            assertEquals(root.toRealPath().resolve(name), file);
        }
    }

    @Test
    void emptyDirectoryListsNothing() throws IOException {
        assertEquals(List.of(), new SharedDirectory(root()).names());
    }

    @Test
    void rootMustExistAndBeADirectory() throws IOException {
        assertThrows(NoSuchFileException.class, () -> new SharedDirectory(tmp.resolve("missing")));
        Path file = write(tmp.resolve("file"), "x");
        assertThrows(NotDirectoryException.class, () -> new SharedDirectory(file));
    }

    @Test
    void rootIsKeptAsItsRealPath() throws IOException {
        Path root = root();
        Path alias = tmp.resolve("alias");
        link(alias, root);
        assertEquals(root.toRealPath(), new SharedDirectory(alias).root());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../../etc/passwd", "..", ".", "/etc/passwd", "/", "a/../../b", "a/..", "a//b",
        "./a", "a/./b", "a/", "a\\b", "..\\..\\windows", "C:/windows/system.ini", "c:x", "a\u0000b", "a\nb",
        "a\tb", "a\u007fb", "a\u0085b", ".p2pstream/manifests/x.manifest", ".P2PSTREAM/x", "a\ud800b"})
    void checkNameRejectsUnsafeNames(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SharedDirectory.checkName(name));
        assertTrue(e.getMessage().startsWith("name: ") && e.getMessage().contains("(expected: "), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "dir/file.mp4", "a b/c d.mkv", "..a", "a..", "...", ".hidden", "a/.p2pstream",
        ".p2pstream", "x/.p2pstream/y", "\u65e5\u672c/\u52d5\u753b.mp4", "emoji-\ud83c\udfac.mp4", "ab:c", "1:x"})
    void checkNameAcceptsRelativeNames(String name) {
        SharedDirectory.checkName(name);
    }

    @Test
    void checkNameLimitsTheUtf8LengthNotTheCharCount() {
        SharedDirectory.checkName("a".repeat(Wire.MAX_NAME_BYTES));
        assertThrows(IllegalArgumentException.class,
                () -> SharedDirectory.checkName("a".repeat(Wire.MAX_NAME_BYTES + 1)));
        // 342 three-byte characters: 342 chars but 1026 bytes
        String wide = "\u65e5".repeat(342);
        assertEquals(1026, wide.getBytes(StandardCharsets.UTF_8).length);
        assertThrows(IllegalArgumentException.class, () -> SharedDirectory.checkName(wide));
    }

    @Test
    void checkNameMessageEscapesControlCharacters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SharedDirectory.checkName("evil\u001b[2J"));
        assertTrue(e.getMessage().contains("\\u001b") && !e.getMessage().contains("\u001b"), e.getMessage());
    }

    @Test
    void checkNameRejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> SharedDirectory.checkName(null));
    }

    @Test
    void resolveRefusesTraversalEvenWhenTheTargetExists() throws IOException {
        Path root = root();
        write(tmp.resolve("secret"), "outside");
        SharedDirectory shared = new SharedDirectory(root);

        assertThrows(IllegalArgumentException.class, () -> shared.resolve("../secret"));
        assertThrows(IllegalArgumentException.class, () -> shared.resolve(tmp.resolve("secret").toString()));
    }

    @Test
    void resolveOfAMissingFileOrADirectoryIsNoSuchFile() throws IOException {
        Path root = root();
        Files.createDirectories(root.resolve("dir"));
        SharedDirectory shared = new SharedDirectory(root);

        assertThrows(NoSuchFileException.class, () -> shared.resolve("missing.mp4"));
        assertThrows(NoSuchFileException.class, () -> shared.resolve("dir/missing.mp4"));
        assertThrows(NoSuchFileException.class, () -> shared.resolve("dir"));
    }

    @Test
    void resolveRefusesTheCacheDirectory() throws IOException {
        Path root = root();
        write(root.resolve(".p2pstream/manifests/x.manifest"), "cache");
        SharedDirectory shared = new SharedDirectory(root);

        assertThrows(IllegalArgumentException.class, () -> shared.resolve(".p2pstream/manifests/x.manifest"));
    }

    @Test
    void symlinkToAFileOutsideIsNeitherListedNorResolvable() throws IOException {
        Path root = root();
        write(root.resolve("ok.mp4"), "ok");
        Path secret = write(tmp.resolve("secret.txt"), "outside");
        link(root.resolve("escape.mp4"), secret);
        link(root.resolve("relative-escape.mp4"), Path.of("../secret.txt"));
        SharedDirectory shared = new SharedDirectory(root);

        assertEquals(List.of("ok.mp4"), shared.names());
        assertThrows(IllegalArgumentException.class, () -> shared.resolve("escape.mp4"));
        assertThrows(IllegalArgumentException.class, () -> shared.resolve("relative-escape.mp4"));
    }

    @Test
    void symlinkedDirectoryPointingOutsideIsNotWalkedNorResolvable() throws IOException {
        Path root = root();
        write(root.resolve("ok.mp4"), "ok");
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        write(outside.resolve("secret.txt"), "outside");
        link(root.resolve("out"), outside);
        SharedDirectory shared = new SharedDirectory(root);

        assertEquals(List.of("ok.mp4"), shared.names());
        assertThrows(IllegalArgumentException.class, () -> shared.resolve("out/secret.txt"));
    }

    @Test
    void symlinkToAFileInsideIsListedAndResolvesToTheTarget() throws IOException {
        Path root = root();
        Path target = write(root.resolve("real/movie.mp4"), "movie");
        link(root.resolve("alias.mp4"), Path.of("real/movie.mp4"));
        SharedDirectory shared = new SharedDirectory(root);

        assertEquals(List.of("alias.mp4", "real/movie.mp4"), shared.names());
        assertEquals(target.toRealPath(), shared.resolve("alias.mp4"));
    }

    @Test
    void symlinkIntoTheCacheDirectoryIsNeitherListedNorResolvable() throws IOException {
        Path root = root();
        write(root.resolve(".p2pstream/manifests/x.manifest"), "cache");
        link(root.resolve("peek"), Path.of(".p2pstream/manifests/x.manifest"));
        SharedDirectory shared = new SharedDirectory(root);

        assertEquals(List.of(), shared.names());
        assertThrows(IllegalArgumentException.class, () -> shared.resolve("peek"));
    }

    @Test
    void directoryLinkLoopsAndBrokenLinksDoNotBreakTheListing() throws IOException {
        Path root = root();
        write(root.resolve("a/file"), "f");
        link(root.resolve("a/loop"), Path.of(".."));
        link(root.resolve("dangling"), Path.of("nowhere"));
        SharedDirectory shared = new SharedDirectory(root);

        assertEquals(List.of("a/file"), shared.names());
        assertThrows(NoSuchFileException.class, () -> shared.resolve("dangling"));
    }

    @Test
    void filesWithUnsafeNamesOnDiskAreNotListed() throws IOException {
        Path root = root();
        write(root.resolve("ok"), "ok");
        try {
            write(root.resolve("back\\slash"), "x");
            write(root.resolve("new\nline"), "x");
        } catch (IOException | InvalidPathException e) {
            throw new TestAbortedException("file system refuses these names: " + e);
        }
        assertEquals(List.of("ok"), new SharedDirectory(root).names());
    }

    @Test
    void unreadableSubdirectoryIsSkipped() throws IOException {
        Path root = root();
        write(root.resolve("ok"), "ok");
        Path locked = root.resolve("locked");
        write(locked.resolve("hidden"), "x");
        try {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        } catch (UnsupportedOperationException e) {
            throw new TestAbortedException("no POSIX permissions here");
        }
        try {
            assumeFalse(Files.isReadable(locked), "permissions are not enforced for this user (root?)");
            assertEquals(List.of("ok"), new SharedDirectory(root).names());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
