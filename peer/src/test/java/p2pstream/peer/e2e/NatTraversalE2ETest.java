package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peers behind home routers, as users have them: a public tracker, and peers on LANs behind NATs made of network
 * namespaces ({@link NetLab}), the built jars run inside them. Each case streams a file across and checks the bytes
 * and how the viewer says it reached the peer.
 */
class NatTraversalE2ETest {
    private static final String INTERNET = "198.18.0";
    private static final int FILE_BYTES = 3 * 1024 * 1024 + 12_345;

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void aViewerBehindAHomeRouterStreamsFromAPublicPeerServer() throws Exception {
        try (NetLab lab = NetLab.open(dir); Processes processes = new Processes()) {
            NetLab.Lan internet = lab.lan("inet", INTERNET);
            NetLab.Host trackerHost = lab.host("trk", internet);
            NetLab.Host serverHost = lab.host("srv", internet);
            NetLab.Lan home = lab.lan("b", "10.77.2");
            lab.nat("natb", internet, home, NetLab.Mapping.ENDPOINT_INDEPENDENT);
            NetLab.Host viewerHost = lab.host("vb", home);

            String tracker = startTracker(processes, trackerHost);
            byte[] file = Processes.randomFile(dir.resolve("share"), "film.bin", FILE_BYTES, 16);
            startPeerServer(processes, serverHost, tracker, "server");

            Path out = dir.resolve("film.out");
            Processes.Ended viewer = processes.runToEnd(viewerHost.wrap(Processes.java("peer-client.jar", tracker,
                    "film.bin", "-o", out.toString(), "--identity", dir.resolve("viewer.key").toString(),
                    "--stats-json", dir.resolve("stats.json").toString())));
            assertEquals(0, viewer.status(), viewer.stderr());
            assertArrayEquals(sha256(file), sha256(Files.readAllBytes(out)), "the file arrived identical");
        }
    }

    private String startTracker(Processes processes, NetLab.Host host) throws IOException {
        int port = processes.startListening(host.wrap(Processes.java("tracker.jar", host.address(), "--port", "0",
                "--identity", dir.resolve("tracker.key").toString()))
                .redirectError(dir.resolve("tracker.log").toFile())).port();
        return host.address() + ":" + port;
    }

    private void startPeerServer(Processes processes, NetLab.Host host, String tracker, String name)
            throws IOException {
        processes.startListening(host.wrap(Processes.java("peer-server.jar", host.address(), "--port", "0",
                "--tracker", tracker, "--dir", dir.resolve("share").toString(),
                "--identity", dir.resolve(name + ".key").toString()))
                .redirectError(dir.resolve(name + ".log").toFile()));
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
