package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.cli.Cli;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.DatagramEndpoint;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Beacon;
import p2pstream.common.wire.PeerId;
import p2pstream.peer.server.PeerServerMain;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.tracker.Tracker;

/**
 * {@code --discover} on the command line, with the query sent by unicast to loopback beacons ({@code --beacon-to}):
 * no multicast leaves a test. The LAN's group is the end-to-end test's (LanDiscoveryE2ETest).
 */
@Timeout(60)
class DiscoverTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    @Test
    void findsTheTrackerByItsBeaconPinnedToTheIdItGave() throws Exception {
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback())) {
            InetSocketAddress beacon = tracker.startBeacon(LOOPBACK, List.of());
            Run r = client("--discover", "--beacon-to", Acceptor.hostPort(beacon), "--list");
            String named = Acceptor.hostPort(tracker.address()) + "#" + tracker.peerId().text();
            assertEquals(0, r.status(), r.err());
            assertTrue(r.err().contains("tracker on the LAN: " + named + "\nusing tracker " + named), r.err());
        }
    }

    @Test
    void withoutTrackerListAndTheGatewayDiscoverItToo() throws Exception {
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback())) {
            String to = Acceptor.hostPort(tracker.startBeacon(LOOPBACK, List.of()));
            Run r = client("--list", "--json", "--beacon-to", to);
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("\"streams\": ["), r.out());
            assertTrue(r.err().contains("using tracker " + Acceptor.hostPort(tracker.address())), r.err());
        }
        try (DatagramChannel silent = DatagramChannel.open().bind(LOOPBACK)) {
            Run r = client("--http", "0", "--beacon-to",
                    Acceptor.hostPort((InetSocketAddress) silent.getLocalAddress()));
            assertEquals(StreamFailure.NO_TRACKER, r.status(), r.err());
        }
    }

    @Test
    void noAnswerIsItsOwnExitStatusAfterTwoQueries() throws Exception {
        try (DatagramChannel silent = DatagramChannel.open().bind(LOOPBACK)) {
            String to = Acceptor.hostPort((InetSocketAddress) silent.getLocalAddress());
            Run r = client("--discover", "film.bin", "-o", dir.resolve("film.out").toString(), "--beacon-to", to);
            assertEquals(StreamFailure.NO_TRACKER, r.status(), r.err());
            assertTrue(r.err().contains("peer-client: no tracker answered on the LAN (UDP 239.255.20.45:2045, 2"
                    + " queries in 2 s) (expected: a tracker on this LAN with its beacon on"), r.err());
            assertFalse(Files.exists(dir.resolve("film.out")), "nothing fetched, no file left");
            Run server = run(new PeerServerMain(), "127.0.0.1", "--port", "0", "--dir", dir.toString(), "--discover",
                    "--beacon-to", to, "--identity", dir.resolve("server.key").toString());
            assertEquals(StreamFailure.NO_TRACKER, server.status(), server.err());
            assertTrue(server.err().contains("peer-server: no tracker answered on the LAN"), server.err());
        }
    }

    @Test
    void aBeaconThatGivesAnotherIdThanTheTrackerProvesEndsWithStatus6() throws Exception {
        PeerId liar = PeerId.random();
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             EventLoop loop = new EventLoop("fake-beacon").start()) {
            InetSocketAddress fake = fakeBeacon(loop, liar, tracker.address());
            Run r = client("--discover", "--beacon-to", Acceptor.hostPort(fake), "--list");
            assertEquals(StreamFailure.TRACKER_IDENTITY, r.status(), r.err());
            assertTrue(r.err().contains("using tracker " + Acceptor.hostPort(tracker.address()) + "#" + liar.text()),
                    r.err());
            assertTrue(r.err().contains("proved peer id " + tracker.peerId().text()), r.err());
        }
    }

    @Test
    void ofSeveralTrackersTheIdNamedIsUsedAndWithoutOneNone() throws Exception {
        try (Tracker first = Tracker.start(Tracker.Config.loopback());
             Tracker second = Tracker.start(Tracker.Config.loopback())) {
            String to1 = Acceptor.hostPort(first.startBeacon(LOOPBACK, List.of()));
            String to2 = Acceptor.hostPort(second.startBeacon(LOOPBACK, List.of()));
            Run r = client("--discover", "--beacon-to", to1, "--beacon-to", to2, "--list");
            assertEquals(StreamFailure.NO_TRACKER, r.status(), r.err());
            assertTrue(r.err().contains("several trackers answered on the LAN: "), r.err());
            assertTrue(r.err().contains("(expected: one; choose with --tracker-id ID)"), r.err());
            r = client("--discover", "--beacon-to", to1, "--beacon-to", to2, "--list", "--tracker-id",
                    second.peerId().text());
            assertEquals(0, r.status(), r.err());
            assertTrue(r.err().contains("using tracker " + Acceptor.hostPort(second.address()) + "#"
                    + second.peerId().text()), r.err());
            r = client("--discover", "--beacon-to", to1, "--list", "--tracker-id", second.peerId().text());
            assertEquals(StreamFailure.NO_TRACKER, r.status(), r.err());
            assertTrue(r.err().contains("no tracker with id " + second.peerId().text() + " answered on the LAN"),
                    r.err());
        }
    }

    @Test
    void usageErrorsComeBeforeAnyQuery() {
        Run r = client("127.0.0.1", "film.bin", "--discover");
        assertEquals(Cli.USAGE, r.status());
        assertTrue(r.err().contains("TRACKER: 127.0.0.1 with --discover (expected: one of them; with --discover the"
                + " one argument is the STREAM)"), r.err());
        r = client("127.0.0.1", "film.bin", "--beacon-to", "127.0.0.1");
        assertTrue(r.err().contains("--beacon-to: without --discover"), r.err());
        r = client("--beacon-to", "127.0.0.1", "-o", "x");
        assertEquals(Cli.USAGE, r.status());
        assertTrue(r.err().contains("TRACKER: missing (expected: HOST[:PORT], --discover to find it on the LAN"),
                r.err());
        r = client("--discover");
        assertEquals(Cli.USAGE, r.status());
        assertTrue(r.err().contains("STREAM: missing"), r.err());
        r = run(new PeerServerMain(), "127.0.0.1", "--discover", "--tracker", "127.0.0.1", "--dir", dir.toString());
        assertEquals(Cli.USAGE, r.status());
        assertTrue(r.err().contains("--tracker: with --discover (expected: one of them)"), r.err());
    }

    /** A beacon that answers every query naming {@code tracker} with the id {@code claimed}. */
    private static InetSocketAddress fakeBeacon(EventLoop loop, PeerId claimed, InetSocketAddress tracker)
            throws Exception {
        CompletableFuture<DatagramEndpoint> endpoint = new CompletableFuture<>();
        DatagramChannel channel = DatagramChannel.open().bind(LOOPBACK);
        loop.execute(() -> {
            try {
                DatagramEndpoint[] self = new DatagramEndpoint[1];
                self[0] = loop.register(channel, Beacon.QUERY_BYTES, (datagram, from) -> {
                    try {
                        long nonce = Beacon.decodeQuery(datagram).nonce();
                        self[0].send(new Beacon.Answer(nonce, claimed, tracker.getAddress(), tracker.getPort())
                                .encode(), from);
                    } catch (Exception e) {
                        // not a query: no answer
                    }
                });
                endpoint.complete(self[0]);
            } catch (Exception e) {
                endpoint.completeExceptionally(e);
            }
        });
        return endpoint.get(10, TimeUnit.SECONDS).localAddress();
    }

    private Run client(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--identity";
        all[args.length + 1] = dir.resolve("client.key").toString();
        return run(new PeerClientMain(), all);
    }

    private static Run run(Callable<Integer> command, String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = Cli.run(command, args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }
}
