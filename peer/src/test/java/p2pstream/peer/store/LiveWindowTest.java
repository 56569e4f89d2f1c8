package p2pstream.peer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;

class LiveWindowTest {

    private static LiveChunk chunk(int index) {
        return new LiveChunk(new LiveChunkHeader(index, index * 1000L, new byte[64]),
                ByteBuffer.wrap(new byte[] {(byte) index}));
    }

    @Test
    void keepsOnlyTheLastCapacityIndexesUpToTheNewest() {
        LiveWindow w = new LiveWindow(4);
        for (int i = 0; i < 10; i++) {
            assertTrue(w.add(chunk(i)));
        }
        assertEquals(9, w.newest());
        assertEquals(List.of(6, 7, 8, 9), w.indexes());
        assertNull(w.get(5));
        assertFalse(w.add(chunk(5)), "older than the ring reaches");
        assertFalse(w.add(chunk(8)), "already held");
    }

    @Test
    void outOfOrderArrivalsFillGapsAndAJumpForgetsWhatFallsOut() {
        LiveWindow w = new LiveWindow(4);
        w.add(chunk(3));
        w.add(chunk(1));
        assertEquals(List.of(1, 3), w.indexes());
        assertTrue(w.add(chunk(2)));
        w.add(chunk(100));
        assertEquals(List.of(100), w.indexes());
        assertNull(w.get(3));
    }

    @Test
    void listenersHearOfEveryChunkAddedAndOfTheEndOnce() {
        LiveWindow w = new LiveWindow(8);
        List<Integer> added = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        w.addListener(new LiveWindow.Listener() {
            @Override
            public void onAdded(LiveChunk c) {
                added.add(c.index());
            }

            @Override
            public void onEnded(LiveEnd e) {
                ends.add(e.chunkCount());
            }
        });
        w.add(chunk(0));
        w.add(chunk(0));
        w.add(chunk(1));
        assertTrue(w.end(new LiveEnd(2, 5, new byte[64])));
        assertFalse(w.end(new LiveEnd(3, 6, new byte[64])));
        assertEquals(List.of(0, 1), added);
        assertEquals(List.of(2), ends);
        assertEquals(2, w.end().chunkCount());
    }

    @Test
    void aChunkHandsOutIndependentReadOnlyViews() {
        LiveChunk c = chunk(3);
        ByteBuffer a = c.bytes();
        a.get();
        assertEquals(1, c.bytes().remaining());
        assertTrue(a.isReadOnly());
    }
}
