package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.SecureStreams;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.Role;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.PublisherKey;

/**
 * A viewer that joins while the publisher's input is stalled sees only old chunks: that is the stream's edge,
 * not a replay. (It used to take the newest chunk's age for a replay, ban the publisher, and get nothing once
 * the stream resumed.) The publisher here signs its first chunks as if published 67 s and more ago, so the
 * test need not wait out a stall.
 */
class LiveStallJoinTest {
    private static final int CHUNK = 16 * 1024;
    private static final int OLD = 20;
    private static final int FRESH = 30;
    private static final long STALL_MICROS = TimeUnit.SECONDS.toMicros(67);

    @HostileCase(value = "Live viewer joining 67 s into the publisher's input stall (its newest chunk is 67 s old)",
            expect = "the old edge is taken for the edge, not a replay: no honest peer banned, and once the input"
                    + " resumes the viewer writes every chunk published after the stall and sees the signed end",
            section = HostileCase.FORGERIES)
    @Timeout(60)
    void aViewerJoiningDuringAnInputStallGetsTheStreamOnceItResumes(Trial trial) throws Exception {
        PublisherKey key = PublisherKey.generate();
        long now = System.currentTimeMillis() * 1000;
        LiveManifest manifest = new LiveManifest("stalled", CHUNK, key.publicKey(), now - STALL_MICROS - 10_000_000);
        try (StalledPublisher publisher = new StalledPublisher(key, manifest, now - STALL_MICROS);
             FakeTracker tracker = new FakeTracker(lookup -> new Peers(manifest.contentId(), "stalled", -1, CHUNK,
                     List.of(new Peers.Entry(publisher.address(), publisher.peerId(), true))))) {
            TestLive.Watched w = TestLive.watch(Watch.Config.of(tracker.address(), "stalled")
                    .withPeerAddresses(List.of(publisher.address())).withNoPeerTimeoutMillis(20_000));
            assertTrue(publisher.resumed.get(), "the stream never resumed: nothing was tested");
            byte[] fresh = publisher.bytes(OLD, OLD + FRESH);
            byte[] out = w.output();
            assertTrue(out.length >= fresh.length, "wrote " + out.length + " bytes (expected: the " + FRESH
                    + " chunks after the stall)");
            assertArrayEquals(fresh, Arrays.copyOfRange(out, out.length - fresh.length, out.length),
                    "the output does not end with the chunks published after the stall");
            assertTrue(w.stats().live().ended(), w.stats().summary());
            trial.record("chunks published after the stall, all written", FRESH);
            trial.record("bytes written", out.length);
        }
    }

    /** A publisher whose first chunks are old (its input stalled); once asked for one, it resumes and ends. */
    private static final class StalledPublisher implements AutoCloseable {
        private final ServerSocket socket;
        private final PublisherKey key;
        private final LiveManifest manifest;
        private final Map<Integer, byte[]> chunks = new ConcurrentHashMap<>();
        private final Map<Integer, Long> times = new ConcurrentHashMap<>();
        final AtomicBoolean resumed = new AtomicBoolean();

        StalledPublisher(PublisherKey key, LiveManifest manifest, long lastOldMicros) throws IOException {
            this.key = key;
            this.manifest = manifest;
            Random random = new Random(5);
            for (int i = 0; i < OLD; i++) {
                byte[] b = new byte[CHUNK];
                random.nextBytes(b);
                chunks.put(i, b);
                times.put(i, lastOldMicros - (OLD - 1 - i) * 250_000L);
            }
            SecureStreams.warmUp(); // before any viewer connects: its first handshake is not the slow one
            this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::serveOne, "stalled-publisher");
            t.setDaemon(true);
            t.start();
        }

        /** The id its handshake proves: the raw clients' one. */
        PeerId peerId() {
            return RawClient.PEER_ID;
        }

        InetSocketAddress address() {
            return new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort());
        }

        byte[] bytes(int from, int to) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int i = from; i < to; i++) {
                b.writeBytes(chunks.get(i));
            }
            return b.toByteArray();
        }

        private void serveOne() {
            try (Socket s = socket.accept()) {
                SecureStreams io = SecureStreams.accept(s.getInputStream(), s.getOutputStream(), RawClient.KEY);
                DataInputStream in = new DataInputStream(io.in);
                DataOutputStream out = new DataOutputStream(io.out);
                RawFrames.readFrame(in); // HELLO
                RawFrames.write(out, new Hello(Role.SERVER, RawClient.PEER_ID, 0, manifest.contentId()));
                RawFrames.write(out, new ManifestMessage(manifest.encoded()));
                for (int i = 0; i < OLD; i++) {
                    RawFrames.write(out, IndexMessage.have(i));
                }
                while (true) {
                    byte[] frame = RawFrames.readFrame(in);
                    int type = frame[0] & 0xff;
                    if (type == MessageType.PING.code()) {
                        RawFrames.write(out, EmptyMessage.PONG);
                    } else if (type == MessageType.REQUEST.code()) {
                        int index = ByteBuffer.wrap(frame, 1, 4).getInt();
                        byte[] b = chunks.get(index);
                        if (b != null) {
                            long t = times.get(index);
                            RawFrames.writeChunk(out, new LiveChunkHeader(index, t,
                                    key.signChunk(manifest.contentId(), index, t, Manifest.sha256().digest(b))), b);
                        }
                        if (resumed.compareAndSet(false, true)) {
                            Thread r = new Thread(() -> resume(out), "stalled-publisher-resume");
                            r.setDaemon(true);
                            r.start();
                        }
                    }
                }
            } catch (IOException e) {
                // the viewer left
            }
        }

        /** The input flows again: fresh chunks every 50 ms, each announced, then the signed end. */
        private void resume(DataOutputStream out) {
            Random random = new Random(6);
            try {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
                for (int i = OLD; i < OLD + FRESH; i++) {
                    byte[] b = new byte[CHUNK];
                    random.nextBytes(b);
                    chunks.put(i, b);
                    times.put(i, System.currentTimeMillis() * 1000);
                    RawFrames.write(out, IndexMessage.have(i));
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a publisher's pace
                }
                int count = OLD + FRESH;
                long endMicros = System.currentTimeMillis() * 1000;
                RawFrames.write(out,
                        new LiveEnd(count, endMicros, key.signEnd(manifest.contentId(), count, endMicros)));
            } catch (IOException e) {
                // the viewer left
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
