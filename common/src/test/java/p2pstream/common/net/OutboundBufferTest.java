package p2pstream.common.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.FileData;
import p2pstream.common.data.TrickleChannel;
import p2pstream.common.net.OutboundBuffer.Flush;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.Message;

/** The outbound queue on a channel that takes at most N bytes a write, like Netty's ChannelOutboundBuffer tests. */
class OutboundBufferTest {
    private static final long HIGH = 100;
    private static final long LOW = 40;

    @TempDir
    Path dir;

    private final TrickleChannel channel = new TrickleChannel(Integer.MAX_VALUE);
    private final Events events = new Events();
    private final OutboundBuffer buffer = new OutboundBuffer(HIGH, LOW, Transport.PLAINTEXT, channel, events);

    /** Counts each callback. */
    static final class Events implements OutboundBuffer.Listener {
        int unwritable;
        int writable;
        int drained;

        @Override
        public void onUnwritable() {
            unwritable++;
        }

        @Override
        public void onWritable() {
            writable++;
        }

        @Override
        public void onDrained() {
            drained++;
        }
    }

    private static BufferData bytes(int count, int value) {
        byte[] b = new byte[count];
        Arrays.fill(b, (byte) value);
        return BufferData.of(ByteBuffer.wrap(b));
    }

    private static byte[] frame(Message m) {
        return Frames.encode(m).array();
    }

    private static ManifestMessage frameOf(int frameBytes) {
        return new ManifestMessage(new byte[frameBytes - Frames.HEADER_BYTES]);
    }

    @Test
    void crossingTheHighWatermarkUpAndTheLowOneDownFiresOnceEach() throws IOException {
        buffer.add(bytes(60, 1));
        buffer.checkHighWatermark();
        assertEquals(0, events.unwritable, "60 bytes: below the high watermark");
        buffer.add(bytes(60, 2));
        buffer.checkHighWatermark();
        buffer.add(bytes(10, 3));
        buffer.checkHighWatermark();
        assertEquals(1, events.unwritable, "crossed once, however often checked above it");
        assertFalse(buffer.isWritable());
        assertTrue(buffer.isUnwritable());

        channel.perCall = 50;
        assertEquals(Flush.CHANNEL_FULL, buffer.write());
        buffer.checkDrained();
        assertEquals(80, buffer.pendingBytes());
        assertEquals(0, events.writable, "80 bytes: above the low watermark");
        assertTrue(buffer.isWritable(), "below the high watermark, more may be queued");
        assertTrue(buffer.isUnwritable(), "yet still backed up until the low watermark");

        assertEquals(Flush.CHANNEL_FULL, buffer.write());
        buffer.checkDrained();
        buffer.checkDrained();
        assertEquals(20, buffer.pendingBytes());
        assertEquals(1, events.writable, "fell to the low watermark once");
        assertFalse(buffer.isUnwritable());

        buffer.add(bytes(100, 4));
        buffer.checkHighWatermark();
        assertEquals(2, events.unwritable, "a new crossing fires again");
    }

    @Test
    void writesPartiallyAndResumesWhereItStopped() throws IOException {
        buffer.add(bytes(10, 1));
        buffer.add(bytes(20, 2));
        buffer.add(bytes(30, 3));
        channel.perCall = 7;
        int passes = 0;
        while (buffer.write() == Flush.CHANNEL_FULL) {
            passes++;
        }
        // the channel took 7 | 3,7 | 7 | 6,7 | 7 | 7 | 7 | 2: a pass goes on past a finished item and ends at the
        // first short write into an unfinished one
        assertEquals(7, passes);
        assertEquals(10, channel.writes);
        byte[] expected = new byte[60];
        Arrays.fill(expected, 0, 10, (byte) 1);
        Arrays.fill(expected, 10, 30, (byte) 2);
        Arrays.fill(expected, 30, 60, (byte) 3);
        assertArrayEquals(expected, channel.taken.toByteArray());
        assertEquals(0, buffer.pendingBytes());
        assertEquals(60, buffer.writtenBytes());
        assertTrue(buffer.isEmpty());
    }

    @Test
    void aChannelThatTakesNothingLeavesEverythingQueued() throws IOException {
        Path file = Files.write(dir.resolve("region"), new byte[1_000]);
        try (FileChannel f = FileChannel.open(file)) {
            buffer.add(bytes(10, 1));
            buffer.add(new FileData(f, 0, 1_000));
            channel.perCall = 0;
            assertEquals(Flush.CHANNEL_FULL, buffer.write(), "no error: a file region refused is not a truncated file");
            assertEquals(Flush.CHANNEL_FULL, buffer.write());
            assertEquals(1_010, buffer.pendingBytes());
            assertEquals(0, buffer.writtenBytes());
            assertEquals(2, buffer.size());

            channel.perCall = 10;
            assertEquals(Flush.CHANNEL_FULL, buffer.write(), "the header leaves whole, the region in part");
            assertEquals(1, buffer.size());
            assertEquals(990, buffer.pendingBytes());
            channel.perCall = Integer.MAX_VALUE;
            assertEquals(Flush.EMPTY, buffer.write());
            assertEquals(1_010, channel.taken.size());
        }
    }

    @Test
    void coalescesSmallFramesOnlyBehindOthersAndUpToTheSharedBufferSize() throws IOException {
        assertFalse(buffer.coalesce(EmptyMessage.PING), "nothing queued: the frame leaves on its own, at once");
        buffer.add(bytes(10, 9));
        int perBuffer = OutboundBuffer.COALESCE_BUFFER_BYTES / Frames.HEADER_BYTES;
        for (int i = 0; i < perBuffer; i++) {
            assertTrue(buffer.coalesce(EmptyMessage.PING));
        }
        assertEquals(2, buffer.size(), perBuffer + " PINGs share one buffer");
        assertTrue(buffer.coalesce(EmptyMessage.PONG));
        assertEquals(3, buffer.size(), "a full buffer is followed by a fresh one");

        assertTrue(buffer.coalesce(frameOf(OutboundBuffer.MAX_COALESCED_FRAME_BYTES)), "the largest shared frame");
        assertFalse(buffer.coalesce(frameOf(OutboundBuffer.MAX_COALESCED_FRAME_BYTES + 1)), "one byte more goes alone");
        assertEquals(3, buffer.size());

        buffer.add(bytes(3, 8));
        assertTrue(buffer.coalesce(EmptyMessage.PING));
        assertEquals(5, buffer.size(), "a frame queued behind other data starts a buffer of its own, keeping order");

        long frames = (long) (perBuffer + 2) * Frames.HEADER_BYTES + OutboundBuffer.MAX_COALESCED_FRAME_BYTES;
        assertEquals(10 + 3 + frames, buffer.pendingBytes());
        channel.perCall = 1_000;
        while (buffer.write() != Flush.EMPTY) {
            assertTrue(buffer.coalesce(EmptyMessage.PONG), "appended while the queue drains");
            frames += Frames.HEADER_BYTES;
        }
        assertEquals(10 + 3 + frames, channel.taken.size());
        byte[] taken = channel.taken.toByteArray();
        assertEquals(9, taken[0]);
        assertArrayEquals(frame(EmptyMessage.PING), Arrays.copyOfRange(taken, 10, 10 + Frames.HEADER_BYTES));
    }

    @Test
    void droppingReleasesEveryQueuedItemExactlyOnce() throws IOException {
        Path file = Files.write(dir.resolve("regions"), new byte[10_000]);
        try (FileChannel f = FileChannel.open(file)) {
            List<AtomicInteger> released = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                AtomicInteger count = new AtomicInteger();
                released.add(count);
                buffer.add(bytes(5, i));
                buffer.add(new FileData(f, i * 1_000L, 1_000, count::incrementAndGet));
            }
            channel.room = 5 + 1_000 + 5 + 300;
            assertEquals(Flush.CHANNEL_FULL, buffer.write(), "the first region whole, the second in part");
            assertEquals(List.of(1, 0, 0, 0), released.stream().map(AtomicInteger::get).toList());

            buffer.releaseAll();
            buffer.releaseAll();
            assertEquals(List.of(1, 1, 1, 1), released.stream().map(AtomicInteger::get).toList(),
                    "written, partly written and never started: each released once");
            assertEquals(0, buffer.pendingBytes());
            assertTrue(buffer.isEmpty());
        }
    }

    @Test
    void tellsOnceWhenPendingBytesFallBelowTheAskedThreshold() throws IOException {
        buffer.add(bytes(90, 1));
        buffer.drainedBelow(50);
        buffer.checkDrained();
        assertEquals(0, events.drained, "90 bytes pending");
        channel.perCall = 41;
        buffer.write();
        buffer.checkDrained();
        buffer.checkDrained();
        assertEquals(1, events.drained, "49 bytes pending, told once");
    }

    @Test
    void aThresholdAboveTheHighWatermarkWaitsForTheLowWatermarkFirst() throws IOException {
        buffer.add(bytes(150, 1));
        buffer.checkHighWatermark();
        buffer.drainedBelow(200);
        buffer.checkDrained();
        assertEquals(0, events.drained, "backed up: only the low watermark tells");
        channel.perCall = 120;
        buffer.write();
        buffer.checkDrained();
        assertEquals(1, events.writable);
        assertEquals(0, events.drained, "the low watermark told first");
        buffer.checkDrained();
        assertEquals(1, events.drained, "then the threshold, at the next check");
    }

    @Test
    void pacesWritesThroughTheUploadCapAndGivesBackWhatTheChannelRefused() throws IOException {
        AtomicLong now = new AtomicLong();
        TokenBucket cap = new TokenBucket(1_000_000, now::get); // a 64 KiB burst, then 1 MB/s
        buffer.uploadCap(cap);
        buffer.add(bytes(100 * 1024, 1));
        assertEquals(Flush.PACED, buffer.write(), "the burst is spent on the first 64 KiB grant");
        assertEquals(64 * 1024, buffer.writtenBytes());
        assertTrue(buffer.pacedNanos() > 0);

        now.addAndGet(buffer.pacedNanos() + 1_000_000); // and a millisecond: 1,000 bytes more than the grant
        channel.perCall = 1_000;
        assertEquals(Flush.CHANNEL_FULL, buffer.write());
        assertEquals(64 * 1024 + 1_000, buffer.writtenBytes());
        assertEquals(36 * 1024, cap.take(Long.MAX_VALUE), "the grant's unwritten part went back to the cap");
    }
}
