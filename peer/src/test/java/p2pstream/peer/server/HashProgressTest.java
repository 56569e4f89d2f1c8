package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.Clock;
import p2pstream.peer.store.SharedDirectory;

/** Hashing at start tells its progress: every file found, and each one done, shareable or not. */
class HashProgressTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(30)
    void everyFileFoundIsCountedDoneOnceHashed() throws Exception {
        Files.write(dir.resolve("a.bin"), new byte[300_000]);
        Files.write(dir.resolve("b.bin"), new byte[5]);
        Files.write(dir.resolve("empty.bin"), new byte[0]);
        HashProgress progress = new HashProgress();
        try (OpenFiles open = new OpenFiles(4);
             SharedFiles files = new SharedFiles(new SharedDirectory(dir), Clock.SYSTEM, open)) {
            int shared = files.hashAll(progress).size();
            assertEquals(progress.files(), progress.filesDone());
            assertEquals(300_005, progress.bytes());
            assertEquals(progress.bytes(), progress.bytesDone());
            assertEquals(shared, progress.files(), "every file shared here");
        }
    }
}
