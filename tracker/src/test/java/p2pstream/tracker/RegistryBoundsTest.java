package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * Issue 10 #4, #7, #9: a name's streams ranked by distinct hosts, the registry bounded in bytes with names
 * counted, and a LIST that scans in bounded steps. In-process, single-threaded, as the registry loop runs it.
 */
class RegistryBoundsTest {
    private static final int CHUNK = 256 * 1024;
    private static final ContentId HONEST = new ContentId(1, 1, 1, 1);
    private static final ContentId FAKE = new ContentId(2, 2, 2, 2);

    private static TrackerSession.Peer peer(long session, String host) {
        try {
            return new TrackerSession.Peer(session, new PeerId(session, -session),
                    new InetSocketAddress(InetAddress.getByName(host), 4000 + (int) session));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static Announce seed(ContentId id, String name) {
        return new Announce(id, name, 4L * CHUNK, CHUNK, 4, 4);
    }

    private static ContentId lookupByName(Registry registry, String name) {
        ByteBuffer frame = Frames.encode(registry.lookup(null, name, 50, 999));
        try {
            return Peers.decode(frame.position(Frames.HEADER_BYTES)).contentId();
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void manySessionsFromOneAddressDoNotOutvoteSeedsOnDistinctAddresses() {
        Registry registry = new Registry();
        assertNull(registry.announce(peer(1, "127.0.0.1"), seed(HONEST, "movie.mp4")));
        assertNull(registry.announce(peer(2, "127.0.0.3"), seed(HONEST, "movie.mp4")));
        for (int s = 10; s < 15; s++) {
            assertNull(registry.announce(peer(s, "127.0.0.2"), seed(FAKE, "movie.mp4")));
        }
        assertEquals(HONEST, lookupByName(registry, "movie.mp4"), "2 hosts seeding beat 5 sessions from one host");

        // the honest seeds leave one by one: one host each side is a tie, which the earlier stream keeps
        registry.removeSession(2);
        assertEquals(HONEST, lookupByName(registry, "movie.mp4"));
        registry.removeSession(1);
        assertEquals(FAKE, lookupByName(registry, "movie.mp4"), "with no honest holder left, the other is found");
    }

    @Test
    void distinctHostCountsFollowAnnouncesCompletionWithdrawsAndSessionEnds() {
        Registry registry = new Registry();
        SplittableRandom random = new SplittableRandom(7);
        String[] hosts = {"127.0.0.1", "127.0.0.2", "127.0.0.3"};
        Map<Long, TrackerSession.Peer> peers = new HashMap<>();
        // model: session -> (stream -> complete)
        Map<Long, Map<Integer, Boolean>> held = new HashMap<>();
        for (int op = 0; op < 20_000; op++) {
            long session = 1 + random.nextInt(12);
            TrackerSession.Peer p = peers.computeIfAbsent(session, s -> peer(s, hosts[(int) (s % hosts.length)]));
            int stream = random.nextInt(6);
            ContentId id = new ContentId(9, stream, 9, 9);
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    boolean complete = random.nextBoolean();
                    assertNull(registry.announce(p,
                            new Announce(id, "s/" + stream, 4L * CHUNK, CHUNK, 4, complete ? 4 : 1)));
                    held.computeIfAbsent(session, s -> new HashMap<>()).put(stream, complete);
                }
                case 2 -> {
                    registry.withdraw(session, id);
                    Map<Integer, Boolean> mine = held.get(session);
                    if (mine != null) {
                        mine.remove(stream);
                    }
                }
                default -> {
                    registry.removeSession(session);
                    held.remove(session);
                }
            }
            for (int s = 0; s < 6; s++) {
                Set<String> holding = new HashSet<>();
                Set<String> seeding = new HashSet<>();
                for (Map.Entry<Long, Map<Integer, Boolean>> e : held.entrySet()) {
                    Boolean complete = e.getValue().get(s);
                    if (complete != null) {
                        String host = peers.get(e.getKey()).address().getAddress().getHostAddress();
                        holding.add(host);
                        if (complete) {
                            seeding.add(host);
                        }
                    }
                }
                StreamEntry entry = registry.entry(new ContentId(9, s, 9, 9));
                assertEquals(holding.size(), entry == null ? 0 : entry.hostHolders,
                        "hosts holding stream " + s + " after op " + op);
                assertEquals(seeding.size(), entry == null ? 0 : entry.hostSeeds,
                        "hosts seeding stream " + s + " after op " + op);
            }
        }
    }

    @Test
    void longNamesAreBoundedInBytesNotOnlyInEntries() {
        long maxBytes = 1 << 20;
        Registry registry = new Registry(Registry.DEFAULT_MAX_ENTRIES, maxBytes);
        TrackerSession.Peer p = peer(1, "127.0.0.1");
        String longName = "n".repeat(Wire.MAX_NAME_BYTES - 8);
        int accepted = 0;
        String refused = null;
        for (int i = 0; refused == null; i++) {
            refused = registry.announce(p, seed(new ContentId(5, i, 5, 5), String.format("%07d/", i) + longName));
            if (refused == null) {
                accepted++;
            }
        }
        assertTrue(refused.startsWith("tracker memory: "), refused);
        assertTrue(registry.bytes() <= maxBytes, registry.bytes() + " bytes held");
        assertTrue(registry.isFull());
        long perStream = maxBytes / accepted;
        assertTrue(perStream > Wire.MAX_NAME_BYTES,
                "a long-named stream is counted with its name: " + perStream + " B each");
        assertNotNull(registry.announce(peer(2, "127.0.0.2"), seed(new ContentId(6, 0, 0, 0), "new/" + longName)),
                "a new long-named stream is refused while full");
        registry.removeSession(1);
        assertEquals(0, registry.bytes(), "every byte counted in is counted out");
        assertFalse(registry.isFull());
    }

    @Test
    void aListScansInStepsOfBoundedComparisonsAndFindsTheSameAsOneScan() {
        Registry registry = new Registry();
        TrackerSession.Peer p = peer(1, "127.0.0.1");
        int names = 1000;
        for (int i = 0; i < names; i++) {
            String name = "a".repeat(990) + "-" + i + (i % 100 == 0 ? "b" : "");
            assertNull(registry.announce(p, seed(new ContentId(3, i, 3, 3), name)));
        }
        // -39, -390..-399: a near-miss at every other position, in another case
        String filter = "A".repeat(500) + "-39";
        ListScan scan = new ListScan(filter, 1000);
        int steps = 0;
        while (!registry.step(scan)) {
            steps++;
        }
        assertTrue(steps >= names * 990L / ListScan.STEP_CHARS - 1, "steps " + steps + " for " + names + " names");
        assertEquals(registry.list(filter, 1000), scan.answer());
        assertEquals(11, scan.answer().streams().size(), "-39 and -390..-399");
    }

    @Test
    void theFilterMatchesAsACaseInsensitiveSubstringAsRegionMatchesDoes() {
        SplittableRandom random = new SplittableRandom(3);
        String alphabet = "aAbB\u00e9\u00c9\u0131I\u0130i\u03c3\u03a3\u03c2-";
        for (int round = 0; round < 20_000; round++) {
            String name = randomString(random, alphabet, random.nextInt(12));
            String filter = randomString(random, alphabet, random.nextInt(4));
            boolean expected = false;
            for (int i = 0; i + filter.length() <= name.length() && !expected; i++) {
                expected = name.regionMatches(true, i, filter, 0, filter.length());
            }
            assertEquals(expected, new ListScan(filter, 10).matches(name), "\"" + filter + "\" in \"" + name + "\"");
        }
    }

    private static String randomString(SplittableRandom random, String alphabet, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    @Test
    void aListStepGoesOnAfterTheNamesOfEarlierStepsEvenWhenTheyAreRemoved() {
        Registry registry = new Registry();
        TrackerSession.Peer p = peer(1, "127.0.0.1");
        for (int i = 0; i < 400; i++) {
            assertNull(registry.announce(p,
                    seed(new ContentId(4, i, 4, 4), String.format("%03d-", i) + "z".repeat(1000))));
        }
        ListScan scan = new ListScan("99-" + "z".repeat(500), 1000); // 099, 199, 299, 399
        assertFalse(registry.step(scan), "400 long names take more than one step");
        registry.removeSession(1);
        assertTrue(registry.step(scan));
        int listed = scan.answer().streams().size();
        assertTrue(listed > 0 && listed < 4, listed + " listed: what was removed before its turn is not");
    }
}
