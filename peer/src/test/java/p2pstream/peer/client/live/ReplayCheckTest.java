package p2pstream.peer.client.live;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;
import p2pstream.peer.store.PublisherKey;

/**
 * The replay checks of a validly signed live chunk or end, against what a viewer holds and a made-up "now":
 * pure functions, no clock of their own.
 */
class ReplayCheckTest {
    private static final long NOW = 1_767_225_600_000_000L;
    private static final long MAX_AGE_MILLIS = 60_000;

    private static LiveChunk chunk(int index, long publishMicros) {
        return new LiveChunk(new LiveChunkHeader(index, publishMicros, new byte[64]), ByteBuffer.allocate(1));
    }

    private static LiveWindow holding(LiveChunk... chunks) {
        LiveWindow w = new LiveWindow(16);
        for (LiveChunk c : chunks) {
            w.add(c);
        }
        return w;
    }

    @Test
    void aChunkInOrderWithItsNeighboursAndRecentIsNoReplay() {
        LiveWindow w = holding(chunk(10, NOW - 2_000_000), chunk(12, NOW - 1_000_000));
        assertNull(LiveVerifier.replayProblem(chunk(11, NOW - 1_500_000), w, null, 1_500_000, MAX_AGE_MILLIS));
    }

    @Test
    void aChunkOlderThanTheMaximumAgeIsAReplay() {
        String why = LiveVerifier.replayProblem(chunk(11, NOW - 61_000_000), holding(), null, 61_000_000,
                MAX_AGE_MILLIS);
        assertNotNull(why);
        assertTrue(why.contains("published 61000 ms ago"), why);
    }

    @Test
    void aChunkPublishedBeforeALowerIndexOrAfterAHigherOneIsAReplay() {
        LiveWindow w = holding(chunk(10, NOW - 2_000_000), chunk(12, NOW - 1_000_000));
        assertNotNull(LiveVerifier.replayProblem(chunk(11, NOW - 3_000_000), w, null, 3_000_000, MAX_AGE_MILLIS),
                "published before chunk 10");
        assertNotNull(LiveVerifier.replayProblem(chunk(11, NOW - 500_000), w, null, 500_000, MAX_AGE_MILLIS),
                "published after chunk 12");
    }

    @Test
    void aChunkPublishedAfterTheEndIsAReplay() {
        LiveEnd end = new LiveEnd(20, NOW - 1_000_000, new byte[64]);
        assertNotNull(LiveVerifier.replayProblem(chunk(19, NOW - 500_000), holding(), end, 500_000, MAX_AGE_MILLIS));
        assertNull(LiveVerifier.replayProblem(chunk(19, NOW - 1_500_000), holding(), end, 1_500_000, MAX_AGE_MILLIS));
    }

    @Test
    void anEndMustVerifyBeRecentAndComeAfterEveryChunkHeld() {
        PublisherKey key = PublisherKey.generate();
        LiveManifest m = new LiveManifest("cam", 64 * 1024, key.publicKey(), NOW - 100_000_000);
        LiveWindow w = holding(chunk(5, NOW - 3_000_000));
        LiveEnd good = new LiveEnd(6, NOW - 1_000_000, key.signEnd(m.contentId(), 6, NOW - 1_000_000));
        assertNull(LiveVerifier.endProblem(good, m, w, MAX_AGE_MILLIS, NOW));

        LiveEnd forged = new LiveEnd(6, NOW - 1_000_000, new byte[64]);
        assertNotNull(LiveVerifier.endProblem(forged, m, w, MAX_AGE_MILLIS, NOW), "a bad signature");

        LiveEnd old = new LiveEnd(6, NOW - 70_000_000, key.signEnd(m.contentId(), 6, NOW - 70_000_000));
        String why = LiveVerifier.endProblem(old, m, w, MAX_AGE_MILLIS, NOW);
        assertTrue(why != null && why.contains("70000 ms ago"), "an end 70 s old: " + why);

        LiveEnd early = new LiveEnd(5, NOW - 1_000_000, key.signEnd(m.contentId(), 5, NOW - 1_000_000));
        assertNotNull(LiveVerifier.endProblem(early, m, w, MAX_AGE_MILLIS, NOW),
                "an end before chunk 5, which is held");
    }
}
