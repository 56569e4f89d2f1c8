package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.Manifest;
import p2pstream.tracker.Tracker;

/**
 * A peer-server shares only what is inside its directory: files in nested directories under '/'-separated
 * relative names, links that stay inside; never links leading out, its own cache, or names the wire refuses.
 * The tracker lists exactly the same names.
 */
class SharedNamesTest {
    /** Names the server must share, with their sizes. */
    private static final Map<String, Integer> SHARED = new TreeMap<>(Map.of(
            "top.bin", 70_000,
            "dir/nested.bin", 300_000,
            "dir/sub/deeper.bin", 5_000,
            "dir/sub/deepest/x.bin", 17,
            "name with spaces.bin", 1_000,
            "dots..are-fine..", 2_000)); // a leading dot would make it a dotfile, not shared
    /** Shared too where the platform encodes file names in UTF-8. */
    private static final String UNICODE_NAME = "unicodé-名前.bin";

    @TempDir
    Path tmp;

    private final Map<String, Integer> expected = new TreeMap<>(SHARED);
    private Path shared;
    private Path secret;
    private Tracker tracker;
    private PeerServer server;

    @BeforeEach
    void populate() throws IOException {
        shared = Files.createDirectories(tmp.resolve("shared"));
        Random random = new Random(5);
        if ("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))) {
            expected.put(UNICODE_NAME, 3_000);
        }
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            Path p = shared.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            byte[] bytes = new byte[e.getValue()];
            random.nextBytes(bytes);
            Files.write(p, bytes);
        }
        secret = Files.writeString(tmp.resolve("secret.txt"), "the secret, outside the shared directory");
        Path secretDir = Files.createDirectories(tmp.resolve("secret-dir"));
        Files.writeString(secretDir.resolve("inside-secret-dir.bin"), "also secret");
        // a planted file in the server's own cache directory
        Files.createDirectories(shared.resolve(".p2pstream"));
        Files.writeString(shared.resolve(".p2pstream/planted.bin"), "cache, not shared");

        assumeTrue(link(shared.resolve("dir/link-to-secret"), secret), "symbolic links unsupported");
        link(shared.resolve("abs-link-to-secret"), secret.toAbsolutePath());
        link(shared.resolve("dir/rel-link-to-secret"), Path.of("..", "..", "secret.txt"));
        link(shared.resolve("link-to-secret-dir"), secretDir);
        link(shared.resolve("dir/link-to-parent"), Path.of(".."));
        link(shared.resolve("dangling-link"), tmp.resolve("does-not-exist"));
        link(shared.resolve("link-into-cache"), shared.resolve(".p2pstream/planted.bin"));
        // a link that stays inside is shared under the link's own name (SharedDirectory.names() javadoc)
        link(shared.resolve("dir/inner-link.bin"), Path.of("nested.bin"));
        // names the wire refuses (Wire.nameProblem, control characters) are never shared
        Files.writeString(shared.resolve("back\\slash.bin"), "refused");
        Files.writeString(shared.resolve("new\nline.bin"), "refused");
        Files.writeString(shared.resolve("C:drive.bin"), "refused");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (tracker != null) {
            tracker.close();
        }
    }

    private static boolean link(Path link, Path target) {
        try {
            Files.createSymbolicLink(link, target);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private void startServer() throws Exception {
        if (tracker == null) {
            tracker = Tracker.start(Tracker.Config.loopback());
        }
        server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), shared));
        server.announced().get(10, TimeUnit.SECONDS);
    }

    private Set<String> manifestNames() {
        return server.manifests().stream().map(Manifest::name).collect(Collectors.toCollection(TreeSet::new));
    }

    private Set<String> expectedNames() {
        Set<String> names = new TreeSet<>(expected.keySet());
        names.add("dir/inner-link.bin");
        return names;
    }

    @Test
    @Timeout(30)
    void manifestsNameExactlyTheFilesInsideWithSlashSeparatedRelativeNames() throws Exception {
        startServer();
        Set<String> names = manifestNames();
        assertEquals(expectedNames(), names);
        for (String name : names) {
            assertNull(Wire.nameProblem(name), name + ": a valid wire name");
            assertFalse(name.contains("secret"), name + ": nothing reached through a link to the outside");
            assertFalse(name.startsWith(".p2pstream"), name + ": the cache is not shared");
            assertFalse(name.contains("link-to-parent"), name);
        }
        for (Manifest m : server.manifests()) {
            int size = m.name().equals("dir/inner-link.bin") ? expected.get("dir/nested.bin") : expected.get(m.name());
            assertEquals(size, m.size(), m.name());
        }
    }

    @Test
    @Timeout(30)
    void trackerListsTheSameNamesAsTheManifests() throws Exception {
        startServer();
        Map<String, ContentId> fromManifests = new TreeMap<>();
        for (Manifest m : server.manifests()) {
            fromManifests.put(m.name(), m.contentId());
        }
        try (RawClient t = RawClient.secure(tracker.address())) {
            t.trackerHello(0);
            t.send(new ListStreams("", 1000));
            Streams streams = t.expect(MessageType.STREAMS, Streams::decode);
            Map<String, ContentId> listed = new TreeMap<>();
            for (Streams.Entry e : streams.streams()) {
                listed.put(e.name(), e.contentId());
                assertEquals(1, e.peers(), e.name());
                assertEquals(1, e.seeds(), e.name());
            }
            assertEquals(fromManifests, listed);
            assertEquals(expectedNames(), listed.keySet());
            t.send(new ListStreams("secret", 1000));
            assertEquals(0, t.expect(MessageType.STREAMS, Streams::decode).streams().size(), "nothing named *secret*");
            t.send(Lookup.byName("dir/sub/deeper.bin", 10));
            Peers p = t.expect(MessageType.PEERS, Peers::decode);
            assertTrue(p.found());
            assertEquals(server.peerId(), p.peers().get(0).peerId());
        }
    }

    @Test
    @Timeout(30)
    void restartOnTheSameDirectoryWithItsManifestCacheSharesTheSameNamesAndIds() throws Exception {
        startServer();
        Map<String, ContentId> first = new TreeMap<>();
        server.manifests().forEach(m -> first.put(m.name(), m.contentId()));
        server.close();
        server = null;
        assertTrue(Files.isDirectory(shared.resolve(".p2pstream")), "the manifest cache is kept beside the data");
        startServer();
        Map<String, ContentId> second = new TreeMap<>();
        server.manifests().forEach(m -> second.put(m.name(), m.contentId()));
        assertEquals(first, second, "no cache file is shared, and ids are stable");
    }

    @Test
    @Timeout(30)
    void eachSharedNameIsServedWithItsOwnBytesAndNoOtherContentIdIsAccepted() throws Exception {
        startServer();
        for (Manifest m : server.manifests()) {
            String source = m.name().equals("dir/inner-link.bin") ? "dir/nested.bin" : m.name();
            byte[] bytes = Files.readAllBytes(shared.resolve(source));
            try (RawClient c = PeerSteps.connect(server.address())) {
                PeerSteps.peerHello(c, m);
                if (m.chunkCount() > 0) {
                    PeerSteps.fetchAll(c, m, bytes);
                }
            }
        }
        // the secret's content under the link's name, as a manifest would name it: the server does not serve it
        byte[] secretBytes = Files.readAllBytes(secret);
        int chunk = Manifest.chunkSizeFor(secretBytes.length);
        byte[] hash = Manifest.sha256().digest(secretBytes);
        for (String name : new String[] {"dir/link-to-secret", "abs-link-to-secret", "dir/rel-link-to-secret"}) {
            Manifest forged = new Manifest(name, secretBytes.length, chunk, hash);
            try (RawClient c = PeerSteps.connect(server.address())) {
                c.send(new Hello(Role.CLIENT, c.peerId, 0, forged.contentId()));
                c.expectErrorThenEof(ErrorCode.NOT_FOUND);
            }
        }
        assertEquals(new String(secretBytes, StandardCharsets.UTF_8), Files.readString(secret), "secret untouched");
    }
}
