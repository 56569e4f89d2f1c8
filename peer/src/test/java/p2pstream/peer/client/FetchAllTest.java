package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Streams;

/**
 * What {@code --all} does with the tracker's list before fetching: each name goes inside DIR, whatever the tracker
 * sends and however DIR is written, and a name listed twice is fetched by neither stream.
 */
class FetchAllTest {
    private static FetchAll into(String prefix, Path dir) {
        return new FetchAll(null, prefix, dir, 1, false, System.err, true);
    }

    @Test
    void theDefaultDirectoryTakesTheFiles() {
        // "." is what -o defaults to; it normalizes to the empty path
        Path cwd = Path.of("").toAbsolutePath();
        assertEquals(cwd.resolve("june/a.mp4"), into("club/june", Path.of(".")).target("club/june/a.mp4"));
        assertEquals(cwd.resolve("club/x/b.mp4"), into("club", Path.of(".")).target("club/x/b.mp4"));
    }

    @Test
    void pathsFromTheFolderOn() {
        Path dir = Path.of("/srv/films");
        assertEquals(dir.resolve("june/a.mp4"), into("club/june/", dir).target("club/june/a.mp4"));
        assertEquals(dir.resolve("june"), into("club/june", dir).target("club/june"));
        assertEquals(dir.resolve("a/b.mp4"), into("", dir).target("a/b.mp4"));
    }

    @Test
    void aNameThatLeavesTheDirectoryIsRefused() {
        Path dir = Path.of("/srv/films");
        assertThrows(IllegalArgumentException.class, () -> into("", dir).target("../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> into("", dir).target("/etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> into("club", Path.of(".")).target("club/../../x"));
        assertThrows(IllegalArgumentException.class, () -> into("", dir).target("x/.."));
    }

    @Test
    @Timeout(10)
    void aNameListedTwiceIsFetchedByNeither(@TempDir Path dir) throws Exception {
        // two holders share different contents as club/a.bin: fetched at once they would write one file
        ContentId one = ContentId.of(new byte[32]);
        byte[] other = new byte[32];
        other[0] = 1;
        List<Streams.Entry> listed = List.of(new Streams.Entry(one, "club/a.bin", 10, 4, 1, 1, false),
                new Streams.Entry(ContentId.of(other), "club/a.bin", 12, 4, 1, 1, false));
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        FetchAll all = new FetchAll(null, "club", dir, 2, false, new PrintStream(said, true, StandardCharsets.UTF_8),
                true);

        int status = all.run(all.select(listed), new CompletableFuture<>());

        String err = said.toString(StandardCharsets.UTF_8);
        assertEquals(WatchException.FAILED, status, err);
        assertTrue(err.contains("FAILED club/a.bin: listed 2 times with different content"), err);
        assertTrue(err.contains("peer-client TRACKER " + one.hex()), err);
        assertTrue(err.contains("incomplete club: 2 files, 0 complete"), err);
        try (var written = Files.list(dir)) {
            assertEquals(List.of(), written.toList(), "nothing written");
        }
    }
}
