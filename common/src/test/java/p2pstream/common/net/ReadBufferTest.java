package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The read buffer's memory follows the bytes received, never the lengths announced. */
class ReadBufferTest {

    private static void receive(ReadBuffer buffer, int bytes) {
        ByteBuffer b = buffer.bytes();
        b.position(b.position() + bytes);
    }

    /** As the connection does after a read: flip, let the inbound take {@code taken} bytes, fit, compact. */
    private static void take(ReadBuffer buffer, int taken, int needBytes) {
        ByteBuffer in = buffer.bytes().flip();
        in.position(in.position() + taken);
        buffer.fit(needBytes);
        buffer.bytes().compact();
    }

    @Test
    void growsByDoublingOnlyWhileTheNextUnitsBytesFillIt() {
        try (EventLoop loop = new EventLoop("read-buffer")) {
            ReadBuffer buffer = new ReadBuffer(loop, 64 * 1024);
            assertEquals(ReadBuffer.INITIAL_BYTES, loop.readBufferBytes());

            receive(buffer, 100);
            take(buffer, 0, 64 * 1024);
            assertEquals(ReadBuffer.INITIAL_BYTES, buffer.bytes().capacity(), "a 64 KiB length alone grows nothing");

            receive(buffer, ReadBuffer.INITIAL_BYTES - 100);
            take(buffer, 0, 64 * 1024);
            assertEquals(2 * ReadBuffer.INITIAL_BYTES, buffer.bytes().capacity(), "full: doubled, not 64 KiB at once");
            assertEquals(ReadBuffer.INITIAL_BYTES, buffer.bytes().position(), "the bytes received moved along");

            receive(buffer, ReadBuffer.INITIAL_BYTES);
            take(buffer, 0, 5_000);
            assertEquals(5_000, buffer.bytes().capacity(), "never beyond the unit");
            assertEquals(5_000, loop.readBufferBytes());

            receive(buffer, 5_000 - 2 * ReadBuffer.INITIAL_BYTES);
            take(buffer, 5_000, -1);
            assertEquals(ReadBuffer.INITIAL_BYTES, buffer.bytes().capacity(), "emptied: back to the initial size");
            assertEquals(ReadBuffer.INITIAL_BYTES, loop.readBufferBytes());

            buffer.release();
            assertEquals(0, loop.readBufferBytes());
        }
    }

    @Test
    void aBulkConnectionReadsInLargeGulpsAndKeepsItsBuffer() {
        try (EventLoop loop = new EventLoop("read-buffer")) {
            ReadBuffer buffer = new ReadBuffer(loop, 4 * 1024 * 1024);
            assertEquals(1024 * 1024, buffer.bytes().capacity());
            receive(buffer, 1024 * 1024);
            take(buffer, 0, 4 * 1024 * 1024);
            assertEquals(2 * 1024 * 1024, buffer.bytes().capacity());
            take(buffer, 1024 * 1024, -1);
            assertEquals(2 * 1024 * 1024, buffer.bytes().capacity(), "a bulk buffer is not shrunk between chunks");
        }
    }

    @Test
    void aBufferForTinyFramesIsNoLargerThanOneFrame() {
        try (EventLoop loop = new EventLoop("read-buffer")) {
            assertEquals(104, new ReadBuffer(loop, 100).bytes().capacity());
        }
    }
}
