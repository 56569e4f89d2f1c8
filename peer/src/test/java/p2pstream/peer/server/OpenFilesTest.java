package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounded cache of open shared files: never above its bound, never closing a channel a transfer holds. */
class OpenFilesTest {
    @TempDir
    Path dir;

    @Test
    void closesOnlyIdleChannelsAndRefusesWhenEveryOneIsInUse() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "a");
        Path b = Files.writeString(dir.resolve("b"), "b");
        Path c = Files.writeString(dir.resolve("c"), "c");
        OpenFiles files = new OpenFiles(2);

        OpenFiles.Lease la = files.lease(a);
        OpenFiles.Lease lb = files.lease(b);
        assertNull(files.lease(c), "both channels are in use: no third one");
        assertEquals(2, files.openCount());

        OpenFiles.Lease la2 = files.lease(a);
        assertSame(la.channel(), la2.channel(), "a second transfer of a shares its channel");
        la.release();
        la.release(); // idempotent: the second transfer still holds a
        assertNull(files.lease(c), "a is still in use");
        la2.release();

        OpenFiles.Lease lc = files.lease(c);
        assertNotNull(lc, "the idle channel of a made room");
        assertFalse(la.channel().isOpen(), "the least recently used idle channel is closed");
        assertTrue(lb.channel().isOpen(), "b is in use: kept open");
        assertEquals(2, files.openCount());
        assertEquals(2, files.peakOpenCount());

        files.forget(b); // b changed while a transfer reads it
        assertTrue(lb.channel().isOpen(), "forgotten while in use: still open");
        OpenFiles.Lease lb2 = files.lease(b);
        assertNull(lb2, "a fresh channel for the changed b would be a third one");
        lb.release();
        assertFalse(lb.channel().isOpen(), "closed with its last transfer");
        assertEquals(1, files.openCount());

        files.close();
        assertTrue(lc.channel().isOpen(), "closing the cache leaves a channel in use open");
        lc.release();
        assertFalse(lc.channel().isOpen());
        assertEquals(0, files.openCount());
    }
}
