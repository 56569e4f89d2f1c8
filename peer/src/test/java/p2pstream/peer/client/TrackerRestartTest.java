package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.Await;
import p2pstream.peer.server.PeerServer;
import p2pstream.tracker.Tracker;

/** A tracker keeps no state on disk: after a restart the peer-servers must register again on their own. */
class TrackerRestartTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void peerServerAnnouncesAgainAfterTheTrackerRestarts() throws Exception {
        Path media = Files.createDirectories(dir.resolve("media"));
        Path source = TestSwarm.randomFile(media, "clip.bin", 2 * 1024 * 1024, 5);
        Tracker first = Tracker.start(Tracker.Config.loopback());
        InetSocketAddress address = first.address();
        try (PeerServer server = PeerServer.start(PeerServer.Config.loopback(address, media))) {
            server.announced().get(10, TimeUnit.SECONDS);
            assertEquals(1, first.streamCount());
            first.close();

            // the same address, as an operator restarting the tracker would use
            try (Tracker second = Tracker.start(new Tracker.Config(address, 2, 10_000, 60_000))) {
                Await.await("the peer-server announcing to the restarted tracker", 30_000,
                        () -> second.streamCount() > 0);
                assertEquals(1, second.streamCount(), "the peer-server did not announce to the restarted tracker");

                Path out = dir.resolve("out.bin");
                TestSwarm.download(Watch.Config.of(address, "clip.bin"), out);
                assertEquals(TestSwarm.sha256(source), TestSwarm.sha256(out));
            }
        }
    }
}
