package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.peer.client.RawFrames.array;
import static p2pstream.peer.client.RawFrames.readFrame;
import static p2pstream.peer.client.RawFrames.write;
import static p2pstream.peer.client.RawFrames.writeChunk;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.SecureStreams;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Role;
import p2pstream.peer.store.LiveChunk;

/** Where a viewer starts when the announcements of what its peers hold reach it a few at a time. */
class LiveJoinTest {
    private static final long LATENCY_MILLIS = 2_000;
    private static final long HAVE_GAP_MILLIS = 15;

    @Test
    @Timeout(60)
    void aViewerStartsAtTheEdgeWhenAPeersFirstHavesArriveSlowly() throws Exception {
        try (TestLive live = TestLive.start("slow-haves", 400_000, 12_000, 0, 1);
             ServerSocket relay = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            SecureStreams.warmUp(); // before the viewer starts: the relay's first handshake is not the slow one
            live.awaitChunks(30, 20_000); // about 5 s of stream: its first HAVEs name chunks long past the latency
            CompletableFuture<Integer> announced = CompletableFuture.supplyAsync(() -> relaySlowly(relay, live));
            TestLive.Watched w = TestLive.watch(live.config().withPeerAddresses(
                    List.of(new InetSocketAddress("127.0.0.1", relay.getLocalPort()))));

            assertTrue(announced.get(30, TimeUnit.SECONDS) >= 30, "the relay's first burst of HAVEs");
            int start = live.startOf(w.output());
            assertTrue(start > 0, "output is the stream from chunk " + start + " (expected: near the edge): "
                    + live.explain(w.output()));
            long behind = w.startMillis() - live.published.get(start).publishMicros() / 1000;
            assertTrue(behind <= LATENCY_MILLIS + 500, "the first chunk written was published " + behind
                    + " ms before the viewer joined (expected: at most the latency, 2000 ms, and a margin)");
            assertEquals(0, w.stats().live().skipped(), w.stats().summary());
            assertTrue(w.stats().live().ended(), w.stats().summary());
        }
    }


    /**
     * A relay holding everything published that announces its window one HAVE at a time, {@code HAVE_GAP_MILLIS}
     * apart, oldest first, before it reads anything after the viewer's HELLO; then it answers PING and serves the
     * genuine chunks. Returns how many HAVEs its first burst sent.
     */
    private static int relaySlowly(ServerSocket server, TestLive live) {
        int burst = 0;
        try (Socket s = server.accept()) {
            s.setSoTimeout(30_000);
            SecureStreams io = SecureStreams.accept(s.getInputStream(), s.getOutputStream(), RawClient.KEY);
            DataInputStream in = new DataInputStream(io.in);
            DataOutputStream out = new DataOutputStream(io.out);
            readFrame(in); // the viewer's HELLO
            write(out, new Hello(Role.CLIENT, RawClient.PEER_ID, 0, live.manifest.contentId()));
            write(out, new ManifestMessage(live.manifest.encoded()));
            int held = live.published.size();
            for (int i = 0; i < held; i++) {
                write(out, IndexMessage.have(i));
                burst++;
                // pacing the burst is the scenario
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(HAVE_GAP_MILLIS));
            }
            Thread news = new Thread(() -> live.announceAsPublished(out, held, 0, true), "relay-haves");
            news.setDaemon(true);
            news.start();
            while (true) {
                byte[] frame = readFrame(in);
                int type = frame[0] & 0xff;
                if (type == MessageType.PING.code()) {
                    write(out, EmptyMessage.PONG);
                } else if (type == MessageType.REQUEST.code()) {
                    LiveChunk c = live.published.get(ByteBuffer.wrap(frame, 1, 4).getInt());
                    writeChunk(out, c.header(), array(c.bytes()));
                }
            }
        } catch (IOException e) {
            return burst; // the viewer hung up at the end of the stream
        }
    }
}
