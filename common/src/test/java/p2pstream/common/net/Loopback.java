package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import p2pstream.common.data.BufferData;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;

/** Loopback test helpers: a raw blocking client, an echo handler, waiting on conditions with a deadline. */
final class Loopback {
    static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    static final long WAIT_MILLIS = 10_000;

    private Loopback() {
    }

    /** Polls {@code condition} until it holds; fails after the deadline. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            fail("timed out waiting for: " + what);
        }
    }

    /** Runs {@code task} on the loop thread and returns its result. */
    static <T> T onLoop(EventLoop loop, Callable<T> task) throws Exception {
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

    /** One frame as bytes: type and a copy of the payload. */
    record Frame(int type, byte[] payload) {
        ErrorMessage error() throws ProtocolException {
            assertEquals(MessageType.ERROR.code(), type, "expected an ERROR frame");
            return ErrorMessage.decode(ByteBuffer.wrap(payload));
        }
    }

    static Frame copy(int type, ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        return new Frame(type, bytes);
    }

    /** A blocking java.net.Socket client that speaks frames by hand. */
    static final class RawClient implements AutoCloseable {
        final Socket socket = new Socket();
        final DataInputStream in;
        final OutputStream out;

        RawClient(InetSocketAddress server) throws IOException {
            this(server, 0);
        }

        /** @param receiveBuffer SO_RCVBUF to ask for before connecting, 0 for the default */
        RawClient(InetSocketAddress server, int receiveBuffer) throws IOException {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.setSoTimeout((int) WAIT_MILLIS);
            socket.connect(server, (int) WAIT_MILLIS);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void send(Message... messages) throws IOException {
            int size = 0;
            for (Message m : messages) {
                size += Frames.HEADER_BYTES + m.payloadLength();
            }
            ByteBuffer all = ByteBuffer.allocate(size);
            for (Message m : messages) {
                Frames.encode(m, all);
            }
            out.write(all.array()); // one write: the frames arrive together
            out.flush();
        }

        void sendRaw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void sendRaw(int... bytes) throws IOException {
            byte[] b = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                b[i] = (byte) bytes[i];
            }
            sendRaw(b);
        }

        Frame read() throws IOException {
            int length = in.readInt();
            int type = in.readUnsignedByte();
            byte[] payload = new byte[length - 1];
            in.readFully(payload);
            return new Frame(type, payload);
        }

        /** Reads an ERROR frame with {@code code}, then the server's end of stream. */
        ErrorMessage readErrorThenEof(ErrorCode code) throws IOException, ProtocolException {
            ErrorMessage error = read().error();
            assertEquals(code.code(), error.code(), error.message());
            assertEof();
            return error;
        }

        void assertEof() throws IOException {
            try {
                assertEquals(-1, in.read(), "expected the server to close the connection");
            } catch (EOFException expected) {
                // closed
            }
        }

        /** A PING answered by a PONG: the server still serves this connection. */
        void assertServed() throws IOException {
            send(EmptyMessage.PING);
            assertEquals(MessageType.PONG.code(), read().type());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
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
