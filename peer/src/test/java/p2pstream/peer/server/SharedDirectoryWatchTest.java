package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.peer.client.Stats;
import p2pstream.peer.client.Watch;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.ManifestCache;
import p2pstream.tracker.Tracker;

/**
 * Issue 9: files added to, deleted from or changed in a running peer-server's directory were seen only after a
 * restart. The server watches the tree: it announces additions, withdraws deletions, re-hashes changes, and
 * waits for a file being written to hold still before hashing it.
 */
class SharedDirectoryWatchTest {
    private static final long SETTLE_MILLIS = 400;

    @TempDir
    Path tmp;

    private Path shared;
    private Tracker tracker;
    private PeerServer server;

    @BeforeEach
    void start() throws Exception {
        shared = Files.createDirectories(tmp.resolve("shared"));
        Files.write(shared.resolve("first.bin"), random(50_000, 1));
        tracker = Tracker.start(Tracker.Config.loopback());
        // a rescan interval far beyond the test: what it sees comes from the change events
        server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), shared)
                .withWatch(SETTLE_MILLIS, 600_000));
        server.announced().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (tracker != null) {
            tracker.close();
        }
    }

    @Test
    @Timeout(60)
    void anAddedFileIsServedADeletedOneWithdrawnAChangedOneReannounced() throws Exception {
        byte[] added = random(300_000, 2);
        Files.createDirectories(shared.resolve("new/dir"));
        Files.write(shared.resolve("new/dir/added.bin"), added);
        await("added.bin announced", () -> holders(Lookup.byName("new/dir/added.bin", 10)) == 1);
        Stats s = Watch.run(Watch.Config.of(tracker.address(), "new/dir/added.bin").withUpload(false)
                .withOutputFile(tmp.resolve("added.out")));
        assertEquals(sha256(added), s.sha256(), "the added file's bytes");

        Files.delete(shared.resolve("new/dir/added.bin"));
        await("added.bin withdrawn", () -> holders(Lookup.byName("new/dir/added.bin", 10)) == 0);
        assertFalse(server.manifests().stream().anyMatch(m -> m.name().equals("new/dir/added.bin")));

        ContentId old = idOf("first.bin", shared.resolve("first.bin"));
        assertEquals(1, holders(Lookup.byContentId(old, 10)));
        byte[] changed = random(70_000, 3);
        Files.write(shared.resolve("first.bin"), changed);
        ContentId fresh = idOf("first.bin", shared.resolve("first.bin"));
        await("the new content announced", () -> holders(Lookup.byContentId(fresh, 10)) == 1);
        await("the old content withdrawn", () -> holders(Lookup.byContentId(old, 10)) == 0);
        Stats c = Watch.run(Watch.Config.of(tracker.address(), "first.bin").withUpload(false)
                .withOutputFile(tmp.resolve("first.out")));
        assertEquals(sha256(changed), c.sha256(), "the changed file's bytes");
    }

    @Test
    @Timeout(60)
    void aFileStillBeingWrittenIsHashedOnlyOnceItHoldsStill() throws Exception {
        Path growing = shared.resolve("growing.bin");
        Random random = new Random(4);
        byte[] block = new byte[4_096];
        long endNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * SETTLE_MILLIS);
        // appends every ~20 ms, far more often than the settle time
        while (System.nanoTime() < endNanos) {
            random.nextBytes(block);
            Files.write(growing, block, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            assertFalse(server.manifests().stream().anyMatch(m -> m.name().equals("growing.bin")),
                    "hashed while still being written");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        ContentId whole = idOf("growing.bin", growing);
        await("the whole file announced", () -> holders(Lookup.byContentId(whole, 10)) == 1);
        assertEquals(1, server.manifests().stream().filter(m -> m.name().equals("growing.bin")).count());
        assertTrue(server.manifests().stream().anyMatch(m -> m.contentId().equals(whole)));
    }

    /** A viewer downloading into the shared directory: its file is shared once its record holds every chunk. */
    @Test
    @Timeout(60)
    void aDownloadIntoTheDirectoryIsSharedWholeOnceItsRecordIsComplete() throws Exception {
        Path source = Files.write(tmp.resolve("source.bin"), random(5 * 16 * 1024, 5));
        Manifest m = ManifestCache.compute("film.bin", source, 16 * 1024);
        ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
        try (FileChannel in = FileChannel.open(source);
             ChunkStore store = ChunkStore.open(m, shared.resolve("film.bin"))) {
            for (int i = 0; i < m.chunkCount(); i++) {
                chunk.clear();
                in.read(chunk, m.chunkOffset(i));
                store.write(i, chunk.flip());
                if (i == 0) {
                    // a file added after it is announced: the listings that settled it left the partial file out
                    Files.write(shared.resolve("marker.bin"), random(10, 6));
                    await("a later file announced", () -> holders(Lookup.byName("marker.bin", 10)) == 1);
                    assertEquals(0, holders(Lookup.byName("film.bin", 10)), "a download under way was announced");
                }
            }
        }
        ContentId whole = idOf("film.bin", shared.resolve("film.bin"));
        await("the finished download announced whole", () -> holders(Lookup.byContentId(whole, 10)) == 1);
    }

    private int holders(Lookup lookup) {
        try (RawClient t = RawClient.secure(tracker.address())) {
            t.trackerHello(0);
            t.send(lookup);
            Peers p = t.expect(MessageType.PEERS, Peers::decode);
            return p.found() ? p.peers().size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ContentId idOf(String name, Path file) throws IOException {
        return ManifestCache.compute(name, file, Manifest.chunkSizeFor(Files.size(file))).contentId();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
