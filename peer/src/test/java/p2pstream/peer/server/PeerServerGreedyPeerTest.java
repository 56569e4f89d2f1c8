package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.peer.server.PeerSteps.fetchAll;
import static p2pstream.peer.server.PeerSteps.peerHello;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.EventLoopGroup;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Loopback;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ProtocolException;

/**
 * A peer that pipelines 100,000 REQUESTs and never reads: its serving connection stops reading once its queue
 * passes the high watermark, so the backlog waits in TCP, memory stays bounded, and another client on the
 * same loop keeps getting the file. The sessions are real {@link ServerSession}s over the fixture's
 * peer-server, accepted on one loop by an acceptor the test watches, so the greedy connection's queued bytes
 * can be read after every callback.
 */
class PeerServerGreedyPeerTest extends PeerServerFixture {
    private static final long MiB = 1024 * 1024;

    /** Passes every callback to a session and keeps the peak of its connection's queued bytes. Loop thread. */
    static final class Watched implements ConnectionHandler {
        private final ServerSession session;
        volatile Connection connection;
        final AtomicLong peakPendingBytes = new AtomicLong();

        Watched(ServerSession session) {
            this.session = session;
        }

        @Override
        public void onOpen(Connection c) {
            connection = c;
            session.onOpen(c);
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            session.onFrame(type, payload);
            peakPendingBytes.accumulateAndGet(connection.pendingBytes(), Math::max);
        }

        @Override
        public void onWritable() {
            session.onWritable();
            peakPendingBytes.accumulateAndGet(connection.pendingBytes(), Math::max);
        }

        @Override
        public void onClose(String reason) {
            session.onClose(reason);
        }
    }

    @HostileCase(value = "Never reading: 100,000 REQUESTs pipelined (peer-server)",
            expect = "the server stops reading it at the 8 MiB watermark: queued bytes, heap and direct memory bounded;"
                    + " another client on the same loop gets the file with identical bytes",
            section = HostileCase.FLOODS)
    @Timeout(60)
    void peerThatPipelinesRequestsAndNeverReadsIsHeldAtTheWatermarkWhileAnotherIsServed(Trial trial) throws Exception {
        List<Watched> sessions = new CopyOnWriteArrayList<>();
        try (EventLoopGroup group = new EventLoopGroup("greedy-test", 1);
             Acceptor acceptor = Acceptor.open(group, new InetSocketAddress("127.0.0.1", 0), () -> {
                 Watched w = new Watched(new ServerSession(server));
                 sessions.add(w);
                 return w;
             }, PeerServer.LIMITS.withIdleTimeoutMillis(30_000), 10, 10, null, Acceptor.ERROR_FRAME,
                     StaticKey.of(Identity.generate()))) {
            long heapBefore = usedHeapAfterGc();
            long directBefore = directMemory();
            int requests = 100_000;
            ByteBuffer burst = ByteBuffer.allocate(requests * (Frames.HEADER_BYTES + 4));
            for (int i = 0; i < requests; i++) {
                Frames.encode(IndexMessage.request(i % manifest.chunkCount()), burst);
            }
            RawClient greedy = PeerSteps.connect(acceptor.localAddress());
            try {
                peerHello(greedy, manifest);
                Watched served = sessions.get(0);
                CompletableFuture.runAsync(() -> {
                    try {
                        greedy.sendBytes(burst.array()); // may block once TCP holds all the server does not read
                    } catch (IOException e) {
                        // closed at the end of the test while still blocked
                    }
                });
                EventLoop loop = served.connection.loop();
                await("the greedy connection to pass its high watermark",
                        () -> onLoopTest(loop, () -> !served.connection.isWritable()));

                int rounds = 3;
                try (RawClient other = PeerSteps.connect(acceptor.localAddress())) {
                    peerHello(other, manifest);
                    for (int round = 0; round < rounds; round++) {
                        fetchAll(other, manifest, file); // every chunk checked against the file's bytes
                    }
                }
                long read = Loopback.onLoop(loop, served.connection::bytesRead);
                long heapGrowth = usedHeapAfterGc() - heapBefore;
                long directGrowth = directMemory() - directBefore;
                long peak = served.peakPendingBytes.get();
                trial.record("peak queued MiB for the greedy connection", peak / (double) MiB);
                trial.record("REQUEST KiB read by the server", read / 1024.0);
                trial.record("REQUEST KiB sent by the greedy peer", burst.capacity() / 1024.0);
                trial.record("heap growth MiB", heapGrowth / (double) MiB);
                trial.record("direct memory growth MiB", directGrowth / (double) MiB);
                trial.record("rounds of the file another client got with identical bytes", rounds);

                long bound = PeerServer.LIMITS.highWatermarkBytes() + manifest.chunkSize() + 64 * 1024;
                assertTrue(peak <= bound, "queued for the greedy peer: " + peak + " bytes (expected: <= "
                        + bound + ")");
                assertTrue(read < burst.capacity() / 10, "REQUEST bytes read: " + read + " of " + burst.capacity());
                assertTrue(heapGrowth < 16 * MiB, "heap growth: " + heapGrowth + " bytes");
                assertTrue(directGrowth < 16 * MiB, "direct memory growth: " + directGrowth + " bytes");
            } finally {
                greedy.abort();
            }
            await("the greedy connection closed", () -> acceptor.connectionCount() == 0);
        }
    }

    /** {@link Loopback#onLoop} for a condition polled by {@code await}. */
    private static boolean onLoopTest(EventLoop loop, Callable<Boolean> condition) {
        try {
            return Loopback.onLoop(loop, condition);
        } catch (Exception e) {
            throw new AssertionError("task on " + loop + " failed", e);
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long directMemory() {
        long used = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                used += pool.getMemoryUsed();
            }
        }
        return used;
    }
}
