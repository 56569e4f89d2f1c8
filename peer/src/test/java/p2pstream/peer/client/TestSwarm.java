package p2pstream.peer.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import p2pstream.peer.server.PeerServer;
import p2pstream.tracker.Tracker;

/** A tracker and peer-servers on 127.0.0.1 port 0 in this JVM, each server sharing its own copy of the files. */
final class TestSwarm implements AutoCloseable {
    final Tracker tracker;
    final List<PeerServer> servers = new ArrayList<>();
    final List<Path> dirs = new ArrayList<>();

    private TestSwarm(Tracker tracker) {
        this.tracker = tracker;
    }

    /** Starts a tracker and {@code count} servers, each sharing a copy of {@code source} under {@code name}. */
    static TestSwarm start(Path root, Path source, String name, int count, long uploadLimit) throws Exception {
        TestSwarm swarm = new TestSwarm(Tracker.start(Tracker.Config.loopback()));
        try {
            for (int i = 0; i < count; i++) {
                Path dir = Files.createDirectories(root.resolve("server-" + i));
                Path target = dir.resolve(name);
                Files.createDirectories(target.getParent());
                Files.copy(source, target);
                swarm.dirs.add(dir);
                PeerServer server = PeerServer.start(PeerServer.Config.loopback(swarm.tracker.address(), dir)
                        .withUploadLimit(uploadLimit));
                swarm.servers.add(server);
                server.announced().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            swarm.close();
            throw e;
        }
        return swarm;
    }

    Watch.Config config(String stream) {
        return Watch.Config.of(tracker.address(), stream).withNoPeerTimeoutMillis(5_000);
    }

    @Override
    public void close() {
        for (PeerServer s : servers) {
            s.close();
        }
        tracker.close();
    }

    static Path randomFile(Path dir, String name, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Streams into the file {@code out} (which is also the viewer's store) and returns the figures. */
    static Stats download(Watch.Config config, Path out) throws Exception {
        return Watch.run(config.withOutputFile(out));
    }
}
