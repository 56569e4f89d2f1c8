package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.wire.PeerId;

/**
 * Finding the tracker on the LAN by its beacon, and LAN peers first, on LANs made of network namespaces
 * ({@link NetLab}) with the built jars: no address is typed on LAN A, a host behind another NAT hears no beacon, and a
 * beacon that gives another id than the tracker proves ends the client with status 6. Multicast stays inside the
 * lab's LANs: nothing here runs in the machine's own namespace but the test. Tagged {@code netns}, with the other
 * tests in namespaces ({@code make test-net} once main's split is merged; everywhere before it).
 */
@Tag("netns")
class LanDiscoveryE2ETest {
    private static final String INTERNET = "198.18.0";
    private static final int FILE_BYTES = 3 * 1024 * 1024 + 12_345;
    private static final int TRACKER_PORT = 2045;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path dir;

    /**
     * LAN A, behind home router A: the tracker (also on the internet, as a home server with a public interface might
     * be), two viewers; a peer-server on the internet. The first viewer fetches from the server and keeps serving
     * while it plays slowly; the second, allowed one peer, picks the first viewer (on its LAN) over the server.
     */
    @Test
    @Timeout(300)
    void viewersOnALanFindTheTrackerWithoutAnAddressAndFetchFromEachOtherFirst() throws Exception {
        try (NetLab lab = NetLab.open(dir); Processes processes = new Processes()) {
            NetLab.Lan internet = lab.lan("inet", INTERNET);
            NetLab.Host serverHost = lab.host("srv", internet);
            NetLab.Lan lanA = lab.lan("a", "10.77.1");
            lab.nat("nata", internet, lanA, NetLab.Mapping.ENDPOINT_INDEPENDENT);
            NetLab.Host trackerHost = lab.host("trk", lanA);
            String trackerPublic = trackerHost.attach(internet);
            NetLab.Host first = lab.host("va1", lanA);
            NetLab.Host second = lab.host("va2", lanA);
            NetLab.Lan lanB = lab.lan("b", "10.77.2");
            lab.nat("natb", internet, lanB, NetLab.Mapping.ENDPOINT_INDEPENDENT);
            NetLab.Host elsewhere = lab.host("vb", lanB);

            // on every address, as a user starts it: its default port is free in a namespace of its own
            processes.startListening(trackerHost.wrap(Processes.java("tracker.jar", "0.0.0.0", "--beacon-interface",
                    "eth0", "--identity", dir.resolve("tracker.key").toString()))
                    .redirectError(dir.resolve("tracker.log").toFile()));
            int trackerPort = TRACKER_PORT;
            byte[] file = Processes.randomFile(dir.resolve("share"), "film.bin", FILE_BYTES, 16);
            processes.startListening(serverHost.wrap(Processes.java("peer-server.jar", serverHost.address(), "--port",
                    "0", "--tracker", trackerPublic + ":" + trackerPort, "--dir", dir.resolve("share").toString(),
                    "--identity", dir.resolve("server.key").toString()))
                    .redirectError(dir.resolve("server.log").toFile()));
            String lanTracker = trackerHost.address() + ":" + trackerPort;
            awaitCompletePeers(processes, second, lanTracker, 1);

            // the first viewer: no tracker typed; it plays at 1 Mbit/s (25 s) and serves meanwhile
            Path out1 = dir.resolve("first.out");
            Process viewer1 = processes.start(first.wrap(Processes.java("peer-client.jar", "--discover", "film.bin",
                    "-o", out1.toString(), "--rate", "1Mbit/s", "--identity", dir.resolve("first.key").toString(),
                    "--stats-json", dir.resolve("first.json").toString()))
                    .redirectOutput(dir.resolve("first.stdout").toFile())
                    .redirectError(dir.resolve("first.log").toFile()));
            awaitCompletePeers(processes, second, lanTracker, 2);

            Path out2 = dir.resolve("second.out");
            Processes.Ended viewer2 = processes.runToEnd(second.wrap(Processes.java("peer-client.jar", "--discover",
                    "film.bin", "-o", out2.toString(), "--peers", "1", "--identity",
                    dir.resolve("second.key").toString(), "--stats-json", dir.resolve("second.json").toString())));
            assertEquals(0, viewer2.status(), viewer2.stderr());
            assertTrue(viewer2.stderr().contains("tracker on the LAN: " + lanTracker + "#"), viewer2.stderr());
            assertArrayEquals(sha256(file), sha256(Files.readAllBytes(out2)), "the file arrived identical");
            String stats = Files.readString(dir.resolve("second.json"));
            assertEquals(FILE_BYTES, bytesFrom(stats, first.address()), "every byte from the viewer on the LAN: "
                    + stats);
            assertEquals(0, bytesFrom(stats, serverHost.address()), "none from across the router: " + stats);

            assertTrue(viewer1.waitFor(120, TimeUnit.SECONDS), "the first viewer played to its end");
            assertEquals(0, viewer1.exitValue(), Files.readString(dir.resolve("first.log")));
            assertArrayEquals(sha256(file), sha256(Files.readAllBytes(out1)));
            String firstLog = Files.readString(dir.resolve("first.log"));
            assertTrue(firstLog.contains("using tracker " + lanTracker + "#"), firstLog);

            // behind another router, the beacon is not heard
            Processes.Ended away = processes.runToEnd(elsewhere.wrap(Processes.java("peer-client.jar", "--discover",
                    "film.bin", "-o", dir.resolve("away.out").toString(), "--identity",
                    dir.resolve("away.key").toString())));
            assertEquals(8, away.status(), away.stderr());
            assertTrue(away.stderr().contains("no tracker answered on the LAN"), away.stderr());
        }
    }

    /** On LAN D nobody types an address: the peer-server and the viewer both find the tracker by its beacon. */
    @Test
    @Timeout(180)
    void aPeerServerFindsTheTrackerByItsBeaconToo() throws Exception {
        try (NetLab lab = NetLab.open(dir); Processes processes = new Processes()) {
            NetLab.Lan lanD = lab.lan("d", "10.77.4");
            NetLab.Host trackerHost = lab.host("trk", lanD);
            NetLab.Host serverHost = lab.host("srv", lanD);
            NetLab.Host viewer = lab.host("vd", lanD);
            processes.startListening(trackerHost.wrap(Processes.java("tracker.jar", trackerHost.address(),
                    "--identity", dir.resolve("tracker.key").toString()))
                    .redirectError(dir.resolve("tracker.log").toFile()));
            byte[] file = Processes.randomFile(dir.resolve("share"), "film.bin", FILE_BYTES, 17);
            processes.startListening(serverHost.wrap(Processes.java("peer-server.jar", serverHost.address(), "--port",
                    "0", "--discover", "--dir", dir.resolve("share").toString(), "--identity",
                    dir.resolve("server.key").toString())).redirectError(dir.resolve("server.log").toFile()));
            String tracker = trackerHost.address() + ":" + TRACKER_PORT;
            assertTrue(Files.readString(dir.resolve("server.log")).contains("using tracker " + tracker + "#"),
                    Files.readString(dir.resolve("server.log")));
            awaitCompletePeers(processes, viewer, tracker, 1);

            Path out = dir.resolve("film.out");
            Processes.Ended client = processes.runToEnd(viewer.wrap(Processes.java("peer-client.jar", "--discover",
                    "film.bin", "-o", out.toString(), "--identity", dir.resolve("viewer.key").toString())));
            assertEquals(0, client.status(), client.stderr());
            assertArrayEquals(sha256(file), sha256(Files.readAllBytes(out)), "the file arrived identical");
        }
    }

    /** On LAN C a tracker without a beacon, and a beacon that names it with another id: status 6, nothing asked. */
    @Test
    @Timeout(180)
    void aBeaconGivingAnotherIdThanTheTrackersEndsTheClientWithStatus6() throws Exception {
        try (NetLab lab = NetLab.open(dir); Processes processes = new Processes()) {
            NetLab.Lan lanC = lab.lan("c", "10.77.3");
            NetLab.Host trackerHost = lab.host("trk", lanC);
            NetLab.Host liarHost = lab.host("liar", lanC);
            NetLab.Host viewer = lab.host("vc", lanC);
            int trackerPort = processes.startListening(trackerHost.wrap(Processes.java("tracker.jar",
                    trackerHost.address(), "--port", "0", "--no-beacon", "--identity",
                    dir.resolve("tracker.key").toString())).redirectError(dir.resolve("tracker.log").toFile())).port();
            PeerId claimed = PeerId.random();
            Path source = dir.resolve("LyingBeacon.java");
            try (InputStream in = LanDiscoveryE2ETest.class.getResourceAsStream("LyingBeacon.java.txt")) {
                Files.write(source, in.readAllBytes());
            }
            processes.startListening(liarHost.wrap(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
                    "java").toString(), "-cp", jar("peer-client.jar"), source.toString(), trackerHost.address(),
                    Integer.toString(trackerPort), claimed.text()))
                    .redirectError(dir.resolve("liar.log").toFile()));

            Processes.Ended client = processes.runToEnd(viewer.wrap(Processes.java("peer-client.jar", "--discover",
                    "--list", "--identity", dir.resolve("viewer.key").toString())));
            assertEquals(6, client.status(), client.stderr());
            String tracker = trackerHost.address() + ":" + trackerPort;
            assertTrue(client.stderr().contains("using tracker " + tracker + "#" + claimed.text()), client.stderr());
            assertTrue(client.stderr().contains("tracker " + tracker + " proved peer id "), client.stderr());
        }
    }

    /** Waits until the tracker lists film.bin with {@code complete} complete holders, asked from {@code host}. */
    private void awaitCompletePeers(Processes processes, NetLab.Host host, String tracker, int complete)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        String listing = "";
        while (System.nanoTime() - deadline < 0) {
            Processes.Ended list = processes.runToEnd(host.wrap(Processes.java("peer-client.jar", tracker, "--list",
                    "--json", "--identity", dir.resolve("lister.key").toString())));
            listing = list.out() + list.stderr();
            if (listing.contains("\"name\": \"film.bin\"") && listing.contains("\"completePeers\": " + complete)) {
                return;
            }
        }
        throw new AssertionError("film.bin never had " + complete + " complete peers: " + listing);
    }

    /** Verified bytes the stats say came from the peer at {@code ip}, over every port of it. */
    private static long bytesFrom(String statsJson, String ip) {
        Matcher m = Pattern.compile("\\{\"address\": \"([^\"]+)\", \"bytes\": (\\d+)").matcher(statsJson);
        long bytes = 0;
        List<String> seen = new ArrayList<>();
        while (m.find()) {
            seen.add(m.group(1));
            if (m.group(1).startsWith(ip + ":")) {
                bytes += Long.parseLong(m.group(2));
            }
        }
        assertTrue(!seen.isEmpty(), "no peers in " + statsJson);
        return bytes;
    }

    private static String jar(String name) {
        return Path.of(System.getProperty("p2pstream.dist", "../dist")).resolve(name).toAbsolutePath().toString();
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
