package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import p2pstream.peer.Ffmpeg;

/**
 * Peers behind home routers, as users have them: a public tracker, and peers on LANs behind NATs made of network
 * namespaces ({@link NetLab}), the built jars run inside them. Each case streams a file across and checks the bytes
 * and how the viewer says it reached the peer. Tagged {@code netns}: run by {@code make test-net}, which CI runs
 * beside {@code make test}.
 */
@Tag("netns")
class NatTraversalE2ETest {
    private static final String INTERNET = "198.18.0";
    /** A public-looking /24 that exists only inside the lab's namespaces: no route reaches it from anywhere else. */
    private static final String ROUTABLE_INTERNET = "11.77.0";
    private static final int FILE_BYTES = 3 * 1024 * 1024 + 12_345;
    private static final int LIVE_SECONDS = 25;

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

            assertStreamsIdentically(processes, viewerHost, tracker, file, "direct");
        }
    }

    @Test
    @Timeout(240)
    void aPeerServerBehindAHomeRouterIsReachedByConnectionReversal() throws Exception {
        try (NetLab lab = NetLab.open(dir); Processes processes = new Processes()) {
            NetLab.Lan internet = lab.lan("inet", INTERNET);
            NetLab.Host trackerHost = lab.host("trk", internet);
            NetLab.Host viewerHost = lab.host("v", internet);
            NetLab.Lan home = lab.lan("a", "10.77.1");
            lab.nat("nata", internet, home, NetLab.Mapping.ENDPOINT_INDEPENDENT);
            NetLab.Host serverHost = lab.host("srv", home);

            String tracker = startTracker(processes, trackerHost);
            byte[] file = Processes.randomFile(dir.resolve("share"), "film.bin", FILE_BYTES, 17);
            startPeerServer(processes, serverHost, tracker, "server");
            awaitLine(dir.resolve("server.log"), "not reachable from outside");

            assertStreamsIdentically(processes, viewerHost, tracker, file, "reversed");
        }
    }

    @Test
    @Timeout(240)
    void twoPeersBehindDifferentHomeRoutersPunchThroughBoth() throws Exception {
        try (NetLab lab = NetLab.open(dir); Processes processes = new Processes()) {
            NetLab.Lan internet = lab.lan("inet", INTERNET);
            NetLab.Host trackerHost = lab.host("trk", internet);
            Homes homes = Homes.behind(lab, internet, NetLab.Mapping.ENDPOINT_INDEPENDENT, "srv");
            NetLab.Host serverHost = homes.holder();
            NetLab.Host viewerHost = homes.viewer();

            String tracker = startTracker(processes, trackerHost);
            byte[] file = Processes.randomFile(dir.resolve("share"), "film.bin", FILE_BYTES, 18);
            startPeerServer(processes, serverHost, tracker, "server");
            awaitLine(dir.resolve("server.log"), "not reachable from outside");

            assertStreamsIdentically(processes, viewerHost, tracker, file, "punched");
        }
    }

    @Test
    @Timeout(240)
    void aPeerServerWhoseRouterMapsAPortIsDialedThere() throws Exception {
        try (NetLab lab = NetLab.open(dir); Processes processes = new Processes()) {
            // miniupnpd maps nothing for a router whose outside address is a reserved one, as 198.18/15 is
            NetLab.Lan internet = lab.lan("inet", ROUTABLE_INTERNET);
            NetLab.Host trackerHost = lab.host("trk", internet);
            Homes homes = Homes.behind(lab, internet, NetLab.Mapping.RANDOM, "srv");
            Process mapper = lab.portMapper(homes.routerA(), dir);
            NetLab.Host serverHost = homes.holder();
            NetLab.Host viewerHost = homes.viewer();

            String tracker = startTracker(processes, trackerHost);
            byte[] file = Processes.randomFile(dir.resolve("share"), "film.bin", FILE_BYTES, 20);
            startPeerServer(processes, serverHost, tracker, "server");
            awaitLine(dir.resolve("server.log"), "reachable from outside at");

            // a viewer behind a NAT that changes ports, no relay: only the router's mapping makes this possible
            assertStreamsIdentically(processes, viewerHost, tracker, file, "mapped");
            assertTrue(mapper.isAlive(), "miniupnpd ran throughout");
        }
    }

    @Test
    @Timeout(240)
    void aRelayCarriesWhatPunchingCannotThroughNatsThatChangePorts() throws Exception {
        try (NetLab lab = NetLab.open(dir); Processes processes = new Processes()) {
            RelayLab net = relayLab(lab, processes, "srv");
            String tracker = net.tracker();
            byte[] file = Processes.randomFile(dir.resolve("share"), "film.bin", FILE_BYTES, 19);
            startPeerServer(processes, net.homes().holder(), tracker, "server");
            awaitLine(dir.resolve("server.log"), "not reachable from outside");

            assertStreamsIdentically(processes, net.homes().viewer(), tracker, file, "relayed");
            String relayLog = Files.readString(dir.resolve("relay.log"));
            assertTrue(relayLog.contains("joined"), relayLog);
        }
    }

    @Test
    @Timeout(240)
    void aRelayedViewerMovesToADirectPathWhenOneAppears() throws Exception {
        try (NetLab lab = NetLab.open(dir); Processes processes = new Processes()) {
            RelayLab net = relayLab(lab, processes, "srv");
            Homes homes = net.homes();
            String tracker = net.tracker();
            byte[] file = Processes.randomFile(dir.resolve("share"), "film.bin", FILE_BYTES, 21);
            // a slow seed: the fetch lasts long enough (about 30 s) for the routers to change under it
            startPeerServer(processes, homes.holder(), tracker, "server", "--upload-limit", "100KB/s");
            awaitLine(dir.resolve("server.log"), "not reachable from outside");

            Path out = dir.resolve("film.out");
            Path stats = dir.resolve("stats.json");
            Path viewerLog = dir.resolve("viewer.log");
            Process viewer = processes.start(homes.viewer().wrap(Processes.java("peer-client.jar", tracker,
                    "film.bin", "-o", out.toString(), "--identity", dir.resolve("viewer.key").toString(),
                    "--stats-json", stats.toString(), "--log-level", "info")).redirectError(viewerLog.toFile()));
            awaitLine(viewerLog, "through the relay");
            // both routers now keep ports (new firmware, say), once the failed punch's last SYN is gone
            awaitLine(dir.resolve("server.log"), "punch to");
            lab.remap(homes.routerA(), NetLab.Mapping.ENDPOINT_INDEPENDENT, dir);
            lab.remap(homes.routerB(), NetLab.Mapping.ENDPOINT_INDEPENDENT, dir);

            assertTrue(viewer.waitFor(180, TimeUnit.SECONDS), "the viewer ended");
            String log = Files.readString(viewerLog);
            assertEquals(0, viewer.exitValue(), log);
            assertArrayEquals(sha256(file), sha256(Files.readAllBytes(out)), "the file arrived identical");
            assertTrue(log.contains("moved to a direct path (punched)"), log + "\nserver: "
                    + Files.readString(dir.resolve("server.log")));
            String json = Files.readString(stats);
            assertTrue(json.contains("\"route\": \"punched\""), json);
        }
    }

    @Test
    @Timeout(300)
    void aLiveStreamWatchedFromBehindNatsThatChangePortsPlaysWholeThroughTheRelay() throws Exception {
        Ffmpeg.ensure(dir);
        try (NetLab lab = NetLab.open(dir); Processes processes = new Processes()) {
            RelayLab net = relayLab(lab, processes, "pub");
            String tracker = net.tracker();
            NetLab.Host publisherHost = net.homes().holder();
            NetLab.Host viewerHost = net.homes().viewer();

            // the encoder runs on the publisher's machine in real time; the pipe crosses no network
            ProcessBuilder ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f",
                    "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", Integer.toString(LIVE_SECONDS), "-c:v",
                    "mpeg2video", "-b:v", "600k", "-f", "mpegts", "-")
                    .redirectError(dir.resolve("ffmpeg.log").toFile());
            ProcessBuilder publisher = publisherHost.wrap(Processes.java("peer-server.jar", publisherHost.address(),
                    "--port", "0", "--tracker", tracker, "--live", "pattern", "--key",
                    dir.resolve("publisher.key").toString(), "--identity", dir.resolve("server.key").toString(),
                    "--linger", "5000")).redirectError(dir.resolve("server.log").toFile());
            Processes.awaitPort(processes.pipe(ffmpeg, publisher), "peer-server --live");
            awaitLine(dir.resolve("server.log"), "not reachable from outside");

            Path stats = dir.resolve("live.json");
            Processes.Ended viewer = processes.runToEnd(viewerHost.wrap(Processes.java("peer-client.jar", tracker,
                    "pattern", "-o", dir.resolve("watched.ts").toString(), "--identity",
                    dir.resolve("viewer.key").toString(), "--stats-json", stats.toString())), LIVE_SECONDS + 90);
            assertEquals(0, viewer.status(), viewer.stderr());
            String json = Files.readString(stats);
            assertTrue(json.contains("\"ended\": true") && json.contains("\"skipped\": 0")
                    && json.contains("\"continuity\": 1.0000"), json);
            assertTrue(json.contains("\"route\": \"relayed\""), json);
            Matcher p50 = Pattern.compile("\"p50\": (\\d+)").matcher(json);
            assertTrue(p50.find() && Long.parseLong(p50.group(1)) > 0, "latency figures reported: " + json);
            System.out.println("live through the relay: " + json.replaceAll("\\s+", " "));
        }
    }

    /**
     * Two homes on {@code internet}: LAN A behind its router (a NAT of {@code mapping}) with the holder on it, named
     * {@code holderName}, and LAN B behind another such router (routerB) with the viewer on it.
     */
    private record Homes(NetLab.Host routerA, NetLab.Host holder, NetLab.Host routerB, NetLab.Host viewer) {
        static Homes behind(NetLab lab, NetLab.Lan internet, NetLab.Mapping mapping, String holderName)
                throws IOException, InterruptedException {
            NetLab.Lan homeA = lab.lan("a", "10.77.1");
            NetLab.Host routerA = lab.nat("nata", internet, homeA, mapping);
            NetLab.Host holder = lab.host(holderName, homeA);
            NetLab.Lan homeB = lab.lan("b", "10.77.2");
            NetLab.Host routerB = lab.nat("natb", internet, homeB, mapping);
            return new Homes(routerA, holder, routerB, lab.host("vb", homeB));
        }
    }

    /** A public tracker and an opted-in relay beside it. */
    private record RelayLab(String tracker, Homes homes) {
    }

    /**
     * A tracker and a relay on a public network, and two homes behind NATs that change ports (no punch gets
     * through): the holder, named {@code holderName}, and the viewer.
     */
    private RelayLab relayLab(NetLab lab, Processes processes, String holderName) throws Exception {
        NetLab.Lan internet = lab.lan("inet", INTERNET);
        NetLab.Host trackerHost = lab.host("trk", internet);
        NetLab.Host relayHost = lab.host("rly", internet);
        Homes homes = Homes.behind(lab, internet, NetLab.Mapping.RANDOM, holderName);
        String tracker = startTracker(processes, trackerHost);
        startRelay(processes, relayHost, tracker);
        return new RelayLab(tracker, homes);
    }

    private void startRelay(Processes processes, NetLab.Host host, String tracker) throws Exception {
        processes.startListening(host.wrap(Processes.java("peer-server.jar", host.address(), "--port", "0",
                "--tracker", tracker, "--relay", "--identity", dir.resolve("relay.key").toString()))
                .redirectError(dir.resolve("relay.log").toFile()));
        awaitLine(dir.resolve("tracker.log"), "relays circuits on port");
    }

    /** The viewer on {@code host} streams film.bin identical, and says it reached the server {@code route}. */
    private void assertStreamsIdentically(Processes processes, NetLab.Host host, String tracker, byte[] file,
                                          String route) throws Exception {
        Path out = dir.resolve("film.out");
        Path stats = dir.resolve("stats.json");
        Processes.Ended viewer = processes.runToEnd(host.wrap(Processes.java("peer-client.jar", tracker, "film.bin",
                "-o", out.toString(), "--identity", dir.resolve("viewer.key").toString(), "--stats-json",
                stats.toString())));
        assertEquals(0, viewer.status(), viewer.stderr() + "\nserver: " + Files.readString(dir.resolve("server.log"))
                + "\ntracker: " + Files.readString(dir.resolve("tracker.log")));
        assertArrayEquals(sha256(file), sha256(Files.readAllBytes(out)), "the file arrived identical");
        String json = Files.readString(stats);
        assertTrue(json.contains("\"route\": \"" + route + "\""), json);
    }

    /** Waits (30 s at most) until {@code log} holds {@code text}. */
    private static void awaitLine(Path log, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(log) || !Files.readString(log).contains(text)) {
            assertTrue(System.nanoTime() < deadline, "no \"" + text + "\" in " + log + ": "
                    + (Files.exists(log) ? Files.readString(log) : "(none)"));
            Thread.sleep(50);
        }
    }

    private String startTracker(Processes processes, NetLab.Host host) throws IOException {
        int port = processes.startListening(host.wrap(Processes.java("tracker.jar", host.address(), "--port", "0",
                "--identity", dir.resolve("tracker.key").toString()))
                .redirectError(dir.resolve("tracker.log").toFile())).port();
        return host.address() + ":" + port;
    }

    /** A peer-server on {@code host} sharing dir/share, its log in dir/NAME.log; {@code more} options after. */
    private void startPeerServer(Processes processes, NetLab.Host host, String tracker, String name, String... more)
            throws IOException {
        List<String> args = new ArrayList<>(List.of(host.address(), "--port", "0", "--tracker", tracker, "--dir",
                dir.resolve("share").toString(), "--identity", dir.resolve(name + ".key").toString()));
        args.addAll(List.of(more));
        processes.startListening(host.wrap(Processes.java("peer-server.jar", args.toArray(String[]::new)))
                .redirectError(dir.resolve(name + ".log").toFile()));
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
