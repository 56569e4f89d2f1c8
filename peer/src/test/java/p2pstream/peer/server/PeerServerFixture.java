package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.wire.ErrorCode.AUTHENTICATION;
import static p2pstream.common.wire.ErrorCode.BAD_HELLO;
import static p2pstream.common.wire.ErrorCode.FRAME_TOO_LARGE;
import static p2pstream.common.wire.ErrorCode.MALFORMED;
import static p2pstream.common.wire.ErrorCode.NOT_FOUND;
import static p2pstream.common.wire.ErrorCode.OUT_OF_RANGE;
import static p2pstream.common.wire.ErrorCode.UNEXPECTED;
import static p2pstream.common.wire.ErrorCode.UNKNOWN_TYPE;
import static p2pstream.peer.server.PeerSteps.fetch;
import static p2pstream.peer.server.PeerSteps.fetchAll;
import static p2pstream.peer.server.PeerSteps.peerHello;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.RawClient;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.Role;
import p2pstream.peer.store.Manifest;
import p2pstream.tracker.Tracker;

/**
 * A real tracker and a peer-server sharing one 1 MiB file of several chunks, on loopback, for each test, and
 * the check adversarial tests end with: a well-behaved client on another connection keeps getting chunks.
 */
abstract class PeerServerFixture {
    static final int FILE_BYTES = 1024 * 1024;
    static final ContentId UNKNOWN_ID = new ContentId(9, 9, 9, 9);
    /** The codes a server may answer bad input with; INTERNAL would mean an unhandled exception. */
    static final Set<ErrorCode> INPUT_ERRORS = EnumSet.of(MALFORMED, FRAME_TOO_LARGE, UNKNOWN_TYPE,
            BAD_HELLO, UNEXPECTED, NOT_FOUND, OUT_OF_RANGE, AUTHENTICATION);

    @TempDir
    Path dir;

    Tracker tracker;
    PeerServer server;
    Manifest manifest;
    byte[] file;

    @BeforeEach
    void start() throws Exception {
        file = new byte[FILE_BYTES];
        new Random(2024).nextBytes(file);
        Files.write(dir.resolve("movie.bin"), file);
        tracker = Tracker.start(Tracker.Config.loopback());
        server = PeerServer.start(configure(PeerServer.Config.loopback(tracker.address(), dir)));
        server.announced().get(10, TimeUnit.SECONDS);
        // the tracker's dial-back is a connection too: over before a test counts the server's connections
        await("the tracker's dial-back over", () -> server.reach() != null && server.connectionCount() == 0);
        assertEquals(1, server.manifests().size());
        manifest = server.manifests().get(0);
        assertEquals("movie.bin", manifest.name());
        assertEquals(FILE_BYTES, manifest.size());
        assertTrue(manifest.chunkCount() >= 2, "the file spans several chunks: " + manifest);
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

    /** The server's configuration; a test class may shorten its timeouts or lower its limits. */
    PeerServer.Config configure(PeerServer.Config config) {
        return config;
    }

    static Hello hello(ContentId id) {
        return new Hello(Role.CLIENT, RawClient.PEER_ID, 0, id);
    }

    RawClient connect() throws IOException {
        return PeerSteps.connect(server.address());
    }

    /**
     * Runs the bad input on a fresh connection while a good client fetches the whole file before and after;
     * then only the good client is connected, and it still gets the last and the first chunk.
     */
    void assertAnsweredWhileAGoodClientKeepsGettingChunks(PeerBadInput badInput) throws Exception {
        try (RawClient good = connect()) {
            peerHello(good, manifest);
            fetchAll(good, manifest, file);
            try (RawClient bad = connect()) {
                badInput.sendAndCheck(bad, manifest, file);
            }
            fetchAll(good, manifest, file);
            await("only the good client stays connected", () -> server.connectionCount() == 1);
            fetch(good, manifest, file, manifest.chunkCount() - 1, 0);
        }
        await("no connections left", () -> server.connectionCount() == 0);
    }
}
