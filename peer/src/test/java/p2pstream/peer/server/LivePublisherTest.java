package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.wire.LiveEnd;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.PublisherKey;

class LivePublisherTest {
    private final PublisherKey key = PublisherKey.generate();
    private final LiveManifest manifest = new LiveManifest("cam", 16 * 1024, key.publicKey(), 1L);
    private final LiveWindow window = new LiveWindow(1024);
    private final List<LiveChunk> chunks = new CopyOnWriteArrayList<>();
    private final List<LiveEnd> ends = new CopyOnWriteArrayList<>();

    LivePublisherTest() {
        window.addListener(new LiveWindow.Listener() {
            @Override
            public void onAdded(LiveChunk c) {
                chunks.add(c);
            }

            @Override
            public void onEnded(LiveEnd e) {
                ends.add(e);
            }
        });
    }

    @Test
    @Timeout(20)
    void cutsFullChunksSignsEachAndSignsTheEnd() throws Exception {
        byte[] input = new byte[40_000];
        new Random(3).nextBytes(input);
        input[0] = 0; // not MPEG-TS: cut anywhere
        LivePublisher p = new LivePublisher(new ByteArrayInputStream(input), manifest, key, window, 10_000).start();
        assertEquals(3, p.ended().get(10, TimeUnit.SECONDS));
        assertEquals(List.of(16384, 16384, 7232), chunks.stream().map(LiveChunk::length).toList());
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < chunks.size(); i++) {
            LiveChunk c = chunks.get(i);
            assertEquals(i, c.index());
            byte[] b = new byte[c.length()];
            c.bytes().get(b);
            joined.write(b);
            assertTrue(manifest.verifiesChunk(i, c.publishMicros(), Manifest.sha256().digest(b),
                    c.header().signature()), "chunk " + i);
        }
        assertArrayEquals(input, joined.toByteArray());
        LiveEnd end = ends.get(0);
        assertEquals(3, end.chunkCount());
        assertTrue(manifest.verifiesEnd(3, end.endMicros(), end.signature()));
    }

    @Test
    @Timeout(20)
    void aSlowInputLeavesInShortChunksAtTheInterval() throws Exception {
        PipedOutputStream feed = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(feed, 1 << 16);
        LivePublisher p = new LivePublisher(in, manifest, key, window, 50).start();
        feed.write(new byte[500]);
        feed.flush();
        awaitChunks(1);
        assertEquals(500, chunks.get(0).length(), "a short chunk, not a wait for 16 KiB");
        feed.write(new byte[300]);
        feed.close();
        assertEquals(2, p.ended().get(10, TimeUnit.SECONDS));
        assertEquals(300, chunks.get(1).length());
    }

    @Test
    @Timeout(20)
    void mpegTsIsCutOnPacketBoundaries() throws Exception {
        byte[] ts = new byte[188 * 200]; // 37,600 bytes: more than two 16 KiB chunks
        for (int i = 0; i < ts.length; i += 188) {
            ts[i] = 0x47;
        }
        LivePublisher p = new LivePublisher(new ByteArrayInputStream(ts), manifest, key, window, 10_000).start();
        p.ended().get(10, TimeUnit.SECONDS);
        for (LiveChunk c : chunks) {
            assertEquals(0, c.length() % 188, "chunk " + c.index() + " of " + c.length() + " bytes");
            assertEquals(0x47, c.bytes().get(0), "chunk " + c.index() + " starts on a packet");
        }
        assertEquals(ts.length, chunks.stream().mapToInt(LiveChunk::length).sum());
    }

    private void awaitChunks(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (chunks.size() < n && System.nanoTime() < deadline) {
            LockSupport.parkNanos(2_000_000);
        }
        assertTrue(chunks.size() >= n, "chunks: " + chunks.size());
    }
}
