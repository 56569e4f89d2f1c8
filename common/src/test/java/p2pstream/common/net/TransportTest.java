package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static p2pstream.common.net.Await.await;
import static p2pstream.common.net.Loopback.ANY_PORT;
import static p2pstream.common.net.Loopback.onLoop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.data.Data;
import p2pstream.common.data.FileData;
import p2pstream.common.net.Loopback.EchoHandler;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.Message;

/**
 * Every byte a connection reads or writes passes through its transport, frames and file regions alike: a
 * transport that changes every byte on the wire leaves the frames the handler sees as they were sent.
 */
@Timeout(60)
class TransportTest {
    @TempDir
    Path dir;

    /** Flips bits of every byte both ways: the smallest transport that is not the identity. */
    static final class XorTransport implements Transport {
        static final byte KEY = 0x5a;
        private final ByteBuffer scratch = ByteBuffer.allocate(8 * 1024);

        @Override
        public int read(ReadableByteChannel socket, ByteBuffer into) throws IOException {
            int start = into.position();
            int n = socket.read(into);
            for (int i = start; i < start + Math.max(n, 0); i++) {
                into.put(i, (byte) (into.get(i) ^ KEY));
            }
            return n;
        }

        @Override
        public long write(Data data, WritableByteChannel socket, long maxBytes) throws IOException {
            return data.writeTo(new WritableByteChannel() {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    scratch.clear();
                    int count = Math.min(src.remaining(), scratch.capacity());
                    for (int i = 0; i < count; i++) {
                        scratch.put((byte) (src.get(src.position() + i) ^ KEY));
                    }
                    int n = socket.write(scratch.flip());
                    src.position(src.position() + n); // only what the socket took is consumed
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return socket.isOpen();
                }

                @Override
                public void close() {
                }
            }, maxBytes);
        }
    }

    static byte[] xor(byte[] bytes) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] ^= XorTransport.KEY;
        }
        return out;
    }

    static byte[] frame(Message m) {
        return Frames.encode(m).array();
    }

    @Test
    void framesAndFileRegionsCrossATransportThatChangesEveryByteOnTheWire() throws Exception {
        byte[] content = new byte[200 * 1024];
        new SplittableRandom(3).nextBytes(content);
        Path file = Files.write(dir.resolve("region"), content);
        byte[] manifest = new byte[3_000];
        new SplittableRandom(4).nextBytes(manifest);
        EchoHandler server = new EchoHandler();
        try (EventLoop loop = new EventLoop("transport").start();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(ANY_PORT);
             RawClient client = RawClient.connect((InetSocketAddress) listener.getLocalAddress());
             FileChannel region = FileChannel.open(file)) {
            var accepted = listener.accept();
            onLoop(loop, () -> loop.register(accepted, server, Limits.CONTROL, new XorTransport()));

            client.sendBytes(xor(frame(EmptyMessage.PING)));
            byte[] pong = new byte[Frames.HEADER_BYTES];
            client.readFully(pong);
            assertArrayEquals(frame(EmptyMessage.PONG), xor(pong));

            byte[] big = frame(new ManifestMessage(manifest));
            client.sendBytes(xor(big));
            byte[] echo = new byte[big.length];
            client.readFully(echo);
            assertArrayEquals(big, xor(echo), "a frame larger than the first read buffer, both ways");

            await(server.opened, "server open");
            onLoop(loop, () -> {
                server.connection.send(new FileData(region, 0, content.length));
                return null;
            });
            byte[] got = new byte[content.length];
            client.readFully(got);
            assertArrayEquals(content, xor(got), "a file region goes through the transport too, not around it");
        }
    }
}
