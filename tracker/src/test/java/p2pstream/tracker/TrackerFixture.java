package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.wire.ErrorCode.AUTHENTICATION;
import static p2pstream.common.wire.ErrorCode.BAD_HELLO;
import static p2pstream.common.wire.ErrorCode.BAD_NAME;
import static p2pstream.common.wire.ErrorCode.FRAME_TOO_LARGE;
import static p2pstream.common.wire.ErrorCode.MALFORMED;
import static p2pstream.common.wire.ErrorCode.OUT_OF_RANGE;
import static p2pstream.common.wire.ErrorCode.UNEXPECTED;
import static p2pstream.common.wire.ErrorCode.UNKNOWN_TYPE;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Welcome;

/**
 * A real tracker on loopback for each test, the streams the tests announce, and the checks every adversarial
 * tracker test ends with: no connection or registry entry leaks, and well-behaved sessions still work.
 */
abstract class TrackerFixture {
    static final int CHUNK = 256 * 1024;
    static final long SIZE = 4L * CHUNK;
    static final ContentId ID = new ContentId(0x1111, 0x2222, 0x3333, 0x4444);
    static final ContentId OTHER_ID = new ContentId(-1, -2, -3, -4);
    /** Announced by the bad-input cases that announce something valid first; never conflicts with ID. */
    static final ContentId CASE_ID = new ContentId(5, 6, 7, 8);
    static final int LISTEN_PORT = 4000;
    /** The codes a tracker may answer bad input with; INTERNAL would mean an unhandled exception. */
    static final Set<ErrorCode> INPUT_ERRORS = EnumSet.of(MALFORMED, FRAME_TOO_LARGE, UNKNOWN_TYPE,
            BAD_HELLO, UNEXPECTED, BAD_NAME, OUT_OF_RANGE, AUTHENTICATION);

    Tracker tracker;

    @BeforeEach
    void start() throws IOException {
        tracker = Tracker.start(Tracker.Config.loopback());
    }

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
    }

    static Announce announce(ContentId id, String name) {
        return new Announce(id, name, SIZE, CHUNK, 4, 4);
    }

    static Hello hello(int port) {
        return new Hello(Role.CLIENT, RawClient.PEER_ID, port, null);
    }

    /**
     * HELLO with {@code listenPort}, ANNOUNCE of ID as dir/movie.mp4, then a LIST whose answer shows the
     * announcement has been registered.
     */
    static Streams announceMovie(RawClient c, int listenPort) throws IOException, ProtocolException {
        c.trackerHello(listenPort);
        c.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
        return c.expect(MessageType.STREAMS, Streams::decode);
    }

    RawClient connect() throws IOException {
        return RawClient.secure(tracker.address());
    }

    /** Runs the bad input on a fresh connection, then checks it left no connection and no entry behind. */
    void assertAnsweredLeavingNothingBehind(BadInput badInput) throws Exception {
        try (RawClient c = connect()) {
            badInput.sendAndCheck(c);
        }
        awaitNoConnectionsAndNoEntries();
    }

    /** Sends random bytes (after a good HELLO when asked) and reads until the tracker closes. */
    RawClient.Ending sendRandom(byte[] bytes, boolean helloFirst) throws Exception {
        try (RawClient c = connect()) {
            if (helloFirst) {
                c.trackerHello(LISTEN_PORT);
            }
            return c.sendGarbageUntilClosed(bytes);
        }
    }

    void awaitNoConnectionsAndNoEntries() {
        await("all connections closed (now " + tracker.connectionCount() + ")", () -> tracker.connectionCount() == 0);
        await("no registry entries left", () -> tracker.entryCount() == 0);
        assertEquals(0, tracker.streamCount());
    }

    /**
     * A well-behaved session announces, a second one finds it, the connection count is exactly the good
     * sessions, and when the announcer leaves its entries go.
     */
    void assertGoodSessionsWork() throws Exception {
        try (RawClient asker = connect()) {
            RawClient seed = connect();
            Welcome w = seed.trackerHello(LISTEN_PORT);
            assertEquals(LISTEN_PORT, w.observedAddress().getPort());
            seed.send(announce(ID, "dir/movie.mp4"), new ListStreams("", 10));
            Streams listed = seed.expect(MessageType.STREAMS, Streams::decode);
            assertEquals(List.of("dir/movie.mp4"), listed.streams().stream().map(Streams.Entry::name).toList());
            asker.trackerHello(0);
            asker.send(Lookup.byContentId(ID, 10));
            Peers p = asker.expect(MessageType.PEERS, Peers::decode);
            assertTrue(p.found(), "the good seed is found");
            assertEquals("dir/movie.mp4", p.name());
            assertEquals(1, p.peers().size());
            Peers.Entry e = p.peers().get(0);
            assertEquals(seed.peerId, e.peerId());
            assertEquals(new InetSocketAddress("127.0.0.1", LISTEN_PORT), e.address());
            assertTrue(e.complete());
            await("exactly the two good sessions connected", () -> tracker.connectionCount() == 2);
            assertEquals(1, tracker.entryCount());
            seed.close();
            await("the closed session's entries removed", () -> tracker.entryCount() == 0);
            await("one good session connected", () -> tracker.connectionCount() == 1);
            asker.send(Lookup.byContentId(ID, 10));
            assertFalse(asker.expect(MessageType.PEERS, Peers::decode).found());
        }
        await("no connections", () -> tracker.connectionCount() == 0);
    }
}
