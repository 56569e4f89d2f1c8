package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import p2pstream.common.data.BufferData;
import p2pstream.common.net.RawClient.Frame;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;

/**
 * Loopback test helpers for bare event loops: the any-port address, running a task on a loop, a handler that
 * records frames and one that echoes them.
 */
public final class Loopback {
    static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    static final long WAIT_MILLIS = Await.WAIT_MILLIS;

    private Loopback() {
    }

    /** Runs {@code task} on the loop thread and returns its result. */
    public static <T> T onLoop(EventLoop loop, Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    static Frame copy(int type, ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        return new Frame(type, bytes);
    }

    /** Records what happens to a connection: open, frames (copied), close. */
    static class Recorder implements ConnectionHandler {
        final CountDownLatch opened = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        final List<Thread> callbackThreads = new CopyOnWriteArrayList<>();
        volatile Connection connection;
        volatile String closeReason;

        @Override
        public void onOpen(Connection c) {
            callbackThreads.add(Thread.currentThread());
            connection = c;
            opened.countDown();
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            callbackThreads.add(Thread.currentThread());
            frames.add(copy(type, payload.duplicate()));
        }

        @Override
        public void onClose(String reason) {
            callbackThreads.add(Thread.currentThread());
            closeReason = reason;
            closed.countDown();
        }

        Frame take() throws InterruptedException {
            Frame f = frames.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (f == null) {
                fail("timed out waiting for a frame");
            }
            return f;
        }
    }

    /** Answers PING with PONG, rejects unknown types, echoes every other frame back unchanged. */
    static class EchoHandler extends Recorder {
        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            MessageType.of(type);
            super.onFrame(type, payload);
            if (type == MessageType.PING.code()) {
                connection.send(EmptyMessage.PONG);
                return;
            }
            ByteBuffer echo = ByteBuffer.allocate(Frames.HEADER_BYTES + payload.remaining());
            echo.putInt(1 + payload.remaining()).put((byte) type).put(payload).flip();
            connection.send(BufferData.of(echo));
        }
    }
}
