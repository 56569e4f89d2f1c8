package p2pstream.tracker;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.metrics.Scrape;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Welcome;

/** A real tracker with {@code --http} on loopback port 0 for each test, and peers that announce to it. */
@Timeout(60)
abstract class TrackerHttpFixture {
    static final int CHUNK = 256 * 1024;

    Tracker tracker;
    String base;

    @BeforeEach
    void startTracker() throws IOException {
        tracker = Tracker.start(configure(Tracker.Config.loopback()).withHttp(new InetSocketAddress("127.0.0.1", 0)));
        base = TrackerHttp.url(tracker.httpAddress());
    }

    /** The tracker's configuration before {@code --http}; the default one unless a test needs limits. */
    Tracker.Config configure(Tracker.Config config) {
        return config;
    }

    @AfterEach
    void stopTracker() {
        if (tracker != null) {
            tracker.close();
        }
    }

    String metrics() throws IOException, InterruptedException {
        return Scrape.body(base + "metrics");
    }

    double metric(String series) throws IOException, InterruptedException {
        return Scrape.value(metrics(), series);
    }

    /** A session that said HELLO as a peer-server (or, {@code viewer}, as a peer-client) serving on {@code port}. */
    RawClient session(boolean viewer, int port) throws IOException, ProtocolException {
        RawClient c = RawClient.secure(tracker.address());
        c.send(new Hello(viewer ? Role.CLIENT : Role.SERVER, RawClient.PEER_ID, port, null));
        c.expect(MessageType.WELCOME, Welcome::decode);
        return c;
    }

    /** Announces {@code announce} and waits for the registry to have it (a LIST answered after it). */
    static void announce(RawClient c, Announce announce) throws IOException, ProtocolException {
        c.send(announce, new ListStreams("", 1));
        c.expect(MessageType.STREAMS, Streams::decode);
    }

    static Announce file(ContentId id, String name, boolean complete) {
        return new Announce(id, name, 4L * CHUNK, CHUNK, 4, complete ? 4 : 1);
    }

    static Announce live(ContentId id, String name) {
        return new Announce(id, name, -1, CHUNK, 0, 0);
    }

    static ContentId id(int n) {
        return new ContentId(n, n + 1, n + 2, n + 3);
    }
}
