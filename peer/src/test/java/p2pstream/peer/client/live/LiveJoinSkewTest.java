package p2pstream.peer.client.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import p2pstream.common.net.FakeClock;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.peer.store.LiveChunk;

/** How a joining viewer estimates the publisher's clock against its own, on a fake clock. */
class LiveJoinSkewTest {
    private static final long LATENCY_MILLIS = 2_000;

    @Test
    void theBacklogFetchedWhileJoiningIsNotTakenForClockSkew() {
        FakeClock clock = new FakeClock();
        LiveJoin join = new LiveJoin(LATENCY_MILLIS, clock);
        long now = clock.epochMicros();
        assertEquals(2, join.from(9), "lowest index of the first batch back from an edge at 9");
        join.onArrival(3, 5_000_000); // backlog: published 5 s ago, arrived now
        assertEquals(5_000, join.ageMillis(chunk(3, now - 5_000_000)),
                "a backlog chunk is as old as it is: no skew taken from it");
        join.onArrival(9, 40_000); // the edge, 40 ms after it was published: that is the clock offset
        assertEquals(4_960, join.ageMillis(chunk(3, now - 5_000_000)), "age with the edge's 40 ms taken as skew");
        clock.advanceMillis(1_000);
        assertEquals(5_960, join.ageMillis(chunk(3, now - 5_000_000)), "a second later, a second older");
    }

    @Test
    void theSmallestDelayFromTheEdgeOnIsTheOffset() {
        FakeClock clock = new FakeClock();
        LiveJoin join = new LiveJoin(LATENCY_MILLIS, clock);
        join.from(20);
        join.onArrival(20, 300_000);
        join.onArrival(21, 120_000);
        join.onArrival(22, 250_000);
        assertEquals(1_000 - 120, join.ageMillis(chunk(21, clock.epochMicros() - 1_000_000)),
                "the least delay seen is the skew");
    }

    private static LiveChunk chunk(int index, long publishMicros) {
        return new LiveChunk(new LiveChunkHeader(index, publishMicros, new byte[64]), ByteBuffer.allocate(1));
    }
}
