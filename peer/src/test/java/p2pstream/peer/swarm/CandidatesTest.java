package p2pstream.peer.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;

/** Which addresses a stream tries, when, and how often: on made-up times, no network. */
class CandidatesTest {
    private static final long MS = 1_000_000;
    private static final ContentId ID = new ContentId(1, 2, 3, 4);

    private static InetSocketAddress addr(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void aFailedAddressWaitsTheRetryDelayDoubledPerFailureInARowUpToSixteenTimes() {
        Candidates c = new Candidates(2_000);
        long now = 0;
        InetSocketAddress a = addr(1);
        c.add(a);
        assertEquals(a, c.next(now, x -> false));
        for (long wait : new long[] {2_000, 4_000, 8_000, 16_000, 16_000}) {
            c.failed(a, now);
            c.add(a);
            assertNull(c.next(now + (wait - 1) * MS, x -> false), "tried again before " + wait + " ms");
            now += wait * MS;
            assertEquals(a, c.next(now, x -> false), "tried again after " + wait + " ms");
        }
        c.delivered(a); // a verified chunk: the back-off starts afresh
        c.failed(a, now);
        c.add(a);
        assertEquals(a, c.next(now + 2_000 * MS, x -> false));
    }

    @Test
    void theTrackersWordOnHowEachHolderIsReachedIsKeptAndTheLatestAnswerWins() {
        Candidates c = new Candidates(2_000);
        PeerId id = new PeerId(5, 6);
        c.addAll(new Peers(ID, "x", 1, 16_384, List.of(new Peers.Entry(addr(1), id, true, false, false),
                new Peers.Entry(addr(2), id, true, true, true), new Peers.Entry(addr(3), id, true))), ID);
        assertFalse(c.reachable(addr(1)), "behind a NAT: the tracker must arrange it");
        assertTrue(c.reachable(addr(2)) && c.mapped(addr(2)), "its router maps a port: dialed, said mapped");
        assertTrue(c.reachable(addr(3)) && !c.mapped(addr(3)));
        c.addAll(new Peers(ID, "x", 1, 16_384, List.of(new Peers.Entry(addr(1), id, true))), ID);
        assertTrue(c.reachable(addr(1)), "a later answer found it reachable");
    }

    @Test
    void addressesOnTheLanAreTriedBeforeTheOthersWhateverTheOrderTheyCameIn() {
        LocalNetworks lan = new LocalNetworks(List.of(LocalNetworks.Prefix.parse("10.77.1.0/24")));
        Candidates c = new Candidates(2_000, lan);
        InetSocketAddress far1 = new InetSocketAddress("198.18.0.3", 4000);
        InetSocketAddress far2 = new InetSocketAddress("198.18.0.4", 4000);
        InetSocketAddress near1 = new InetSocketAddress("10.77.1.3", 4000);
        InetSocketAddress near2 = new InetSocketAddress("10.77.1.4", 4000);
        Peers found = new Peers(ID, "film", 1, 16_384, List.of(new Peers.Entry(far1, PeerId.random(), true),
                new Peers.Entry(near1, PeerId.random(), false), new Peers.Entry(far2, PeerId.random(), true)));
        c.addAll(found, ID);
        c.add(near2);
        assertTrue(c.isLocal(near1));
        assertFalse(c.isLocal(far1));
        Set<InetSocketAddress> first = Set.of(c.next(0, x -> false), c.next(0, x -> false));
        assertEquals(Set.of(near1, near2), first, "both LAN peers before any other");
        assertEquals(Set.of(far1, far2), Set.of(c.next(0, x -> false), c.next(0, x -> false)));
        assertNull(c.next(0, x -> false));

        c.failed(near1, 0); // a LAN peer that failed waits its back-off; the far ones are tried meanwhile
        c.add(near1);
        c.add(far1);
        assertEquals(far1, c.next(1, x -> false));
        assertEquals(near1, c.next(2_000 * MS, x -> false));
    }

    @Test
    void aBannedAddressIsNeverTriedAgain() {
        Candidates c = new Candidates(2_000);
        c.add(addr(1));
        assertTrue(c.ban(addr(1)));
        assertFalse(c.ban(addr(1)), "banned already");
        c.add(addr(1));
        assertNull(c.next(0, x -> false));
        assertEquals(1, c.bannedCount());
    }

    @Test
    void attemptsAreABurstThenARatePerSecondAcrossAllAddresses() {
        Candidates c = new Candidates(2_000);
        for (int i = 0; i < 100; i++) {
            c.add(addr(1000 + i));
        }
        int burst = 0;
        while (c.next(0, x -> false) != null) {
            burst++;
        }
        assertEquals(Candidates.ATTEMPT_BURST, burst);
        int inASecond = 0;
        for (long t = 50; t <= 1_000; t += 50) { // a token every 50 ms at 20 a second
            while (c.next(t * MS, x -> false) != null) {
                inASecond++;
            }
        }
        assertEquals(Candidates.ATTEMPTS_PER_SECOND, inASecond, "attempts in the next second");
        assertEquals(Candidates.ATTEMPT_BURST + Candidates.ATTEMPTS_PER_SECOND, c.attempts());
    }

    @Test
    void aTrackerAnswerAddsAtMostWhatWasAskedForInRandomOrderAndOnlyForThisStream() {
        List<Peers.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            entries.add(new Peers.Entry(addr(2000 + i), PeerId.random(), true));
        }
        Candidates other = new Candidates(2_000);
        other.addAll(new Peers(new ContentId(9, 9, 9, 9), "x", 1, 1, entries), ID);
        assertNull(other.next(0, x -> false), "an answer about another stream adds nothing");

        Candidates c = new Candidates(2_000);
        c.addAll(new Peers(ID, "x", 1, 1, entries), ID);
        Set<InetSocketAddress> tried = new HashSet<>();
        List<InetSocketAddress> order = new ArrayList<>();
        for (long t = 0; t < 10_000; t += 100) {
            for (InetSocketAddress a; (a = c.next(t * MS, x -> false)) != null; ) {
                tried.add(a);
                order.add(a);
            }
        }
        assertEquals(Swarm.LOOKUP_PEERS, tried.size(), "no more than a lookup asks for");
        assertTrue(tried.stream().allMatch(a -> a.getPort() < 2000 + Swarm.LOOKUP_PEERS),
                "the first ones of the answer");
        assertFalse(order.equals(order.stream().sorted((x, y) -> x.getPort() - y.getPort()).toList()),
                "in random order");
    }

    @Test
    void aConnectedAddressIsSkippedAndTheQueueIsBounded() {
        Candidates c = new Candidates(2_000);
        for (int i = 0; i < Candidates.MAX_QUEUED + 50; i++) {
            c.add(addr(3000 + i));
        }
        c.add(addr(3000)); // queued already
        int queued = 0;
        for (long t = 0; t < 20_000; t += 100) {
            while (c.next(t * MS, a -> a.getPort() == 3001) != null) {
                queued++;
            }
        }
        assertEquals(Candidates.MAX_QUEUED - 1, queued, "at most MAX_QUEUED, each once, the connected one skipped");
    }
}
