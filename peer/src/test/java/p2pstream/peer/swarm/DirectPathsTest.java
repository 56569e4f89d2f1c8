package p2pstream.peer.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import p2pstream.common.net.Clock;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Role;

class DirectPathsTest {
    private static final long SECOND_NANOS = 1_000_000_000L;
    private static final InetSocketAddress HOLDER = new InetSocketAddress("198.18.0.4", 41021);

    private final DirectPaths<Link> paths = new DirectPaths<>();
    private final List<Link> peers = new ArrayList<>();
    private final List<Link> tries = new ArrayList<>();

    @Test
    void aRelayedLinkTriesForADirectPathAfterAWhileAndOneAtATime() {
        Link relayed = ready(PeerLink.Route.RELAYED);
        paths.tick(0, peers, this::tryFrom);
        assertEquals(0, tries.size(), "not at once: the punch just failed");
        paths.tick((DirectPaths.FIRST_TRY_MILLIS - 1) * 1_000_000, peers, this::tryFrom);
        assertEquals(0, tries.size());
        paths.tick(DirectPaths.FIRST_TRY_MILLIS * 1_000_000, peers, this::tryFrom);
        assertEquals(1, tries.size());
        assertTrue(paths.isTry(tries.get(0)));
        paths.tick(DirectPaths.FIRST_TRY_MILLIS * 1_000_000 + SECOND_NANOS, peers, this::tryFrom);
        assertEquals(1, tries.size(), "one try in flight at a time");
        assertTrue(relayed.isReady());
    }

    @Test
    void aTryThatBecomesReadyReplacesTheRelayedLink() {
        Link relayed = ready(PeerLink.Route.RELAYED);
        paths.tick(0, peers, this::tryFrom);
        long due = DirectPaths.FIRST_TRY_MILLIS * 1_000_000;
        paths.tick(due, peers, this::tryFrom);
        Link attempt = tries.get(0);
        attempt.becomeReady(PeerLink.Route.PUNCHED);

        paths.tick(due + SECOND_NANOS, peers, this::tryFrom);
        assertEquals("moved to a direct path (punched)", relayed.closedWith);
        assertTrue(paths.onClosed(relayed, PeerLink.Phase.READY, due), "not a failure of the holder's address");
        assertFalse(paths.isTry(attempt), "the try is now the link its stream fetches through");
        assertTrue(attempt.isReady());
    }

    @Test
    void aFailedTryWaitsTwiceAsLongBeforeTheNextAndLeavesTheRelayedLinkAlone() {
        Link relayed = ready(PeerLink.Route.RELAYED);
        paths.tick(0, peers, this::tryFrom);
        long due = DirectPaths.FIRST_TRY_MILLIS * 1_000_000;
        paths.tick(due, peers, this::tryFrom);
        Link attempt = tries.get(0);
        peers.remove(attempt);
        assertTrue(paths.onClosed(attempt, PeerLink.Phase.CONNECTING, due + 3 * SECOND_NANOS));

        long failed = due + 3 * SECOND_NANOS;
        paths.tick(failed + (2 * DirectPaths.FIRST_TRY_MILLIS - 1) * 1_000_000, peers, this::tryFrom);
        assertEquals(1, tries.size());
        paths.tick(failed + 2 * DirectPaths.FIRST_TRY_MILLIS * 1_000_000, peers, this::tryFrom);
        assertEquals(2, tries.size(), "the next try, after twice the wait");
        assertTrue(relayed.isReady());
        assertEquals(null, relayed.closedWith);
    }

    @Test
    void linksThatARelayDoesNotCarryAreLeftAlone() {
        ready(PeerLink.Route.PUNCHED);
        ready(PeerLink.Route.DIRECT);
        paths.tick(0, peers, this::tryFrom);
        paths.tick(DirectPaths.MAX_TRY_MILLIS * 1_000_000, peers, this::tryFrom);
        assertEquals(0, tries.size());
        assertFalse(paths.onClosed(peers.get(0), PeerLink.Phase.READY, 0), "an ordinary departure");
    }

    private Link ready(PeerLink.Route route) {
        Link link = new Link();
        link.becomeReady(route);
        peers.add(link);
        return link;
    }

    private Link tryFrom(Link relayed) {
        Link attempt = new Link();
        peers.add(attempt);
        tries.add(attempt);
        return attempt;
    }

    /** A link with no connection: the test sets its phase and route. */
    private static final class Link extends PeerLink {
        private static final Clock CLOCK = () -> 0;
        String closedWith;

        Link() {
            super(HOLDER, new Hello(Role.CLIENT, new PeerId(1, 2), 0, null), CLOCK);
        }

        void becomeReady(Route route) {
            arriving(route, null);
            phase = Phase.READY;
        }

        @Override
        protected int onManifest(byte[] encoded) {
            return 0;
        }

        @Override
        protected void onManifestAccepted() {
        }

        @Override
        protected void onStreamFrame(MessageType t, ByteBuffer payload) {
        }

        @Override
        protected void onClosed(Phase was, String reason) {
            closedWith = reason;
        }
    }
}
