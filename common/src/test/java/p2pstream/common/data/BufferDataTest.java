package p2pstream.common.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BufferDataTest {

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    @Test
    void writesEverythingThroughPartialWrites() throws Exception {
        byte[] bytes = pattern(10_000);
        BufferData data = BufferData.of(ByteBuffer.wrap(bytes));
        TrickleChannel channel = new TrickleChannel(777);
        int calls = 0;
        while (data.remaining() > 0) {
            long before = data.remaining();
            long written = data.writeTo(channel);
            assertEquals(Math.min(777, before), written);
            assertEquals(before - written, data.remaining());
            calls++;
        }
        assertEquals((10_000 + 776) / 777, calls);
        assertArrayEquals(bytes, channel.taken.toByteArray());
    }

    @Test
    void writesAtMostMaxBytesAndKeepsTheRest() throws Exception {
        byte[] bytes = pattern(100);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        BufferData data = BufferData.of(buffer);
        TrickleChannel channel = new TrickleChannel(Integer.MAX_VALUE);
        assertEquals(30, data.writeTo(channel, 30));
        assertEquals(70, data.remaining());
        assertEquals(100, buffer.limit(), "the buffer's limit is restored after a capped write");
        assertEquals(0, data.writeTo(channel, 0));
        assertEquals(70, data.remaining());
        assertEquals(70, data.writeTo(channel, 1_000));
        assertEquals(0, data.remaining());
        assertEquals(0, data.writeTo(channel, 10));
        assertArrayEquals(bytes, channel.taken.toByteArray());
    }

    @Test
    void capsAtTheSmallerOfMaxBytesAndWhatTheChannelTakes() throws Exception {
        BufferData data = BufferData.of(ByteBuffer.wrap(pattern(100)));
        TrickleChannel channel = new TrickleChannel(10);
        assertEquals(10, data.writeTo(channel, 50));
        channel.perCall = 50;
        assertEquals(5, data.writeTo(channel, 5));
        channel.perCall = 0;
        assertEquals(0, data.writeTo(channel, 50), "a full channel takes nothing");
        assertEquals(85, data.remaining());
    }

    @Test
    void writesOnlyTheBuffersRemainingBytes() throws Exception {
        byte[] bytes = pattern(50);
        ByteBuffer buffer = ByteBuffer.allocateDirect(50).put(bytes).flip().position(10).limit(40);
        BufferData data = BufferData.of(buffer);
        assertEquals(30, data.remaining());
        TrickleChannel channel = new TrickleChannel(Integer.MAX_VALUE);
        assertEquals(30, data.writeTo(channel));
        assertArrayEquals(Arrays.copyOfRange(bytes, 10, 40), channel.taken.toByteArray());
    }
}
