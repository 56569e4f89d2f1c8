package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static p2pstream.common.wire.ErrorCode.BAD_HELLO;
import static p2pstream.common.wire.ErrorCode.FRAME_TOO_LARGE;
import static p2pstream.common.wire.ErrorCode.MALFORMED;
import static p2pstream.common.wire.ErrorCode.NOT_FOUND;
import static p2pstream.common.wire.ErrorCode.OUT_OF_RANGE;
import static p2pstream.common.wire.ErrorCode.RATE_LIMITED;
import static p2pstream.common.wire.ErrorCode.UNEXPECTED;
import static p2pstream.common.wire.ErrorCode.UNKNOWN_TYPE;
import static p2pstream.peer.server.RawPeerClient.await;
import static p2pstream.peer.server.RawPeerClient.checkChunk;
import static p2pstream.peer.server.RawPeerClient.encoded;
import static p2pstream.peer.server.RawPeerClient.frame;
import static p2pstream.peer.server.RawPeerClient.payload;
import static p2pstream.peer.server.RawPeerClient.u32;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.Manifest;
import p2pstream.tracker.Tracker;

/**
 * Adversarial input against a real peer-server (and its tracker) over loopback: every bad frame gets an
 * ERROR with the right code and a closed connection, while a well-behaved client on another connection keeps
 * receiving correct chunks; a client that never reads cannot starve the others.
 */
class PeerServerBadInputTest {
    private static final int FILE_BYTES = 1024 * 1024;
    private static final ContentId UNKNOWN_ID = new ContentId(9, 9, 9, 9);
    /** The codes a server may answer bad input with; INTERNAL would mean an unhandled exception. */
    private static final Set<ErrorCode> INPUT_ERRORS = EnumSet.of(MALFORMED, FRAME_TOO_LARGE, UNKNOWN_TYPE,
            BAD_HELLO, UNEXPECTED, NOT_FOUND, OUT_OF_RANGE);

    @TempDir
    Path dir;

    private Tracker tracker;
    private PeerServer server;
    private Manifest manifest;
    private byte[] file;

    @BeforeEach
    void start() throws Exception {
        file = new byte[FILE_BYTES];
        new Random(2024).nextBytes(file);
        Files.write(dir.resolve("movie.bin"), file);
        tracker = Tracker.start(Tracker.Config.loopback());
        server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), dir));
        server.announced().get(10, TimeUnit.SECONDS);
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

    /** A bad input sent on a fresh connection to the server, and the checks of how it answers. */
    interface Case {
        void run(RawPeerClient c, Manifest m, byte[] file) throws Exception;
    }

    private static void add(List<Arguments> list, String behaviour, Case c) {
        list.add(Arguments.of(Named.of(behaviour, c)));
    }

    private static Hello hello(ContentId id) {
        return new Hello(Role.CLIENT, PeerId.random(), 0, id);
    }

    private static byte[] helloWith(ContentId id, int offset, int value) {
        byte[] p = payload(hello(id));
        p[offset] = (byte) value;
        return p;
    }

    private static byte[] cut(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }

    static Stream<Arguments> badInputs() {
        List<Arguments> l = new ArrayList<>();
        // ---- framing ----
        add(l, "twoGibLengthPrefixGetsFrameTooLargeThenClose", (c, m, f) -> {
            c.sendBytes(u32(0x80000000L));
            c.expectErrorThenEof(FRAME_TOO_LARGE);
        });
        add(l, "maxUint32LengthPrefixGetsFrameTooLargeThenClose", (c, m, f) -> {
            c.sendBytes(u32(0xFFFFFFFFL));
            c.expectErrorThenEof(FRAME_TOO_LARGE);
        });
        add(l, "frameOneOverTheControlLimitGetsFrameTooLargeThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.sendBytes(u32(Wire.MAX_CONTROL_FRAME_BYTES + 1));
            c.expectErrorThenEof(FRAME_TOO_LARGE);
        });
        add(l, "twoGibLengthPrefixAfterHelloGetsFrameTooLargeThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.sendBytes(u32(0x80000000L));
            c.expectErrorThenEof(FRAME_TOO_LARGE);
        });
        add(l, "chunkSizedFrameSentToServerGetsFrameTooLargeThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.sendBytes(u32(5 + m.chunkSize()));
            c.expectErrorThenEof(FRAME_TOO_LARGE);
        });
        add(l, "zeroLengthFrameGetsMalformedThenClose", (c, m, f) -> {
            c.sendBytes(u32(0));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "zeroLengthFrameAfterHelloGetsMalformedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.sendBytes(u32(0));
            c.expectErrorThenEof(MALFORMED);
        });
        // ---- unknown types ----
        add(l, "unknownTypeAsFirstFrameGetsUnknownTypeThenClose", (c, m, f) -> {
            c.sendFrame(0x7f, new byte[0]);
            c.expectErrorThenEof(UNKNOWN_TYPE);
        });
        add(l, "unknownTypeAfterHelloGetsUnknownTypeThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.sendFrame(0x7f, new byte[4]);
            c.expectErrorThenEof(UNKNOWN_TYPE);
        });
        add(l, "typeFfAfterHelloGetsUnknownTypeThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.sendFrame(0xff, new byte[0]);
            c.expectErrorThenEof(UNKNOWN_TYPE);
        });
        // ---- out of order, wrong protocol ----
        add(l, "requestBeforeHelloGetsUnexpectedThenClose", (c, m, f) -> {
            c.send(IndexMessage.request(0));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "cancelBeforeHelloGetsUnexpectedThenClose", (c, m, f) -> {
            c.send(IndexMessage.cancel(0));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "pingBeforeHelloGetsUnexpectedThenClose", (c, m, f) -> {
            c.send(EmptyMessage.PING);
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "haveAllBeforeHelloGetsUnexpectedThenClose", (c, m, f) -> {
            c.send(EmptyMessage.HAVE_ALL);
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "secondHelloGetsUnexpectedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(hello(m.contentId()));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "trackerAnnounceOnPeerConnectionGetsUnexpectedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(new Announce(m.contentId(), m.name(), m.size(), m.chunkSize(), m.chunkCount(), m.chunkCount()));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "trackerLookupOnPeerConnectionGetsUnexpectedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(Lookup.byContentId(m.contentId(), 5));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "trackerListOnPeerConnectionGetsUnexpectedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(new ListStreams("", 5));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "chunkSentToServerGetsUnexpectedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.sendFrame(MessageType.CHUNK.code(), new byte[4 + 100]);
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "manifestSentToServerGetsUnexpectedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(new ManifestMessage(m.encoded()));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "rejectSentToServerGetsUnexpectedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(new Reject(0, Reject.Reason.NOT_HELD));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "errorSentToServerGetsUnexpectedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(new ErrorMessage(ErrorCode.INTERNAL.code(), "client says bye"));
            c.expectErrorThenEof(UNEXPECTED);
        });
        // ---- HELLO ----
        add(l, "helloForUnknownContentIdGetsNotFoundThenClose", (c, m, f) -> {
            c.send(hello(UNKNOWN_ID));
            c.expectErrorThenEof(NOT_FOUND);
        });
        add(l, "helloWithoutContentIdGetsUnexpectedThenClose", (c, m, f) -> {
            c.send(hello(null));
            c.expectErrorThenEof(UNEXPECTED);
        });
        add(l, "helloWithBadMagicGetsBadHelloThenClose", (c, m, f) -> {
            c.sendFrame(MessageType.HELLO.code(), helloWith(m.contentId(), 0, 'Q'));
            c.expectErrorThenEof(BAD_HELLO);
        });
        add(l, "helloWithBadVersionGetsBadHelloThenClose", (c, m, f) -> {
            c.sendFrame(MessageType.HELLO.code(), helloWith(m.contentId(), 4, Wire.VERSION + 1));
            c.expectErrorThenEof(BAD_HELLO);
        });
        add(l, "helloWithUnknownRoleGetsBadHelloThenClose", (c, m, f) -> {
            c.sendFrame(MessageType.HELLO.code(), helloWith(m.contentId(), 5, 7));
            c.expectErrorThenEof(BAD_HELLO);
        });
        add(l, "helloWithContentIdCutShortGetsMalformedThenClose", (c, m, f) -> {
            byte[] p = payload(hello(m.contentId()));
            c.sendFrame(MessageType.HELLO.code(), cut(p, p.length - 10));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "helloWithTrailingByteGetsMalformedThenClose", (c, m, f) -> {
            byte[] p = payload(hello(m.contentId()));
            c.sendFrame(MessageType.HELLO.code(), Arrays.copyOf(p, p.length + 1));
            c.expectErrorThenEof(MALFORMED);
        });
        // ---- chunk indexes ----
        add(l, "requestOfIndexEqualToChunkCountGetsOutOfRangeThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(IndexMessage.request(m.chunkCount()));
            c.expectErrorThenEof(OUT_OF_RANGE);
        });
        add(l, "requestOfMaxIntIndexGetsOutOfRangeThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(IndexMessage.request(Integer.MAX_VALUE));
            c.expectErrorThenEof(OUT_OF_RANGE);
        });
        add(l, "requestOfIndexWithHighBitSetGetsMalformedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(IndexMessage.request(Integer.MIN_VALUE));
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "goodRequestThenOutOfRangeRequestGetsTheChunkThenOutOfRangeThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(IndexMessage.request(1), IndexMessage.request(m.chunkCount() + 5));
            assertEquals(1, checkChunk(c.read(), m, f));
            c.expectErrorThenEof(OUT_OF_RANGE);
        });
        add(l, "requestWithTrailingBytesGetsMalformedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.sendFrame(MessageType.REQUEST.code(), new byte[6]);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "requestWithShortIndexGetsMalformedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.sendFrame(MessageType.REQUEST.code(), new byte[3]);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "cancelOutOfRangeGetsOutOfRangeThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(IndexMessage.cancel(m.chunkCount()));
            c.expectErrorThenEof(OUT_OF_RANGE);
        });
        add(l, "haveOutOfRangeGetsOutOfRangeThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.send(IndexMessage.have(m.chunkCount()));
            c.expectErrorThenEof(OUT_OF_RANGE);
        });
        add(l, "bitfieldOfWrongLengthGetsMalformedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.sendFrame(MessageType.BITFIELD.code(), new byte[(m.chunkCount() + 7) / 8 + 1]);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "bitfieldWithSpareBitSetGetsMalformedThenClose", (c, m, f) -> {
            c.peerHello(m);
            byte[] bits = new byte[(m.chunkCount() + 7) / 8];
            Arrays.fill(bits, (byte) 0xff);
            if (m.chunkCount() % 8 == 0) {
                fail("test needs a chunk count that is not a multiple of 8: " + m.chunkCount());
            }
            c.sendFrame(MessageType.BITFIELD.code(), bits);
            c.expectErrorThenEof(MALFORMED);
        });
        add(l, "pingWithPayloadGetsMalformedThenClose", (c, m, f) -> {
            c.peerHello(m);
            c.sendFrame(MessageType.PING.code(), new byte[2]);
            c.expectErrorThenEof(MALFORMED);
        });
        return l.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    @Timeout(30)
    void badInputGetsItsErrorThenCloseWhileAGoodClientKeepsGettingChunks(Case badInput) throws Exception {
        try (RawPeerClient good = RawPeerClient.connect(server.address())) {
            good.peerHello(manifest);
            good.fetchAll(manifest, file);
            try (RawPeerClient bad = RawPeerClient.connect(server.address())) {
                badInput.run(bad, manifest, file);
            }
            good.fetchAll(manifest, file);
            await("only the good client stays connected", () -> server.connectionCount() == 1);
            good.fetch(manifest, file, manifest.chunkCount() - 1, 0);
        }
        await("no connections left", () -> server.connectionCount() == 0);
    }

    /** Every bad case from several threads at once, while one good client keeps fetching and checking chunks. */
    @Test
    @Timeout(120)
    void concurrentBadInputNeverStopsChunksToAGoodClient() throws Exception {
        List<Arguments> cases = badInputs().toList();
        try (RawPeerClient good = RawPeerClient.connect(server.address())) {
            good.peerHello(manifest);
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<?>> futures = new ArrayList<>();
            try {
                for (int t = 0; t < 6; t++) {
                    int offset = t;
                    futures.add(pool.submit(() -> {
                        for (int round = 0; round < 2; round++) {
                            for (int i = 0; i < cases.size(); i++) {
                                @SuppressWarnings("unchecked")
                                Named<Case> named = (Named<Case>) cases.get((i + offset * 5) % cases.size()).get()[0];
                                try (RawPeerClient c = RawPeerClient.connect(server.address())) {
                                    named.getPayload().run(c, manifest, file);
                                } catch (AssertionError | Exception e) {
                                    throw new AssertionError(named.getName() + ": " + e.getMessage(), e);
                                }
                            }
                        }
                        return null;
                    }));
                }
                long start = System.nanoTime();
                int fetches = 0;
                while (!futures.stream().allMatch(Future::isDone)) {
                    // one whole-file fetch per 10 ms at most: well below the per-connection frame rate limit
                    if (fetches >= (System.nanoTime() - start) / 10_000_000) {
                        LockSupport.parkNanos(1_000_000);
                        continue;
                    }
                    good.fetchAll(manifest, file);
                    fetches++;
                }
                for (Future<?> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
                good.fetchAll(manifest, file);
                assertTrue(fetches > 0);
            } finally {
                pool.shutdownNow();
            }
            await("only the good client stays connected", () -> server.connectionCount() == 1);
        }
        await("no connections left", () -> server.connectionCount() == 0);
    }

    // ---- good requests ----

    @Test
    @Timeout(30)
    void goodRequestGetsAChunkWithTheFilesBytesAtThatOffset() throws Exception {
        try (RawPeerClient c = RawPeerClient.connect(server.address())) {
            c.peerHello(manifest);
            int n = manifest.chunkCount();
            c.fetch(manifest, file, n - 1, 0, n / 2, 0, n - 1); // any order, repeats allowed once served
            for (int i = 0; i < n; i++) {
                c.send(IndexMessage.request(i));
                RawPeerClient.Frame f = c.read();
                assertEquals(MessageType.CHUNK.code(), f.type(), f.describe());
                ByteBuffer p = f.buffer();
                assertEquals(i, p.getInt(), "CHUNK: <len><type=0x26><index:u32><bytes>");
                byte[] bytes = new byte[p.remaining()];
                p.get(bytes);
                int offset = i * manifest.chunkSize();
                assertTrue(Arrays.equals(Arrays.copyOfRange(file, offset, offset + manifest.chunkLength(i)), bytes),
                        "chunk " + i);
            }
            c.send(EmptyMessage.PING);
            c.expect(MessageType.PONG, b -> b);
        }
    }

    @Test
    @Timeout(30)
    void cancelAndHaveForValidIndexesAreHarmless() throws Exception {
        try (RawPeerClient c = RawPeerClient.connect(server.address())) {
            c.peerHello(manifest);
            byte[] bits = new byte[(manifest.chunkCount() + 7) / 8];
            bits[0] = (byte) 0x80;
            c.sendBytes(frame(MessageType.BITFIELD.code(), bits));
            c.send(IndexMessage.cancel(0), IndexMessage.have(1), EmptyMessage.HAVE_ALL, EmptyMessage.PONG,
                    IndexMessage.cancel(manifest.chunkCount() - 1), EmptyMessage.PING);
            c.expect(MessageType.PONG, b -> b);
            c.fetchAll(manifest, file);
        }
    }

    @Test
    @Timeout(30)
    void lastShortChunkHasExactlyTheRemainingBytes(@TempDir Path other) throws Exception {
        byte[] odd = new byte[FILE_BYTES + 12_345];
        new Random(99).nextBytes(odd);
        Files.write(other.resolve("odd.bin"), odd);
        try (PeerServer s = PeerServer.start(PeerServer.Config.loopback(tracker.address(), other));
             RawPeerClient c = RawPeerClient.connect(s.address())) {
            Manifest m = s.manifests().get(0);
            int last = m.chunkCount() - 1;
            assertEquals(12_345, m.chunkLength(last));
            c.peerHello(m);
            c.fetch(m, odd, last, 0, last);
            c.send(IndexMessage.request(last + 1));
            c.expectErrorThenEof(OUT_OF_RANGE);
        }
    }

    @Test
    @Timeout(30)
    void fileTruncatedUnderTheServerGetsRejectUnavailableAndTheConnectionStaysUsable() throws Exception {
        int keep = manifest.chunkLength(0) + 1000; // chunk 0 whole, chunk 1 cut short, the rest gone
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("movie.bin"),
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(keep);
        }
        try (RawPeerClient c = RawPeerClient.connect(server.address())) {
            c.peerHello(manifest);
            c.fetch(manifest, file, 0);
            for (int i = 1; i < manifest.chunkCount(); i++) {
                c.send(IndexMessage.request(i));
                RawPeerClient.Frame f = c.read();
                assertEquals(MessageType.REJECT.code(), f.type(), "chunk " + i + ": " + f.describe());
                Reject r = Reject.decode(f.buffer());
                assertEquals(i, r.index());
                assertEquals(Reject.Reason.UNAVAILABLE, r.reason());
            }
            c.send(EmptyMessage.PING);
            c.expect(MessageType.PONG, b -> b);
            c.fetch(manifest, file, 0);
        }
    }

    @Test
    @Timeout(30)
    void connectionsBeyondTheLimitGetTooManyConnectionsThenCloseAndTheOthersKeepGettingChunks() throws Exception {
        PeerServer.Config config = PeerServer.Config.loopback(tracker.address(), dir);
        PeerServer.Config small = new PeerServer.Config(config.bind(), config.tracker(), config.dir(),
                0, 2, 2);
        try (PeerServer s = PeerServer.start(small)) {
            Manifest m = s.manifests().get(0);
            List<RawPeerClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    RawPeerClient c = RawPeerClient.connect(s.address());
                    c.peerHello(m);
                    open.add(c);
                }
                for (int i = 0; i < 5; i++) {
                    try (RawPeerClient extra = RawPeerClient.connect(s.address())) {
                        extra.expectErrorThenEof(ErrorCode.TOO_MANY_CONNECTIONS);
                    }
                }
                for (RawPeerClient c : open) {
                    c.fetchAll(m, file);
                }
                open.remove(0).close();
                await("a slot frees up", () -> s.connectionCount() == 1);
                RawPeerClient again = RawPeerClient.connect(s.address());
                open.add(again);
                again.peerHello(m);
                again.fetchAll(m, file);
            } finally {
                for (RawPeerClient c : open) {
                    c.close();
                }
            }
        }
    }

    // ---- a client that never reads ----

    /**
     * One client pipelines 2000 REQUESTs for chunks 0..n-1 over and over and does not read; a second client
     * is served at once; then the first reads and gets an answer to every request: a CHUNK with the right
     * bytes, or REJECT (overloaded) for requests beyond the server's queue of 256.
     */
    @Test
    @Timeout(180)
    void clientThatPipelines2000RequestsAndNeverReadsDoesNotStarveOthersAndIsServedOnceItReads() throws Exception {
        int n = manifest.chunkCount();
        int requests = 2000;
        try (RawPeerClient greedy = RawPeerClient.connect(server.address());
             RawPeerClient other = RawPeerClient.connect(server.address())) {
            greedy.peerHello(manifest);
            ByteBuffer burst = ByteBuffer.allocate(requests * (Frames.HEADER_BYTES + 4));
            for (int i = 0; i < requests; i++) {
                Frames.encode(IndexMessage.request(i % n), burst);
            }
            greedy.sendBytes(burst.array());

            long start = System.nanoTime();
            other.peerHello(manifest);
            for (int round = 0; round < 5; round++) {
                other.fetchAll(manifest, file);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 10_000, "the other client got 5 MiB in " + millis + " ms while the greedy one stalls");

            int chunks = 0;
            int rejects = 0;
            while (chunks + rejects < requests) {
                RawPeerClient.Frame f = greedy.read();
                if (f.type() == MessageType.CHUNK.code()) {
                    checkChunk(f, manifest, file);
                    chunks++;
                } else if (f.type() == MessageType.REJECT.code()) {
                    Reject r = Reject.decode(f.buffer());
                    assertEquals(Reject.Reason.OVERLOADED, r.reason(), "only overload rejects");
                    rejects++;
                } else {
                    fail("after " + chunks + " chunks and " + rejects + " rejects: " + f.describe());
                }
            }
            assertEquals(requests, chunks + rejects);
            assertTrue(chunks >= ServerSession.MAX_QUEUED_REQUESTS, "chunks served: " + chunks);
            greedy.send(EmptyMessage.PING);
            assertEquals(MessageType.PONG.code(), greedy.read().type(), "nothing more than one answer per request");
            other.fetchAll(manifest, file);
        }
        await("no connections left", () -> server.connectionCount() == 0);
    }

    /**
     * A flood of more frames in one burst than a server connection may receive per second (HAVEs, which need
     * no answer): RATE_LIMITED, then close; the good client is unaffected.
     */
    @Test
    @Timeout(60)
    void floodOfFramesBeyondTheFrameRateGetsRateLimitedThenClose() throws Exception {
        int limit = PeerServer.LIMITS.maxFramesPerSecond();
        try (RawPeerClient good = RawPeerClient.connect(server.address());
             RawPeerClient flood = RawPeerClient.connect(server.address())) {
            good.peerHello(manifest);
            flood.peerHello(manifest);
            // HELLO + limit HAVEs: the last HAVE is one frame too many, and nothing follows it
            ByteBuffer burst = ByteBuffer.allocate(limit * (Frames.HEADER_BYTES + 4));
            for (int i = 0; i < limit; i++) {
                Frames.encode(IndexMessage.have(i % manifest.chunkCount()), burst);
            }
            flood.sendBytes(burst.array());
            flood.expectErrorThenEof(RATE_LIMITED);
            good.fetchAll(manifest, file);
            await("only the good client stays connected", () -> server.connectionCount() == 1);
        }
    }

    // ---- random and mutated input ----

    @Test
    @Timeout(60)
    void randomBytesGetTheConnectionClosedWithAtMostAnError() throws Exception {
        try (RawPeerClient good = RawPeerClient.connect(server.address())) {
            good.peerHello(manifest);
            for (int seed = 1; seed <= 24; seed++) {
                Random random = new Random(seed);
                byte[] bytes = new byte[1 + random.nextInt(4096)];
                random.nextBytes(bytes);
                RawPeerClient.Ending end = sendRandom(bytes, seed % 2 == 0);
                assertTrue(end.frames().size() <= 1, "seed " + seed + ": at most one ERROR");
                for (RawPeerClient.Frame f : end.frames()) {
                    assertEquals(MessageType.ERROR.code(), f.type(), "seed " + seed + ": " + f.describe());
                    assertTrue(INPUT_ERRORS.contains(ErrorCode.of(ErrorMessage.decode(f.buffer()).code())), f.describe());
                }
                if (seed % 6 == 0) {
                    good.fetchAll(manifest, file);
                }
            }
            good.fetchAll(manifest, file);
            await("only the good client stays connected", () -> server.connectionCount() == 1);
        }
    }

    /**
     * Mutated copies of valid peer frames after a good HELLO, each followed by a PING probe: the server either
     * accepts the frame (answers it with a correct CHUNK or REJECT, then PONG) or sends ERROR with an input
     * error code and closes; it never closes silently, and a good client keeps getting chunks.
     */
    @Test
    @Timeout(120)
    void mutatedFramesAfterHelloGetAnAnswerOrAnErrorNeverASilentClose() throws Exception {
        Random random = new Random(4242);
        int n = manifest.chunkCount();
        byte[] bits = new byte[(n + 7) / 8];
        bits[0] = (byte) 0x80;
        List<byte[]> bases = List.of(encoded(IndexMessage.request(0)), encoded(IndexMessage.request(n - 1)),
                encoded(IndexMessage.cancel(1)), encoded(IndexMessage.have(2)), frame(MessageType.BITFIELD.code(), bits),
                encoded(EmptyMessage.HAVE_ALL), encoded(EmptyMessage.PONG), encoded(hello(manifest.contentId())));
        int accepted = 0;
        int refused = 0;
        try (RawPeerClient good = RawPeerClient.connect(server.address())) {
            good.peerHello(manifest);
            for (int i = 0; i < 300; i++) {
                byte[] base = bases.get(random.nextInt(bases.size()));
                int type = base[4] & 0xff;
                byte[] body = Arrays.copyOfRange(base, Frames.HEADER_BYTES, base.length);
                switch (random.nextInt(4)) {
                    case 0 -> body = cut(body, random.nextInt(body.length + 1));
                    case 1 -> body = Arrays.copyOf(body, body.length + 1 + random.nextInt(6));
                    case 2 -> type = random.nextInt(256);
                    default -> {
                        for (int k = 1 + random.nextInt(3); k > 0 && body.length > 0; k--) {
                            int[] specials = {0x00, 0xff, 0x7f, 0x80, 0x01, random.nextInt(256)};
                            body[random.nextInt(body.length)] = (byte) specials[random.nextInt(specials.length)];
                        }
                    }
                }
                if (type == MessageType.PING.code()) {
                    type = MessageType.PONG.code();
                }
                String what = "mutation " + i + ": type 0x" + Integer.toHexString(type) + " payload " + Arrays.toString(body);
                try (RawPeerClient c = RawPeerClient.connect(server.address())) {
                    c.peerHello(manifest);
                    byte[] f = frame(type, body);
                    byte[] both = Arrays.copyOf(f, f.length + Frames.HEADER_BYTES);
                    System.arraycopy(encoded(EmptyMessage.PING), 0, both, f.length, Frames.HEADER_BYTES);
                    c.sendBytes(both);
                    while (true) {
                        RawPeerClient.Frame r;
                        try {
                            r = c.readOrEof();
                        } catch (SocketException reset) {
                            throw new AssertionError(what + ": connection reset without an ERROR", reset);
                        }
                        if (r == null) {
                            fail(what + ": closed without an ERROR");
                        }
                        if (r.type() == MessageType.PONG.code()) {
                            accepted++;
                            break;
                        } else if (r.type() == MessageType.ERROR.code()) {
                            ErrorMessage e = ErrorMessage.decode(r.buffer());
                            assertTrue(INPUT_ERRORS.contains(ErrorCode.of(e.code())), what + ": " + e.codeName() + " " + e.message());
                            assertTrue(c.readUntilClosed(true).frames().isEmpty(), what + ": frames after ERROR");
                            refused++;
                            break;
                        } else if (r.type() == MessageType.CHUNK.code()) {
                            checkChunk(r, manifest, file);
                        } else {
                            assertEquals(MessageType.REJECT.code(), r.type(), what + ": " + r.describe());
                        }
                    }
                }
                if (i % 25 == 0) {
                    good.fetchAll(manifest, file);
                }
            }
            good.fetchAll(manifest, file);
            await("only the good client stays connected", () -> server.connectionCount() == 1);
        }
        assertTrue(refused > 50, "most mutations are refused: " + refused);
        assertTrue(accepted > 0, "some mutations stay valid: " + accepted);
    }

    // ---- truncated frames ----

    static Stream<Arguments> truncations() {
        List<Arguments> list = new ArrayList<>();
        List<Message> messages = List.of(hello(UNKNOWN_ID), IndexMessage.request(0), IndexMessage.cancel(0),
                IndexMessage.have(0), EmptyMessage.PING);
        for (Message m : messages) {
            int length = encoded(m).length;
            for (int cutAt : new TreeSet<>(List.of(1, 3, 4, 5, length / 2, length - 1))) {
                if (cutAt > 0 && cutAt < length) {
                    list.add(Arguments.of(m.type(), m, cutAt));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "truncated {0} cut after {2} bytes then close: server closes, good client unaffected")
    @MethodSource("truncations")
    @Timeout(30)
    void truncatedFrameFollowedByCloseIsDroppedAndGoodClientUnaffected(MessageType type, Message m, int cutAt)
            throws Exception {
        try (RawPeerClient good = RawPeerClient.connect(server.address())) {
            good.peerHello(manifest);
            try (RawPeerClient c = RawPeerClient.connect(server.address())) {
                Message sent = m;
                if (type == MessageType.HELLO) {
                    sent = hello(manifest.contentId());
                } else {
                    c.peerHello(manifest);
                }
                c.sendBytes(cut(encoded(sent), cutAt));
                c.shutdownOutput();
                for (RawPeerClient.Frame f : c.readUntilClosed(false).frames()) {
                    assertEquals(MessageType.ERROR.code(), f.type(), "only an ERROR may come back: " + f.describe());
                }
            }
            await("only the good client stays connected", () -> server.connectionCount() == 1);
            good.fetchAll(manifest, file);
        }
    }

    @Test
    @Timeout(30)
    void clientResetInTheMiddleOfChunksDoesNotDisturbTheServer() throws Exception {
        for (int i = 0; i < 10; i++) {
            RawPeerClient c = RawPeerClient.connect(server.address());
            c.peerHello(manifest);
            ByteBuffer b = ByteBuffer.allocate(100 * (Frames.HEADER_BYTES + 4));
            for (int k = 0; k < 100; k++) {
                Frames.encode(IndexMessage.request(k % manifest.chunkCount()), b);
            }
            c.sendBytes(b.array());
            checkChunk(c.read(), manifest, file);
            c.abort();
        }
        await("reset connections are closed", () -> server.connectionCount() == 0);
        try (RawPeerClient good = RawPeerClient.connect(server.address())) {
            good.peerHello(manifest);
            good.fetchAll(manifest, file);
        }
    }

    @Test
    @Timeout(30)
    void trackerStillListsTheServerAfterBadInput() throws Exception {
        for (Arguments a : badInputs().toList()) {
            @SuppressWarnings("unchecked")
            Named<Case> named = (Named<Case>) a.get()[0];
            try (RawPeerClient c = RawPeerClient.connect(server.address())) {
                named.getPayload().run(c, manifest, file);
            } catch (AssertionError | Exception e) {
                throw new AssertionError(named.getName() + ": " + e.getMessage(), e);
            }
        }
        try (RawPeerClient t = RawPeerClient.connect(tracker.address(), Wire.MAX_CONTROL_FRAME_BYTES)) {
            t.trackerHello(0);
            t.send(Lookup.byContentId(manifest.contentId(), 10));
            Peers p = t.expect(MessageType.PEERS, Peers::decode);
            assertTrue(p.found());
            assertEquals(1, p.peers().size());
            assertEquals(server.peerId(), p.peers().get(0).peerId());
            assertEquals(new InetSocketAddress("127.0.0.1", server.address().getPort()), p.peers().get(0).address());
        }
    }

    // ---- helpers ----

    private RawPeerClient.Ending sendRandom(byte[] bytes, boolean helloFirst) throws Exception {
        try (RawPeerClient c = RawPeerClient.connect(server.address())) {
            if (helloFirst) {
                c.peerHello(manifest);
            }
            try {
                c.sendBytes(bytes);
            } catch (IOException e) {
                // the server may close (and reset) before it has read all of it
            }
            return c.readUntilClosed(true);
        }
    }
}
