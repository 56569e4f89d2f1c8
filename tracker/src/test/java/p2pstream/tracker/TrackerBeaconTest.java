package p2pstream.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.wire.Beacon;
import p2pstream.common.wire.ProtocolException;

/**
 * A tracker's LAN beacon over loopback unicast (no multicast leaves a test): its answer, what it does not answer,
 * and how little a flood of queries gets back.
 */
@Timeout(30)
class TrackerBeaconTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void answersAQueryWithTheTrackersAddressPortAndId() throws Exception {
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             DatagramSocket client = client()) {
            InetSocketAddress beacon = tracker.startBeacon(LOOPBACK, List.of());
            send(client, new Beacon.Query(42).encode(), beacon);
            DatagramPacket packet = receive(client);
            assertTrue(packet.getLength() <= Beacon.QUERY_BYTES, "never larger than the query");
            Beacon.Answer answer = decode(packet);
            assertEquals(42, answer.nonce());
            assertEquals(tracker.peerId(), answer.trackerId());
            assertEquals(tracker.address(), answer.tracker((InetSocketAddress) packet.getSocketAddress()));
            assertEquals(tracker.address().getAddress(), answer.address(), "bound to one address: it says which");
        }
    }

    @Test
    void aTrackerOnEveryAddressLetsTheAnswersSourceSayWhere() throws Exception {
        try (Tracker tracker = Tracker.start(new Tracker.Config(new InetSocketAddress(0), 1, 100, 60_000));
             DatagramSocket client = client()) {
            InetSocketAddress beacon = tracker.startBeacon(LOOPBACK, List.of());
            send(client, new Beacon.Query(7).encode(), beacon);
            DatagramPacket packet = receive(client);
            Beacon.Answer answer = decode(packet);
            assertNull(answer.address());
            assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), tracker.address().getPort()),
                    answer.tracker((InetSocketAddress) packet.getSocketAddress()));
        }
    }

    @Test
    void anythingButAQueryGetsNoAnswerAndTheBeaconGoesOn() throws Exception {
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             DatagramSocket client = client()) {
            InetSocketAddress beacon = tracker.startBeacon(LOOPBACK, List.of());
            ByteBuffer longer = ByteBuffer.allocate(Beacon.QUERY_BYTES + 1).put(new Beacon.Query(1).encode()).clear();
            ByteBuffer answer = new Beacon.Answer(2, tracker.peerId(), null, 1).encode();
            ByteBuffer frame = ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 4}); // a PING frame
            for (ByteBuffer bad : List.of(longer, answer, frame, ByteBuffer.allocate(0), ByteBuffer.allocate(9_000))) {
                send(client, bad, beacon);
            }
            send(client, new Beacon.Query(3).encode(), beacon);
            assertEquals(3, decode(receive(client)).nonce(), "the first answer is the good query's");
            String text = metrics(tracker);
            assertTrue(text.contains("p2pstream_tracker_beacon_queries_total{outcome=\"answered\"} 1\n"), text);
            assertTrue(text.contains("p2pstream_tracker_beacon_queries_total{outcome=\"malformed\"} 5\n"), text);
            assertTrue(text.contains("p2pstream_tracker_beacon_queries_total{outcome=\"limited\"} 0\n"), text);
        }
    }

    @Test
    void aFloodOfQueriesGetsAFewAnswersASecond() throws Exception {
        int queries = 300;
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             DatagramSocket client = client()) {
            InetSocketAddress beacon = tracker.startBeacon(LOOPBACK, List.of());
            long start = System.nanoTime();
            for (int i = 0; i < queries; i++) {
                send(client, new Beacon.Query(i).encode(), beacon);
            }
            int answers = 0;
            client.setSoTimeout(1_500);
            try {
                while (true) {
                    receive(client);
                    answers++;
                }
            } catch (SocketTimeoutException e) {
                // no more answers: the flood is over
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            // whatever the speed of this machine: one source's share of each one-second window the flood touched
            assertTrue(answers >= 1 && answers <= BeaconLimit.ANSWERS_PER_SOURCE_PER_SECOND * (seconds + 2),
                    answers + " answers to " + queries + " queries in " + seconds + " s");
        }
    }

    @Test
    void theCommandLineRefusesAnUnknownInterfaceAndBothBeaconOptions() {
        String err = TrackerCommandTest.run("127.0.0.1", "--port", "0", "--beacon-interface", "nosuch9");
        assertTrue(err.contains("--beacon-interface: nosuch9 (expected: an interface that is up, can multicast and"
                + " has an IPv4 address"), err);
        err = TrackerCommandTest.run("127.0.0.1", "--port", "0", "--no-beacon", "--beacon-interface", "eth0");
        assertTrue(err.contains("--beacon-interface: with --no-beacon (expected: one of them)"), err);
    }

    @Test
    void startsOnce() throws Exception {
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback())) {
            tracker.startBeacon(LOOPBACK, List.of());
            assertThrows(IllegalStateException.class, () -> tracker.startBeacon(LOOPBACK, List.of()));
        }
    }

    private static String metrics(Tracker tracker) throws Exception {
        CompletableFuture<String> text = new CompletableFuture<>();
        tracker.registryLoop().execute(() -> text.complete(tracker.metrics().text()));
        return text.get(10, TimeUnit.SECONDS);
    }

    private static DatagramSocket client() throws IOException {
        DatagramSocket s = new DatagramSocket(LOOPBACK);
        s.setSoTimeout(10_000);
        return s;
    }

    private static void send(DatagramSocket client, ByteBuffer datagram, InetSocketAddress to) throws IOException {
        byte[] bytes = new byte[datagram.remaining()];
        datagram.get(bytes);
        client.send(new DatagramPacket(bytes, bytes.length, to));
    }

    private static DatagramPacket receive(DatagramSocket client) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[128], 128);
        client.receive(p);
        return p;
    }

    private static Beacon.Answer decode(DatagramPacket p) throws ProtocolException {
        return Beacon.decodeAnswer(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
    }
}
