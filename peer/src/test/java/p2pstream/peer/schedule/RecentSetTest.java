package p2pstream.peer.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecentSetTest {

    @Test
    void remembersTheLastCapacityIndexesBelowTheTop() {
        RecentSet s = new RecentSet(64);
        s.add(10);
        s.add(3);
        assertTrue(s.contains(10) && s.contains(3));
        assertFalse(s.contains(4));
        s.add(70);
        assertEquals(70, s.top());
        assertEquals(7, s.floor());
        assertTrue(s.contains(10));
        assertFalse(s.contains(3), "fell out of reach");
        s.add(5);
        assertFalse(s.contains(5), "older than the reach is ignored");
        s.remove(10);
        assertFalse(s.contains(10));
    }

    @Test
    void aHugeIndexForgetsEverythingAndKeepsMemoryFixed() {
        RecentSet s = new RecentSet(128);
        for (int i = 0; i < 128; i++) {
            s.add(i);
        }
        s.add(Integer.MAX_VALUE);
        assertTrue(s.contains(Integer.MAX_VALUE));
        for (int i = 0; i < 128; i++) {
            assertFalse(s.contains(i));
        }
        assertFalse(s.contains(-1));
    }

    @Test
    void agreesWithABitSetOverTheReach() {
        Random r = new Random(5);
        RecentSet s = new RecentSet(256);
        BitSet all = new BitSet();
        int top = -1;
        for (int step = 0; step < 20_000; step++) {
            int i = Math.max(0, top + r.nextInt(40) - 300);
            if (r.nextInt(5) == 0) {
                s.remove(i);
                all.clear(i);
            } else {
                s.add(i);
                if (i > top - 256) {
                    all.set(i);
                }
                top = Math.max(top, i);
            }
            int probe = Math.max(0, top - r.nextInt(256));
            assertEquals(all.get(probe), s.contains(probe), "index " + probe + " at step " + step);
        }
    }

    @Test
    void capacityMustBeAMultipleOf64() {
        assertThrows(IllegalArgumentException.class, () -> new RecentSet(100));
    }
}
