package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.Loopback.ANY_PORT;
import static p2pstream.common.net.Loopback.onLoop;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.data.FileData;
import p2pstream.common.net.Loopback.Recorder;
import p2pstream.common.wire.Wire;

/**
 * A file region queued on a connection is released once, whether it is written in full, dropped by a close, or
 * sent after the close: a peer-server's bounded cache of open files counts on it to close channels safely.
 */
@Timeout(60)
class ConnectionReleaseTest {
    private static final int FILE_BYTES = 8 * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void aRegionIsReleasedWhenWrittenWhenDroppedByACloseAndWhenSentAfterIt() throws Exception {
        Path file = Files.write(dir.resolve("data"), new byte[FILE_BYTES]);
        Recorder server = new Recorder();
        AtomicInteger written = new AtomicInteger();
        AtomicInteger dropped = new AtomicInteger();
        AtomicInteger late = new AtomicInteger();
        try (FileChannel channel = FileChannel.open(file);
             EventLoopGroup group = new EventLoopGroup("release", 1);
             Acceptor acceptor = Acceptor.open(group, ANY_PORT, () -> server, Limits.CONTROL, 10, null);
             RawClient client = RawClient.connect(acceptor.localAddress(), Wire.MAX_CONTROL_FRAME_BYTES, 16 * 1024)) {
            await(server.opened, "server open");
            EventLoop loop = server.connection.loop();
            onLoop(loop, () -> {
                server.connection.send(new FileData(channel, 0, 1_000, written::incrementAndGet));
                return null;
            });
            client.readFully(new byte[1_000]);
            await("the written region released", () -> written.get() == 1);

            // the client reads nothing more: 8 MiB cannot all leave, the rest is dropped by the close
            onLoop(loop, () -> {
                server.connection.send(new FileData(channel, 0, FILE_BYTES, dropped::incrementAndGet));
                return null;
            });
            assertEquals(0, dropped.get(), "released while still queued");
            onLoop(loop, () -> {
                server.connection.close("test");
                server.connection.send(new FileData(channel, 0, 10, late::incrementAndGet));
                return null;
            });
            assertEquals(1, dropped.get(), "the region dropped by the close");
            assertEquals(1, late.get(), "the region sent after the close");
            assertTrue(channel.isOpen(), "the connection never closes the file itself");
        }
        assertEquals(1, written.get());
    }
}
