package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.ManifestCache;
import p2pstream.peer.swarm.Swarm;
import p2pstream.tracker.Tracker;

/** A tracker cannot aim a viewer at other hosts: addresses that do not speak the protocol are tried once. */
class LyingTrackerAddressesTest {
    private static final int HTTP_SERVERS = 199;

    @TempDir
    Path dir;

    @HostileCase(value = "Tracker names 199 HTTP servers and one real seed in every PEERS answer (fake tracker)",
            expect = "each non-p2pstream address is tried once and never again; the download completes identical"
                    + " from the seed", section = HostileCase.FLOODS)
    @Timeout(90)
    void addressesThatAnswerAnotherProtocolAreNeverRetried(Trial trial) throws Exception {
        Path root = Files.createDirectories(dir.resolve("shared"));
        int size = 16 << 20;
        Path source = TestSwarm.randomFile(root, "s.bin", size, 31);
        Manifest m = ManifestCache.compute("s.bin", source, Manifest.chunkSizeFor(size));
        List<ServerSocket> http = new ArrayList<>();
        List<AtomicInteger> accepts = new ArrayList<>();
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             // capped, so the download lasts several lookups: long enough for a viewer to retry what it should not
             PeerServer seed = PeerServer.start(PeerServer.Config.loopback(tracker.address(), root)
                     .withUploadLimit(4_000_000))) {
            seed.announced().get(10, TimeUnit.SECONDS);
            List<Peers.Entry> entries = new ArrayList<>();
            for (int i = 0; i < HTTP_SERVERS; i++) {
                ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                AtomicInteger n = new AtomicInteger();
                http.add(s);
                accepts.add(n);
                Thread t = new Thread(() -> answerHttp(s, n), "http-" + i);
                t.setDaemon(true);
                t.start();
                entries.add(new Peers.Entry(new InetSocketAddress(s.getInetAddress(), s.getLocalPort()),
                        PeerId.random(), true));
            }
            entries.add(40, new Peers.Entry(seed.address(), seed.peerId(), true)); // within the 50 a viewer asks for
            Peers answer = new Peers(m.contentId(), "s.bin", size, m.chunkSize(), entries);
            try (FakeTracker liar = new FakeTracker(lookup -> answer)) {
                Path out = dir.resolve("out.bin");
                Stats stats = TestSwarm.download(Watch.Config.of(liar.address(), "s.bin"), out);
                assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
                int max = accepts.stream().mapToInt(AtomicInteger::get).max().orElse(0);
                int total = accepts.stream().mapToInt(AtomicInteger::get).sum();
                assertTrue(liar.lookups.get() > 1, "one lookup only: the viewer had no chance to retry anything");
                assertTrue(max <= 1, "an HTTP server was connected to " + max + " times (expected: once at most)");
                assertTrue(total <= Swarm.LOOKUP_PEERS, total + " HTTP servers tried (expected: at most the "
                        + Swarm.LOOKUP_PEERS + " peers a lookup asks for)");
                trial.record("connections to the 199 HTTP servers", total);
                trial.record("lookups answered during the download", liar.lookups.get());
                trial.record("seconds to complete", stats.millis() / 1000.0);
            }
        } finally {
            for (ServerSocket s : http) {
                s.close();
            }
        }
    }

    private static void answerHttp(ServerSocket server, AtomicInteger accepts) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                accepts.incrementAndGet();
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                s.getInputStream().read(new byte[512]); // until the viewer gives up on us
            } catch (IOException e) {
                // the viewer closed, or the test ended
            }
        }
    }
}
