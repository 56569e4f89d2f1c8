package p2pstream.peer.client.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import p2pstream.common.net.FakeClock;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.peer.playback.LiveReader;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveWindow;

/** Where a live reader starts, what it is handed, and when a missing chunk is given up: on a fake clock. */
class LivePlayheadTest {
    private static final long LATENCY_MILLIS = 2_000;

    /** A reader that takes everything (or nothing), recording what it was handed. */
    static final class FakeReader implements LiveReader {
        final List<Integer> handed = new ArrayList<>();
        final List<Boolean> resyncs = new ArrayList<>();
        boolean full;
        boolean finished;

        @Override
        public boolean offer(LiveChunk chunk, boolean measured, boolean resync) {
            if (full) {
                return false;
            }
            handed.add(chunk.index());
            resyncs.add(resync);
            return true;
        }

        @Override
        public void finish() {
            finished = true;
        }
    }

    private final FakeClock clock = new FakeClock();
    private final LiveJoin join = new LiveJoin(LATENCY_MILLIS, clock);
    private final LivePlayhead playhead = new LivePlayhead(join, LATENCY_MILLIS);
    private final LiveWindow window = new LiveWindow(64);
    private final FakeReader reader = new FakeReader();

    private void publishedMillisAgo(int index, long millisAgo) {
        window.add(new LiveChunk(new LiveChunkHeader(index, clock.epochMicros() - millisAgo * 1000, new byte[64]),
                ByteBuffer.allocate(10)));
    }

    private boolean advance(LiveEnd end) {
        return playhead.advance(window, List.of(), end, clock.nanoTime());
    }

    @Test
    void nothingIsHandedOutBeforeThereIsAReader() {
        join.from(9);
        for (int i = 2; i <= 9; i++) {
            publishedMillisAgo(i, 500);
        }
        assertFalse(advance(null));
        assertEquals(-1, playhead.playhead(), "no join without a reader");
        playhead.reader(reader);
        advance(null);
        assertEquals(List.of(2, 3, 4, 5, 6, 7, 8, 9), reader.handed);
    }

    @Test
    void joinsAtTheOldestChunkWithinTheLatencyAndHandsTheRestInOrder() {
        playhead.reader(reader);
        join.from(9); // the edge peers announce: fetch back from 2
        for (int i = 2; i <= 9; i++) {
            publishedMillisAgo(i, (9 - i) * 400L + 100); // chunk 2 is 2.9 s old, 9 is 0.1 s
        }
        advance(null);
        assertEquals(List.of(5, 6, 7, 8, 9), reader.handed, "from the first chunk within 2 s of latency");
        assertTrue(reader.resyncs.get(0), "a late join resyncs");
        assertEquals(new LivePlayhead.Counts(5, 0, 3, 0), playhead.counts(), "chunks 2..4 fetched before the start");
    }

    @Test
    void aMissingChunkIsWaitedForUntilALaterOneHasWaitedLongerThanTheLatency() {
        playhead.reader(reader);
        join.from(0);
        publishedMillisAgo(0, 100);
        advance(null);
        publishedMillisAgo(2, 0); // 1 is missing
        advance(null);
        assertEquals(List.of(0), reader.handed, "chunk 1 is waited for");
        clock.advanceMillis(LATENCY_MILLIS - 1);
        advance(null);
        assertEquals(List.of(0), reader.handed, "still within the latency");
        clock.advanceMillis(2);
        advance(null);
        assertEquals(List.of(0, 2), reader.handed, "chunk 1 missed its moment");
        assertTrue(reader.resyncs.get(1), "after a skip the reader resyncs");
        assertEquals(1, playhead.counts().skipped());
    }

    @Test
    void aReaderTooFarBehindHasTheChunkSkippedNotWaitedFor() {
        playhead.reader(reader);
        join.from(0);
        publishedMillisAgo(0, 100);
        publishedMillisAgo(1, 50);
        reader.full = true;
        advance(null);
        assertEquals(List.of(), reader.handed);
        assertEquals(2, playhead.counts().skipped());
        assertEquals(2, playhead.counts().skippedReceived(), "received, yet skipped");
    }

    @Test
    void theStreamIsOverOnceEveryChunkBeforeTheEndIsHandedOut() {
        playhead.reader(reader);
        join.from(0);
        publishedMillisAgo(0, 100);
        publishedMillisAgo(1, 50);
        playhead.onEnd(clock.nanoTime()); // the stream saw the publisher's end now
        assertTrue(advance(new LiveEnd(2, clock.epochMicros(), new byte[64])));
        assertEquals(List.of(0, 1), reader.handed);
        playhead.finish();
        assertTrue(reader.finished);
    }
}
