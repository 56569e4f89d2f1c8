package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.peer.client.RawFrames.array;
import static p2pstream.peer.client.RawFrames.readFrame;
import static p2pstream.peer.client.RawFrames.write;
import static p2pstream.peer.client.RawFrames.writeChunk;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.RecordingRelay;
import p2pstream.common.net.SecureStreams;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.Manifest;


/**
 * A peer that claims to be a viewer and answers every request with a forged, altered or replayed chunk: the
 * viewer rejects it, drops the liar, and still writes the true stream from the publisher.
 */
class LiveForgeryTest {

    enum Lie {
        /** The right chunk with one byte flipped: the signature no longer matches. */
        BAD_SIGNATURE,
        /** A genuine chunk, but one the liar never announced, so the viewer cannot have asked it for it. */
        WRONG_INDEX,
        /** A genuine chunk's signature and bytes under the index asked for. */
        ALTERED_INDEX,
        /**
         * The asked index, validly signed by the publisher's key, but published ten minutes ago: an old chunk replayed.
         */
        STALE_REPLAY,
        /** Announces chunks far beyond the edge and never answers a request. */
        NEVER_DELIVERS,
        /** Answers with a frame claiming 2 MiB, far above the stream's 64 KiB chunks. */
        OVERSIZED
    }

    private static final String EXPECT = "the liar is dropped (and banned) and contributes no byte;"
            + " the viewer writes the publisher's true stream from where it joined, no chunk skipped,"
            + " and ends with the stream";

    @HostileCase(value = "Live chunk with a bad signature (one byte flipped) from a peer posing as a viewer",
            expect = EXPECT, section = HostileCase.FORGERIES)
    @Timeout(60)
    void aChunkWithABadSignatureIsRejectedAndItsSenderDropped(Trial trial) throws Exception {
        watchWithLiar(Lie.BAD_SIGNATURE, trial);
    }

    @HostileCase(value = "Live chunk the viewer never asked for (a genuine one) from a peer posing as a viewer",
            expect = "ERROR UNEXPECTED then EOF; " + EXPECT, section = HostileCase.FORGERIES)
    @Timeout(60)
    void anUnrequestedChunkIsAProtocolError(Trial trial) throws Exception {
        watchWithLiar(Lie.WRONG_INDEX, trial);
    }

    @HostileCase(value = "Live chunk whose index was altered (a genuine signature and bytes of another index)",
            expect = EXPECT, section = HostileCase.FORGERIES)
    @Timeout(60)
    void aChunkWithAnAlteredIndexIsRejectedAndItsSenderDropped(Trial trial) throws Exception {
        watchWithLiar(Lie.ALTERED_INDEX, trial);
    }

    @HostileCase(value = "Live chunk replayed: the index asked for, signed by the publisher's key, published 10 minutes"
            + " ago", expect = EXPECT, section = HostileCase.FORGERIES)
    @Timeout(60)
    void aReplayedChunkIsRejectedAndItsSenderDropped(Trial trial) throws Exception {
        watchWithLiar(Lie.STALE_REPLAY, trial);
    }

    @HostileCase(value = "Live peer announcing chunks 40 past the edge and never answering a request",
            expect = "its requests lapse and it is dropped; the viewer joins on what others hold; " + EXPECT,
            section = HostileCase.FORGERIES)
    @Timeout(60)
    void aPeerThatAnnouncesAndNeverDeliversCannotHoldTheViewer(Trial trial) throws Exception {
        watchWithLiar(Lie.NEVER_DELIVERS, trial);
    }

    @HostileCase(value = "Live frame claiming 2 MiB on a stream of 64 KiB chunks", expect = "ERROR FRAME_TOO_LARGE then"
            + " EOF as soon as the length is read (nothing buffered for it); " + EXPECT,
            section = HostileCase.FORGERIES)
    @Timeout(60)
    void aFrameLargerThanTheStreamsChunksIsRefusedAtItsLength(Trial trial) throws Exception {
        watchWithLiar(Lie.OVERSIZED, trial);
    }

    @HostileCase(value = "A peer posing as a viewer hands a public live stream's viewer a grant it signed itself (after"
            + " HELLO, as an owner would), then refuses it FORBIDDEN", expect = "the grant is not taken (the tracker"
            + " gave none: the stream is public and stays so) and the refusal is that one peer's; " + EXPECT,
            section = HostileCase.FORGERIES)
    @Timeout(60)
    void aGrantFromAPeerCannotMakeAPublicStreamPrivate(Trial trial) throws Exception {
        try (TestLive live = TestLive.start("granted", 200_000, 8_000, 0, 0);
             ServerSocket evil = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             RecordingRelay far = new RecordingRelay(live.server.address(), -1, 500)) {
            SecureStreams.warmUp();
            live.awaitChunks(12, 10_000);
            CompletableFuture<String> handed = CompletableFuture.supplyAsync(() -> RawFrames.grantThenRefuse(evil,
                    live.manifest.contentId(), live.manifest.encoded()), r -> {
                Thread t = new Thread(r, "granting liar");
                t.setDaemon(true);
                t.start();
            });
            InetSocketAddress liar = new InetSocketAddress("127.0.0.1", evil.getLocalPort());
            TestLive.Watched w = TestLive.watch(live.config().withPeerAddresses(List.of(liar, far.address())));
            assertEquals("granted and refused", handed.get(30, TimeUnit.SECONDS));
            int start = live.startOf(w.output());
            assertTrue(start >= 0, "output is not the true stream: " + live.explain(w.output()));
            assertTrue(w.stats().live().ended(), w.stats().summary());
            assertEquals(0, w.stats().live().skipped(), w.stats().summary());
            trial.record("chunks the viewer wrote, all true", w.stats().live().chunks());
        }
    }

    private static void watchWithLiar(Lie lie, Trial trial) throws Exception {
        try (TestLive live = TestLive.start("forged", 200_000, 8_000, 0, 0);
             ServerSocket evil = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             // the publisher reached through a relay that holds each connection half a second: the liar is ready,
             // and asked, first, however the threads are scheduled
             RecordingRelay far = new RecordingRelay(live.server.address(), -1, 500)) {
            SecureStreams.warmUp(); // before the viewer starts: the liar's first handshake is not the slow one
            live.awaitChunks(12, 10_000);
            // its own thread: the common pool may have one, still held by another test's liar
            CompletableFuture<EvilReport> report = CompletableFuture.supplyAsync(() -> serveLies(evil, live, lie),
                    r -> {
                        Thread t = new Thread(r, "liar");
                        t.setDaemon(true);
                        t.start();
                    });
            InetSocketAddress publisher = far.address();
            InetSocketAddress liar = new InetSocketAddress("127.0.0.1", evil.getLocalPort());
            TestLive.Watched w = TestLive.watch(live.config().withPeerAddresses(List.of(liar, publisher)));

            EvilReport r = report.get(30, TimeUnit.SECONDS);
            assertTrue(r.lies() >= 1, "the liar was never asked for a chunk: " + r);
            assertTrue(r.closedOnIt(), "the viewer kept the liar's connection open");
            if (lie == Lie.WRONG_INDEX) {
                assertEquals(ErrorCode.UNEXPECTED, r.error(),
                        "an unrequested chunk is a protocol error; the liar's connection: " + r);
            } else if (lie == Lie.OVERSIZED) {
                assertEquals(ErrorCode.FRAME_TOO_LARGE, r.error(),
                        "a frame above the stream's chunk size; the liar's connection: " + r);
            } else if (lie == Lie.NEVER_DELIVERS) {
                assertEquals(0, w.stats().hashFailures(), "nothing was delivered to reject");
            } else {
                assertTrue(w.stats().hashFailures() >= 1, "rejected chunks: " + w.stats().summary());
            }
            int start = live.startOf(w.output());
            assertTrue(start >= 0, "output is not the true stream: " + live.explain(w.output()));
            assertTrue(w.stats().live().ended());
            assertEquals(0, w.stats().live().skipped(), w.stats().summary());
            assertTrue(w.stats().peers().stream().filter(p -> p.address().endsWith(":" + evil.getLocalPort()))
                    .allMatch(p -> p.bytes() == 0), "bytes were taken from the liar: " + w.stats().peers());
            trial.record("requests the liar answered with a lie (or ignored)", r.lies());
            trial.record("chunks rejected by the viewer", w.stats().hashFailures());
            trial.record("chunks the viewer wrote, all true", w.stats().live().chunks());
            trial.record("seconds the viewer watched", w.stats().millis() / 1000.0);
        }
    }

    /**
     * How the liar's connection went: lies told, whether the viewer closed it, the viewer's ERROR, and the frames it
     * sent.
     */
    record EvilReport(int lies, boolean closedOnIt, ErrorCode error, String ending, List<String> frames) {
    }

    /** Plays a viewer that holds everything and answers every REQUEST with {@code lie}; reports how it ended. */
    private static EvilReport serveLies(ServerSocket server, TestLive live, Lie lie) {
        int lies = 0;
        ErrorCode error = null;
        List<String> frames = new ArrayList<>();
        try (Socket s = server.accept()) {
            s.setSoTimeout(20_000);
            SecureStreams io = SecureStreams.accept(s.getInputStream(), s.getOutputStream(), RawClient.KEY);
            DataInputStream in = new DataInputStream(io.in);
            DataOutputStream out = new DataOutputStream(io.out);
            readFrame(in); // the viewer's HELLO
            write(out, new Hello(Role.CLIENT, RawClient.PEER_ID, 0, live.manifest.contentId()));
            write(out, new ManifestMessage(live.manifest.encoded()));
            Thread haves = new Thread(() -> live.announceAsPublished(out, 1, lie == Lie.NEVER_DELIVERS ? 40 : 0, false),
                    "evil-haves");
            haves.setDaemon(true);
            haves.start();
            while (true) {
                byte[] frame = readFrame(in);
                int type = frame[0] & 0xff;
                frames.add(MessageType.of(type)
                        + (frame.length == 5 ? " " + ByteBuffer.wrap(frame, 1, 4).getInt() : ""));
                if (type == MessageType.ERROR.code()) {
                    error = ErrorCode.of(ErrorMessage.decode(ByteBuffer.wrap(frame, 1, frame.length - 1)).code());
                } else if (type == MessageType.REQUEST.code() && lie == Lie.NEVER_DELIVERS) {
                    lies++;
                } else if (type == MessageType.REQUEST.code()
                        && (lie != Lie.WRONG_INDEX && lie != Lie.OVERSIZED || lies == 0)) {
                    // one unrequested chunk is enough: then only listen, so the viewer's ERROR is read, not lost
                    // to a reset while answering pipelined requests
                    int index = ByteBuffer.wrap(frame, 1, 4).getInt();
                    lies++;
                    try {
                        sendLie(out, live, lie, index);
                    } catch (IOException e) {
                        // the viewer may have answered and closed before all of the lie was written: read its ERROR
                    }
                }
            }
        } catch (EOFException e) {
            return new EvilReport(lies, true, error, "EOF", frames);
        } catch (SocketTimeoutException e) {
            return new EvilReport(lies, false, error, e.toString(), frames);
        } catch (IOException e) {
            // reset, or a broken pipe while still answering pipelined requests
            return new EvilReport(lies, true, error, e.toString(), frames);
        } catch (ProtocolException e) {
            throw new IllegalStateException("the viewer sent a malformed ERROR", e);
        }
    }

    private static void sendLie(DataOutputStream out, TestLive live, Lie lie, int index) throws IOException {
        LiveChunk asked = live.published.get(index);
        LiveChunk other = live.published.get(index > 0 ? index - 1 : index + 1);
        switch (lie) {
            case BAD_SIGNATURE -> {
                ByteBuffer bytes = asked.bytes();
                byte[] b = new byte[bytes.remaining()];
                bytes.get(b);
                b[b.length / 2] ^= 1;
                writeChunk(out, asked.header(), b);
            }
            case WRONG_INDEX -> writeChunk(out, live.published.get(0).header(), array(live.published.get(0).bytes()));
            case ALTERED_INDEX -> writeChunk(out,
                    new LiveChunkHeader(index, other.publishMicros(), other.header().signature()),
                    array(other.bytes()));
            case STALE_REPLAY -> {
                long old = System.currentTimeMillis() * 1000 - TimeUnit.MINUTES.toMicros(10);
                byte[] b = array(asked.bytes());
                byte[] signature = live.key.signChunk(live.manifest.contentId(), index, old,
                        Manifest.sha256().digest(b));
                writeChunk(out, new LiveChunkHeader(index, old, signature), b);
            }
            case NEVER_DELIVERS -> throw new IllegalStateException("a liar that never delivers sends no chunk");
            case OVERSIZED -> {
                // the length of a frame never sent whole; in one write, since the viewer may close on reading
                // the length
                ByteBuffer head = ByteBuffer.allocate(9).putInt(2 * 1024 * 1024)
                        .put((byte) MessageType.LIVE_CHUNK.code()).putInt(index);
                synchronized (out) {
                    out.write(head.array());
                    out.flush();
                }
            }
        }
    }
}
