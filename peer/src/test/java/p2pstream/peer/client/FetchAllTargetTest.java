package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where {@code --all} puts each listed name: inside DIR, whatever the tracker sends and however DIR is written. */
class FetchAllTargetTest {
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
}
