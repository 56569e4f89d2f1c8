package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Streams;

/**
 * The registry's compact structures against a plain model (maps of sets) under random announces, updates,
 * withdraws and session ends; its sampling; and the global entry cap. In-process, single-threaded, as the
 * registry loop runs it.
 */
class RegistryTest {
    private static final int CHUNK = 256 * 1024;

    private static ContentId id(int stream) {
        return new ContentId(42, stream, ~stream, 7);
    }

    private static Announce announce(int stream, int held) {
        return new Announce(id(stream), "s/" + stream, 4L * CHUNK, CHUNK, 4, held);
    }

    private static TrackerSession.Peer peer(long session) {
        return new TrackerSession.Peer(session, new PeerId(session, -session),
                new InetSocketAddress("127.0.0.1", 1000 + (int) session));
    }

    /** The registry's answer as a peer gets it: encoded as a frame, decoded by the PEERS codec. */
    private static Peers lookup(Registry registry, ContentId id, String name, int max, long asker) {
        ByteBuffer frame = Frames.encode(registry.lookup(id, name, max, asker));
        assertEquals(MessageType.PEERS.code(), frame.get(Frames.HEADER_BYTES - 1));
        try {
            return Peers.decode(frame.position(Frames.HEADER_BYTES));
        } catch (ProtocolException e) {
            throw new AssertionError("PEERS does not decode: " + e.getMessage(), e);
        }
    }

    @Test
    void matchesASimpleModelUnderRandomAnnouncesUpdatesWithdrawsAndSessionEnds() {
        Registry registry = new Registry();
        SplittableRandom random = new SplittableRandom(7);
        int streams = 25;
        // model: session id -> (stream -> complete)
        Map<Long, Map<Integer, Boolean>> model = new HashMap<>();
        List<Long> live = new ArrayList<>();
        long nextSession = 1;
        for (int i = 0; i < 40; i++) {
            live.add(nextSession++);
        }
        for (int op = 0; op < 30_000; op++) {
            long session = live.get(random.nextInt(live.size()));
            int stream = random.nextInt(streams);
            int what = random.nextInt(100);
            if (what < 55) {
                int held = random.nextInt(5);
                assertNull(registry.announce(peer(session), announce(stream, held)));
                model.computeIfAbsent(session, k -> new HashMap<>()).put(stream, held == 4);
            } else if (what < 60) {
                // a conflicting announcement (other size) is refused when the stream is known, and changes nothing
                boolean known = model.values().stream().anyMatch(m -> m.containsKey(stream));
                String refused = registry.announce(peer(session),
                        new Announce(id(stream), "s/" + stream, 8L * CHUNK, CHUNK, 8, 8));
                if (known) {
                    assertNotNull(refused);
                } else {
                    assertNull(refused);
                    registry.withdraw(session, id(stream)); // undo, to keep every stream at 4 chunks
                }
            } else if (what < 90) {
                registry.withdraw(session, id(stream));
                Map<Integer, Boolean> mine = model.get(session);
                if (mine != null) {
                    mine.remove(stream);
                }
            } else {
                registry.removeSession(session);
                model.remove(session);
                live.remove(session);
                live.add(nextSession++);
            }
            assertEquals(model.values().stream().mapToLong(Map::size).sum(), registry.entryCount(),
                    "entries after op " + op);
            if (op % 97 == 0) {
                assertSameAsModel(registry, model, streams, nextSession + 1000);
            }
        }
        assertSameAsModel(registry, model, streams, nextSession + 1000);
        for (long s : live) {
            registry.removeSession(s);
        }
        assertEquals(0, registry.entryCount());
        assertEquals(0, registry.streamCount());
        assertEquals(List.of(), registry.list("", 1000).streams());
    }

    private static void assertSameAsModel(Registry registry, Map<Long, Map<Integer, Boolean>> model, int streams,
                                          long stranger) {
        Map<Integer, Map<Long, Boolean>> holders = new HashMap<>();
        model.forEach((session, held) -> held.forEach((stream, complete) ->
                holders.computeIfAbsent(stream, k -> new HashMap<>()).put(session, complete)));
        assertEquals(holders.size(), registry.streamCount());
        Map<String, Streams.Entry> listed = new HashMap<>();
        for (Streams.Entry e : registry.list("", 1000).streams()) {
            listed.put(e.name(), e);
        }
        for (int stream = 0; stream < streams; stream++) {
            Map<Long, Boolean> expected = holders.getOrDefault(stream, Map.of());
            Peers p = lookup(registry, id(stream), null, 200, stranger);
            if (expected.isEmpty()) {
                assertFalse(p.found(), "stream " + stream + " has no holders: not found");
                assertFalse(listed.containsKey("s/" + stream));
                continue;
            }
            Map<Long, Boolean> got = new HashMap<>();
            for (Peers.Entry e : p.peers()) {
                assertNull(got.put(e.peerId().high(), e.complete()), "each holder once");
            }
            assertEquals(expected, got, "holders of stream " + stream);
            Streams.Entry e = listed.get("s/" + stream);
            assertEquals(expected.size(), e.peers());
            assertEquals(expected.values().stream().filter(c -> c).count(), e.seeds());
            long asker = expected.keySet().iterator().next();
            Set<Long> others = new HashSet<>();
            lookup(registry, null, "s/" + stream, 200, asker).peers().forEach(x -> others.add(x.peerId().high()));
            Set<Long> want = new HashSet<>(expected.keySet());
            want.remove(asker);
            assertEquals(want, others, "by name, everyone but the asker");
        }
    }

    @Test
    void lookupSamplesAreDistinctNeverTheAskerAndCoverEveryHolder() {
        Registry registry = new Registry();
        int holders = 1000;
        for (long s = 1; s <= holders; s++) {
            assertNull(registry.announce(peer(s), announce(0, 4)));
        }
        long asker = 500;
        int[] picked = new int[holders + 1];
        int lookups = 2000;
        for (int i = 0; i < lookups; i++) {
            List<Peers.Entry> sample = lookup(registry, id(0), null, 50, asker).peers();
            assertEquals(50, sample.size());
            Set<Long> distinct = new HashSet<>();
            for (Peers.Entry e : sample) {
                long s = e.peerId().high();
                assertTrue(distinct.add(s), "distinct peers in one answer");
                picked[(int) s]++;
            }
            assertFalse(distinct.contains(asker), "never the asker");
        }
        // each of the 999 others is expected 2000 * 50 / 999 = 100 times (sd ~10): a bias or a gap shows
        for (int s = 1; s <= holders; s++) {
            if (s != asker) {
                assertTrue(picked[s] > 40 && picked[s] < 180, "holder " + s + " picked " + picked[s] + " times");
            }
        }
    }

    @Test
    void fullRegistryRefusesNewEntriesKeepsUpdatingOldOnesAndTakesNewOnesOnceASessionEnds() {
        Registry registry = new Registry(3, Registry.DEFAULT_MAX_BYTES);
        assertNull(registry.announce(peer(1), announce(0, 0)));
        assertNull(registry.announce(peer(1), announce(1, 0)));
        assertNull(registry.announce(peer(2), announce(0, 0)));
        String refused = registry.announce(peer(2), announce(2, 4));
        assertNotNull(refused);
        assertTrue(refused.contains("tracker entries: 3 (expected: < 3"), refused);
        assertFalse(lookup(registry, id(2), null, 10, 9).found(), "the refused stream is not registered");
        assertNull(registry.announce(peer(2), announce(0, 4)), "an update of an entry held is no new entry");
        assertEquals(1, registry.list("", 10).streams().get(0).seeds());
        assertEquals(3, registry.entryCount());
        registry.removeSession(1);
        assertNull(registry.announce(peer(2), announce(2, 4)), "room again once a session ended");
        assertEquals(2, registry.entryCount());
    }

    @Test
    void sessionHoldingsMatchAMapThroughGrowthShrinkingAndDeletions() {
        SessionHoldings h = new SessionHoldings(peer(1), 0);
        Map<Integer, Integer> model = new HashMap<>();
        SplittableRandom random = new SplittableRandom(3);
        for (int op = 0; op < 200_000; op++) {
            // phases of mostly adding then mostly removing, so the table grows and shrinks several times
            boolean adding = (op / 20_000) % 2 == 0 ? random.nextInt(10) < 8 : random.nextInt(10) < 2;
            int stream = random.nextInt(6_000);
            if (adding) {
                int index = random.nextInt(1 << 20);
                h.put(stream, index);
                model.put(stream, index);
            } else {
                Integer was = model.remove(stream);
                assertEquals(was == null ? -1 : was, h.remove(stream));
            }
            assertEquals(model.size(), h.size());
            if (op % 5_000 == 0) {
                for (int s = 0; s < 6_000; s++) {
                    assertEquals(model.getOrDefault(s, -1), h.indexIn(s), "stream " + s + " at op " + op);
                }
            }
        }
    }
}
