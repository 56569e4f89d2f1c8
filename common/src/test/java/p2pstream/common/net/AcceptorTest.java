package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.Loopback.ANY_PORT;
import static p2pstream.common.net.Loopback.onLoop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Loopback.EchoHandler;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Wire;

/** The listening side: what a bind failure says, what a flood of length prefixes costs, a loop's death. */
@Timeout(30)
class AcceptorTest {
    private final EventLoopGroup group = new EventLoopGroup("acceptor", 1);

    @AfterEach
    void stop() {
        group.close();
    }

    @Test
    void aPortInUseIsNamedInTheError() throws Exception {
        try (Acceptor first = Acceptor.open(group, ANY_PORT, EchoHandler::new, Limits.CONTROL, 8, null)) {
            InetSocketAddress taken = first.localAddress();
            IOException e = assertThrows(IOException.class,
                    () -> Acceptor.open(group, taken, EchoHandler::new, Limits.CONTROL, 8, null));
            assertEquals("cannot listen on " + taken.getAddress().getHostAddress() + ":" + taken.getPort()
                    + ": Address already in use", e.getMessage());
        }
    }

    /**
     * A secure listener lets the connections a punch makes share its port (SO_REUSEPORT, PROTOCOL.md section 11),
     * never a second listener: a port in use fails as it does without that option.
     */
    @Test
    void aPortInUseIsRefusedToASecureListenerToo() throws Exception {
        StaticKey key = StaticKey.of(Identity.generate());
        try (Acceptor first = Acceptor.open(group, ANY_PORT, EchoHandler::new, Limits.CONTROL, 8, 8, null,
                Acceptor.ERROR_FRAME, key)) {
            InetSocketAddress taken = first.localAddress();
            IOException e = assertThrows(IOException.class, () -> Acceptor.open(group, taken, EchoHandler::new,
                    Limits.CONTROL, 8, 8, null, Acceptor.ERROR_FRAME, StaticKey.of(Identity.generate())));
            assertEquals("cannot listen on " + taken.getAddress().getHostAddress() + ":" + taken.getPort()
                    + ": Address already in use", e.getMessage());
        }
    }

    /**
     * 1,000 connections each send only the length prefix of a largest control frame: they hold small read
     * buffers (what their bytes need), not a frame-sized buffer each.
     */
    @HostileCase(value = "Length prefixes of a 64 KiB frame on 1,000 connections, no more bytes (any acceptor)",
            expect = "read buffers stay at the small initial size per connection (no frame-sized buffer per prefix)",
            section = HostileCase.FLOODS)
    void lengthPrefixesAloneDoNotAllocateFrameSizedBuffers(Trial trial) throws Exception {
        int count = 1_000;
        List<Loopback.Recorder> handlers = new CopyOnWriteArrayList<>();
        List<SocketChannel> clients = new ArrayList<>();
        try (Acceptor acceptor = Acceptor.open(group, ANY_PORT, () -> {
            Loopback.Recorder h = new Loopback.EchoHandler();
            handlers.add(h);
            return h;
        }, Limits.CONTROL, count, null)) {
            ByteBuffer prefix = ByteBuffer.allocate(4).putInt(0, Wire.MAX_CONTROL_FRAME_BYTES);
            for (int i = 0; i < count; i++) {
                SocketChannel c = SocketChannel.open(acceptor.localAddress());
                clients.add(c);
                c.write(prefix.duplicate());
            }
            EventLoop loop = group.loops().get(0);
            await("every prefix read", () -> bytesRead(loop, handlers) == 4L * count);
            long held = onLoop(loop, loop::readBufferBytes);
            trial.record("read-buffer KiB held per connection", held / 1024.0 / count);
            assertTrue(held <= (long) count * ReadBuffer.INITIAL_BYTES,
                    "read buffers: " + held + " bytes (expected: <= " + count + " x " + ReadBuffer.INITIAL_BYTES + ")");
            for (SocketChannel c : clients) {
                c.close();
            }
            await("every connection closed", () -> acceptor.connectionCount() == 0);
            assertEquals(0L, (long) onLoop(loop, loop::readBufferBytes),
                    "read buffers held once every connection closed");
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
        }
    }

    private static long bytesRead(EventLoop loop, List<Loopback.Recorder> handlers) {
        try {
            return onLoop(loop, () -> handlers.stream()
                    .mapToLong(h -> h.connection == null ? 0 : h.connection.bytesRead()).sum());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A loop that dies of an Error ends a program's process with a non-zero status, even while main waits forever. */
    @Test
    void aLoopDyingOfAnErrorEndsTheProcess(@TempDir Path tmp) throws Exception {
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), DyingLoop.class.getName())
                .redirectErrorStream(true).redirectOutput(err.toFile()).start();
        try {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the process still runs 30 s after its loop died");
            String output = Files.readString(err);
            assertEquals(FatalExit.STATUS, p.exitValue(), output);
            // CHECKSTYLE.SUPPRESS: FullyQualifiedName (the class name is the text of the log line, not code)
            assertTrue(output.contains("event loop dying-0 died: java.lang.OutOfMemoryError"), output);
        } finally {
            p.destroyForcibly();
        }
    }

    /** A program whose loop dies of OutOfMemoryError, also while closing, and whose main thread never returns. */
    static final class DyingLoop {
        public static void main(String[] args) throws InterruptedException {
            EventLoopGroup group = new EventLoopGroup("dying", 1);
            FatalExit.onLoopDeath(group, "dying");
            EventLoop loop = group.loops().get(0);
            loop.execute(() -> {
                loop.execute(() -> {
                    throw new OutOfMemoryError("again, while closing");
                });
                throw new OutOfMemoryError("direct buffer memory (simulated)");
            });
            Thread.currentThread().join(); // as a main waiting for a shutdown signal
        }
    }

    /**
     * One address opens the per-address limit and 10 more: the extra ones get TOO_MANY_CONNECTIONS then EOF,
     * a client from 127.0.0.2 is still served, and a slot freed by a close is taken again.
     */
    @HostileCase(value = "One address opens 10 connections beyond its per-address limit of 8 (any acceptor)",
            expect = "each extra gets ERROR TOO_MANY_CONNECTIONS then EOF; a client from another address is served;"
                    + " a closed connection frees its address's slot", section = HostileCase.FLOODS)
    void oneAddressCannotTakeEverySlot(Trial trial) throws Exception {
        int perAddress = 8;
        int extras = 10;
        List<RawClient> held = new ArrayList<>();
        try (Acceptor acceptor = Acceptor.open(group, ANY_PORT, Loopback.EchoHandler::new, Limits.CONTROL, 100,
                perAddress, null)) {
            InetSocketAddress at = acceptor.localAddress();
            for (int i = 0; i < perAddress; i++) {
                RawClient c = RawClient.connect(at);
                held.add(c);
                c.send(EmptyMessage.PING).expect(MessageType.PONG, b -> b);
            }
            for (int i = 0; i < extras; i++) {
                try (RawClient extra = RawClient.connect(at)) {
                    extra.expectErrorThenEof(ErrorCode.TOO_MANY_CONNECTIONS);
                }
            }
            trial.record("extras from one address refused with TOO_MANY_CONNECTIONS then EOF", extras);
            try (RawClient other = RawClient.connectFrom(InetAddress.getByName("127.0.0.2"), at)) {
                other.send(EmptyMessage.PING).expect(MessageType.PONG, b -> b);
            }
            held.remove(0).close();
            await("the closed connection's slot is free", () -> acceptor.connectionCount() == perAddress - 1);
            RawClient again = RawClient.connect(at);
            held.add(again);
            again.send(EmptyMessage.PING).expect(MessageType.PONG, b -> b);
        } finally {
            for (RawClient c : held) {
                c.close();
            }
        }
    }
}
