package p2pstream.peer.playback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.Clock;

class PlaybackBufferTest {

    private static ByteBuffer chunk(PlaybackBuffer b, int value, int length) {
        ByteBuffer buf = b.acquire();
        for (int i = 0; i < length; i++) {
            buf.put((byte) value);
        }
        return buf.flip();
    }

    @Test
    void handsChunksOutInOrderWhateverTheArrivalOrder() throws Exception {
        AtomicInteger advances = new AtomicInteger();
        PlaybackBuffer b = new PlaybackBuffer(3, 3, 4, 0, advances::incrementAndGet);
        b.offer(2, chunk(b, 2, 4));
        b.offer(1, chunk(b, 1, 4));
        assertNull(b.take(0), "chunk 0 is missing, the player must wait");
        b.offer(0, chunk(b, 0, 4));
        for (int i = 0; i < 3; i++) {
            ByteBuffer c = b.take(0);
            assertEquals(i, c.get(0));
            b.release();
        }
        assertEquals(0, b.take(0).remaining(), "end of stream is an empty buffer");
        assertEquals(3, advances.get());
    }

    @Test
    void refusesChunksOutsideTheWindow() {
        PlaybackBuffer b = new PlaybackBuffer(10, 2, 4, 0, () -> { });
        assertThrows(IllegalArgumentException.class, () -> b.offer(2, chunk(b, 2, 4)));
    }

    @Test
    void neverAllocatesMoreThanTheWindowPlusOne() {
        PlaybackBuffer b = new PlaybackBuffer(100, 2, 4, 0, () -> { });
        b.acquire();
        b.acquire();
        b.acquire();
        assertThrows(IllegalStateException.class, b::acquire);
    }

    @Test
    void recyclesBuffersAsThePlayerConsumes() throws Exception {
        PlaybackBuffer b = new PlaybackBuffer(100, 2, 4, 0, () -> { });
        for (int i = 0; i < 100; i++) {
            b.offer(i, chunk(b, i, 4));
            b.take(0);
            b.release();
        }
        assertEquals(100, b.playhead());
    }

    @Test
    @Timeout(10)
    void failureWakesAWaitingPlayer() throws Exception {
        PlaybackBuffer b = new PlaybackBuffer(5, 5, 4, 0, () -> { });
        java.util.concurrent.CompletableFuture<Throwable> thrown = new java.util.concurrent.CompletableFuture<>();
        Thread player = new Thread(() -> {
            try {
                b.take(Long.MAX_VALUE);
                thrown.complete(null);
            } catch (Exception e) {
                thrown.complete(e);
            }
        });
        player.start();
        while (player.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait(); // until the player waits for chunk 0
        }
        b.fail(new IOException("peers gone"));
        Throwable e = thrown.get();
        assertTrue(e instanceof PlaybackException && e.getMessage().contains("peers gone"), String.valueOf(e));
    }

    @Test
    @Timeout(10)
    void playerWritesEverythingAndHashesIt() throws Exception {
        PlaybackBuffer b = new PlaybackBuffer(2, 2, 3, 0, () -> { });
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Player p = new Player(b, Channels.newChannel(sink), Clock.SYSTEM, true);
        b.offer(0, chunk(b, 'a', 3));
        b.offer(1, chunk(b, 'b', 2));
        p.run();
        Player.Result r = p.result().get();
        assertEquals("aaabb", sink.toString());
        assertEquals(5, r.bytes());
        // sha256("aaabb")
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("aaabb".getBytes())), r.sha256());
    }
}
