package p2pstream.peer.client.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Wire;
import p2pstream.peer.server.LiveHolding;
import p2pstream.peer.server.ServerSession;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.ManifestCache;
import p2pstream.peer.store.PublisherKey;
import p2pstream.peer.swarm.ViewerCatalog;
import p2pstream.peer.viewer.Viewer;

/**
 * A viewer's serving side under connection churn: every connection it accepted and that closed is forgotten at
 * once (before, each stayed listed until the progress line or the exit: 89,311 of 100,000 in the issue), and
 * the viewer still serves a whole file afterwards.
 */
class ViewerServingFloodTest {
    private static final int CYCLES = 2_000;
    private static final int HELLO_CYCLES = 500;
    private final EventLoopGroup group = new EventLoopGroup("viewer", 1);
    private final EventLoop loop = group.loops().get(0);
    private final ViewerCatalog catalog = new ViewerCatalog(StaticKey.of(Identity.generate()));

    @AfterEach
    void stop() {
        group.close();
    }

    @HostileCase(value = "Connect/close and HELLO-then-close cycles to a file viewer's port (2,000 + 500)",
            expect = "serving sessions held return to 0; the viewer then serves the whole file with identical SHA-256",
            section = HostileCase.FLOODS)
    @Timeout(120)
    void churnAgainstAFileViewerLeavesNoSessionsAndItStillServes(Trial trial, @TempDir Path dir) throws Exception {
        byte[] bytes = new byte[600 * 1024];
        new Random(10).nextBytes(bytes);
        Path file = Files.write(dir.resolve("movie.bin"), bytes);
        Manifest m = ManifestCache.compute("movie.bin", file, 64 * 1024);
        try (ChunkStore store = ChunkStore.open(m, dir.resolve("viewer.bin"))) {
            for (int i = 0; i < m.chunkCount(); i++) {
                store.write(i, ByteBuffer.wrap(bytes, (int) m.chunkOffset(i), m.chunkLength(i)));
            }
            StoreHolding holding = new StoreHolding(store);
            onLoop(() -> {
                for (int i = 0; i < m.chunkCount(); i++) {
                    holding.add(i); // as the download does once a chunk is verified
                }
                catalog.serve(m.contentId(), holding);
                return null;
            });
            try (Acceptor acceptor = listen()) {
                churn(acceptor, m.contentId(), trial);
                try (RawClient c = RawClient.secure(acceptor.localAddress(), Wire.MAX_PEER_FRAME_BYTES)) {
                    assertEquals(sha256(bytes), fetchAll(c, m), "the file served after the churn");
                }
            }
        }
    }

    @HostileCase(value = "Connect/close and HELLO-then-close cycles to a live viewer's port (2,000 + 500)",
            expect = "serving sessions held return to 0; a new peer is still answered HELLO and MANIFEST",
            section = HostileCase.FLOODS)
    @Timeout(120)
    void churnAgainstALiveViewerLeavesNoSessions(Trial trial) throws Exception {
        LiveManifest manifest = new LiveManifest("live", 64 * 1024, PublisherKey.generate().publicKey(),
                System.currentTimeMillis() * 1000);
        LiveHolding holding = new LiveHolding(manifest, new LiveWindow(16), 0, 0);
        onLoop(() -> {
            catalog.serve(manifest.contentId(), holding);
            return null;
        });
        try (Acceptor acceptor = listen()) {
            churn(acceptor, manifest.contentId(), trial);
            try (RawClient c = RawClient.secure(acceptor.localAddress(), Wire.MAX_PEER_FRAME_BYTES)) {
                c.send(new Hello(Role.CLIENT, c.peerId, 0, manifest.contentId()));
                c.expect(MessageType.HELLO, Hello::decode);
                assertEquals(MessageType.MANIFEST.code(), c.read().type(), "MANIFEST after HELLO");
            }
        }
    }

    /** The viewer's listener, as a download opens it. */
    private Acceptor listen() throws Exception {
        return Acceptor.open(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                catalog::newServerSession, ServerSession.LIMITS, Viewer.MAX_SERVED_CONNECTIONS,
                Viewer.MAX_SERVED_CONNECTIONS, null, Acceptor.ERROR_FRAME, catalog.key());
    }

    private void churn(Acceptor acceptor, ContentId id, Trial trial) throws Exception {
        InetSocketAddress viewer = acceptor.localAddress();
        for (int i = 0; i < CYCLES; i++) {
            RawClient.secure(viewer).close();
        }
        for (int i = 0; i < HELLO_CYCLES; i++) {
            try (RawClient c = RawClient.secure(viewer)) {
                c.send(new Hello(Role.CLIENT, c.peerId, 0, id));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // connections queue in the listen backlog: once a probe is answered, every earlier one was accepted
        boolean answered = false;
        while (!answered && System.nanoTime() < deadline) {
            try (RawClient probe = RawClient.secure(viewer)) {
                probe.send(new Hello(Role.CLIENT, probe.peerId, 0, id));
                answered = probe.read().type() == MessageType.HELLO.code();
            }
        }
        assertTrue(answered, "a probe answered HELLO after the churn");
        int serving;
        while (((serving = onLoop(() -> catalog.traffic().servingCount())) > 0 || acceptor.connectionCount() > 0)
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        trial.record("serving sessions held after " + (CYCLES + HELLO_CYCLES) + " cycles", serving);
        assertEquals(0, serving, "serving sessions held once every connection closed");
        assertEquals(0, acceptor.connectionCount(), "connections open once every client closed");
    }

    /** HELLO, then every chunk requested; returns the SHA-256 of the chunks in order. */
    private static String fetchAll(RawClient c, Manifest m) throws Exception {
        c.send(new Hello(Role.CLIENT, c.peerId, 0, m.contentId()));
        c.expect(MessageType.HELLO, Hello::decode);
        for (int i = 0; i < m.chunkCount(); i++) {
            c.send(IndexMessage.request(i));
        }
        byte[] out = new byte[(int) m.size()];
        int received = 0;
        while (received < m.chunkCount()) {
            RawClient.Frame f = c.read();
            if (f.type() != MessageType.CHUNK.code()) {
                continue; // MANIFEST, HAVE_ALL or BITFIELD, HAVEs
            }
            ByteBuffer payload = f.buffer();
            int index = ChunkHeader.decodeIndex(payload);
            assertTrue(index < m.chunkCount(), "chunk index " + index);
            payload.get(out, (int) m.chunkOffset(index), payload.remaining());
            received++;
        }
        return sha256(out);
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
