package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.Loopback.ANY_PORT;
import static p2pstream.common.net.Loopback.onLoop;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.Loopback.EchoHandler;
import p2pstream.common.net.Loopback.Recorder;
import p2pstream.common.net.RawClient.Frame;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Wire;

@Timeout(30)
class EventLoopTest {

    @Test
    void executeFromAnotherThreadRunsOnTheLoopThread() throws Exception {
        try (EventLoop loop = new EventLoop("exec").start()) {
            assertFalse(loop.inEventLoop());
            CompletableFuture<Thread> ran = new CompletableFuture<>();
            CompletableFuture<Boolean> inLoop = new CompletableFuture<>();
            loop.execute(() -> {
                inLoop.complete(loop.inEventLoop());
                ran.complete(Thread.currentThread());
            });
            assertEquals("exec", ran.get(10, TimeUnit.SECONDS).getName());
            assertNotEquals(Thread.currentThread(), ran.get());
            assertTrue(inLoop.get());
        }
    }

    @Test
    void runsEveryTaskFromManyThreadsInEachThreadsOrder() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        try (EventLoop loop = new EventLoop("many").start()) {
            List<List<Integer>> seen = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                seen.add(new ArrayList<>()); // touched only by the loop thread
            }
            CountDownLatch done = new CountDownLatch(threads * perThread);
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                producers.add(new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int n = i;
                        loop.execute(() -> {
                            seen.get(id).add(n);
                            done.countDown();
                        });
                    }
                }));
            }
            producers.forEach(Thread::start);
            await(done, "all tasks");
            List<List<Integer>> copy = onLoop(loop, () -> List.copyOf(seen));
            for (List<Integer> s : copy) {
                assertEquals(perThread, s.size());
                for (int i = 0; i < perThread; i++) {
                    assertEquals(i, s.get(i));
                }
            }
        }
    }

    @Test
    void keepsRunningAfterATaskThrows() throws Exception {
        try (EventLoop loop = new EventLoop("throwing").start()) {
            loop.execute(() -> {
                throw new IllegalStateException("expected by the test");
            });
            assertEquals("still here", onLoop(loop, () -> "still here"));
        }
    }

    @Test
    void firesTimersInDeadlineOrderAndSkipsCancelledOnes() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        try (EventLoop loop = new EventLoop("fake", now::get)) {
            loop.runOnce(0); // this thread is now the loop thread
            List<String> fired = new ArrayList<>();
            loop.schedule(30, () -> fired.add("30"));
            loop.schedule(10, () -> fired.add("10a"));
            loop.schedule(20, () -> fired.add("20"));
            loop.schedule(10, () -> fired.add("10b"));
            // CHECKSTYLE.SUPPRESS: FullyQualifiedName (the loop's Timeout; JUnit's @Timeout is imported)
            p2pstream.common.net.Timeout cancelled = loop.schedule(15, () -> fired.add("15"));
            loop.schedule(0, () -> fired.add("0"));
            cancelled.cancel();

            loop.runOnce(0);
            assertEquals(List.of("0"), fired);
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(9));
            loop.runOnce(0);
            assertEquals(List.of("0"), fired, "nothing is due at 9 ms");
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
            loop.runOnce(0);
            assertEquals(List.of("0", "10a", "10b"), fired, "same deadline: in scheduling order");
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
            loop.runOnce(0);
            assertEquals(List.of("0", "10a", "10b", "20", "30"), fired);
            cancelled.cancel(); // harmless after its time
        }
    }

    @Test
    void firesTimersOnARunningLoopInOrder() throws Exception {
        try (EventLoop loop = new EventLoop("timers").start()) {
            List<Integer> fired = new CopyOnWriteArrayList<>();
            CountDownLatch last = new CountDownLatch(1);
            loop.execute(() -> {
                loop.schedule(60, () -> {
                    fired.add(60);
                    last.countDown();
                });
                loop.schedule(20, () -> fired.add(20));
                loop.schedule(1, () -> fired.add(1));
                loop.schedule(5, () -> fired.add(5)).cancel();
                // CHECKSTYLE.SUPPRESS: FullyQualifiedName (the loop's Timeout; JUnit's @Timeout is imported)
                p2pstream.common.net.Timeout late = loop.schedule(40, () -> fired.add(40));
                loop.schedule(10, late::cancel);
            });
            await(last, "the last timer");
            assertEquals(List.of(1, 20, 60), fired);
        }
    }

    @Test
    @Timeout(30)
    void servesFramesToAClientThatConnectsFromALoop() throws Exception {
        List<EchoHandler> servers = new CopyOnWriteArrayList<>();
        try (EventLoopGroup group = new EventLoopGroup("srv", 2);
             EventLoop clientLoop = new EventLoop("cli").start();
             Acceptor acceptor = Acceptor.open(group, ANY_PORT, () -> {
                 EchoHandler h = new EchoHandler();
                 servers.add(h);
                 return h;
             }, Limits.CONTROL, 100, null)) {
            Recorder client = new Recorder();
            byte[] big = new byte[Wire.MAX_CONTROL_FRAME_BYTES - 1]; // the largest control frame: grows the read buffer
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i ^ (i >>> 8));
            }
            Connection c = onLoop(clientLoop, () -> {
                Connection conn = clientLoop.connect(acceptor.localAddress(), client, Limits.CONTROL);
                assertEquals(Connection.State.CONNECTING, conn.state());
                conn.send(IndexMessage.request(1)); // queued until the connection opens
                conn.send(new ListStreams("bunny", 2));
                conn.send(new ManifestMessage(big));
                return conn;
            });
            await(client.opened, "client open");
            Frame first = client.take();
            assertEquals(MessageType.REQUEST.code(), first.type());
            assertEquals(IndexMessage.request(1),
                    IndexMessage.decode(MessageType.REQUEST, ByteBuffer.wrap(first.payload())));
            Frame second = client.take();
            assertEquals(MessageType.LIST.code(), second.type());
            assertEquals(new ListStreams("bunny", 2), ListStreams.decode(ByteBuffer.wrap(second.payload())));
            Frame third = client.take();
            assertEquals(MessageType.MANIFEST.code(), third.type());
            assertArrayEquals(big, third.payload());
            assertEquals(1, servers.size());
            assertEquals(3, servers.get(0).frames.size());
            assertTrue(onLoop(clientLoop, c::isOpen));

            onLoop(clientLoop, () -> {
                c.close("done");
                return null;
            });
            await(client.closed, "client close");
            assertEquals("done", client.closeReason);
            await(servers.get(0).closed, "server side close");
            assertEquals("closed by peer", servers.get(0).closeReason);
            await("connection count back to 0", () -> acceptor.connectionCount() == 0);
            client.callbackThreads.forEach(t -> assertEquals("cli", t.getName()));
            servers.get(0).callbackThreads.forEach(t -> assertTrue(t.getName().startsWith("srv-"), t.getName()));
        }
    }

    @Test
    void reportsAFailedConnectThroughOnClose() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket s = new ServerSocket(0, 1, ANY_PORT.getAddress())) {
            closed = (InetSocketAddress) s.getLocalSocketAddress();
        }
        try (EventLoop loop = new EventLoop("refused").start()) {
            Recorder client = new Recorder();
            onLoop(loop, () -> loop.connect(closed, client, Limits.CONTROL));
            await(client.closed, "onClose after a refused connect");
            assertTrue(client.closeReason.startsWith("connect failed"), client.closeReason);
            assertEquals(1, client.opened.getCount(), "onOpen must not be called");
        }
    }

    @Test
    void handsAcceptedConnectionsToTheGroupsLoopsInTurn() throws Exception {
        List<EchoHandler> servers = Collections.synchronizedList(new ArrayList<>());
        try (EventLoopGroup group = new EventLoopGroup("rr", 2);
             Acceptor acceptor = Acceptor.open(group, ANY_PORT, () -> {
                 EchoHandler h = new EchoHandler();
                 servers.add(h);
                 return h;
             }, Limits.CONTROL, 100, null);
             RawClient a = RawClient.connect(acceptor.localAddress());
             RawClient b = RawClient.connect(acceptor.localAddress())) {
            a.assertServed();
            b.assertServed();
            assertEquals(2, servers.size());
            assertNotEquals(servers.get(0).callbackThreads.get(0), servers.get(1).callbackThreads.get(0));
        }
    }

    @Test
    void closingTheGroupClosesItsConnections() throws Exception {
        EchoHandler server = new EchoHandler();
        EventLoopGroup group = new EventLoopGroup("closing", 1);
        try (Acceptor acceptor = Acceptor.open(group, ANY_PORT, () -> server, Limits.CONTROL, 10, null);
             RawClient client = RawClient.connect(acceptor.localAddress())) {
            client.assertServed();
            group.close();
            await(server.closed, "onClose");
            assertEquals("event loop closed", server.closeReason);
            client.expectEof();
        } finally {
            group.close();
        }
    }
}
