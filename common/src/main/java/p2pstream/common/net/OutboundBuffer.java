package p2pstream.common.net;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.Data;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Message;

/**
 * A connection's outbound queue of {@link Data}: counts the bytes pending, packs small frames queued behind
 * others into shared buffers, writes the queue through its {@link Transport} to its channel a part at a time
 * (within an upload cap), tells its
 * {@link Listener} when pending bytes cross the watermarks, and releases what it drops. The caller decides when
 * crossings are checked ({@link #checkHighWatermark}, {@link #checkDrained}), so a write that goes out at once
 * never calls back into the code that queued it. Loop thread only.
 */
final class OutboundBuffer {
    /**
     * Small frames queued behind others share buffers of this size: a peer that never reads answers to a flood
     * of PINGs then costs about its queued bytes of heap, not an object per 5-byte frame (20 times more).
     */
    static final int COALESCE_BUFFER_BYTES = 4 * 1024;
    /** Frames above this go out in buffers of their own: sharing pays for small frames only. */
    static final int MAX_COALESCED_FRAME_BYTES = COALESCE_BUFFER_BYTES / 4;
    /** Grant size taken from an upload cap at a time, so capped connections share it fairly. */
    static final long RATE_GRANT_BYTES = 64 * 1024;

    /** How a {@link #write} pass ended. */
    enum Flush {
        /** Everything queued was written. */
        EMPTY,
        /** The channel took less than offered: write again when it is writable. */
        CHANNEL_FULL,
        /** The upload cap has no grant now: write again after {@link #pacedNanos}. */
        PACED
    }

    /** Told of watermark crossings, each once per crossing. */
    interface Listener {
        /** Pending bytes reached the high watermark. */
        void onUnwritable();

        /** Pending bytes fell to the low watermark after having reached the high one. */
        void onWritable();

        /** Pending bytes fell below what {@link #drainedBelow} asked for (while below the high watermark). */
        void onDrained();
    }

    private final ArrayDeque<Data> queue = new ArrayDeque<>();
    private final long highWatermarkBytes;
    private final long lowWatermarkBytes;
    private final Transport transport;
    private final WritableByteChannel channel;
    private final Listener listener;
    private TokenBucket uploadCap;
    /** The last queued item while small frames may still be appended to it. */
    private BufferData appendTo;
    private long pendingBytes;
    private long writtenBytes;
    private long drainThresholdBytes;
    private long pacedNanos;
    private boolean unwritable;

    OutboundBuffer(long highWatermarkBytes, long lowWatermarkBytes, Transport transport, WritableByteChannel channel,
                   Listener listener) {
        this.highWatermarkBytes = highWatermarkBytes;
        this.lowWatermarkBytes = lowWatermarkBytes;
        this.transport = transport;
        this.channel = channel;
        this.listener = listener;
    }

    long pendingBytes() {
        return pendingBytes;
    }

    long writtenBytes() {
        return writtenBytes;
    }

    /** Nothing waits to be written: no data queued, nothing held by the transport. */
    boolean isEmpty() {
        return queue.isEmpty() && !transport.hasPendingOutput();
    }

    /** Items queued: frames sharing a buffer count as one. */
    int size() {
        return queue.size();
    }

    /** Below the high watermark: more may be queued. */
    boolean isWritable() {
        return pendingBytes < highWatermarkBytes;
    }

    /** Reached the high watermark and not yet back at the low one. */
    boolean isUnwritable() {
        return unwritable;
    }

    /** Caps writes with a shared bucket; null removes the cap. */
    void uploadCap(TokenBucket bucket) {
        this.uploadCap = bucket;
    }

    /** After {@link Flush#PACED}: nanoseconds until the cap is expected to grant the next write. */
    long pacedNanos() {
        return pacedNanos;
    }

    /** Queues {@code data} after everything queued before. */
    void add(Data data) {
        queue.add(data);
        pendingBytes += data.remaining();
    }

    /**
     * Appends a small frame to the shared buffer at the tail (a fresh one when it is full). Returns false, queuing
     * nothing, when nothing is queued (the frame usually leaves at once, no buffer to share) or the frame is large.
     */
    boolean coalesce(Message message) {
        int frameBytes = Frames.HEADER_BYTES + message.payloadLength();
        if (queue.isEmpty() || frameBytes > MAX_COALESCED_FRAME_BYTES) {
            return false;
        }
        if (queue.peekLast() != appendTo || !appendTo.append(message)) {
            appendTo = BufferData.appendable(COALESCE_BUFFER_BYTES);
            appendTo.append(message);
            queue.add(appendTo);
        }
        pendingBytes += frameBytes;
        return true;
    }

    /** Writes from the head of the queue until it is empty, the channel is full or the upload cap says wait. */
    Flush write() throws IOException {
        if (!transport.flush(channel)) {
            return Flush.CHANNEL_FULL;
        }
        while (!queue.isEmpty()) {
            Data head = queue.peek();
            long allowed = Long.MAX_VALUE;
            if (uploadCap != null) {
                long wanted = Math.min(head.remaining(), RATE_GRANT_BYTES);
                allowed = uploadCap.take(wanted);
                if (allowed < wanted) {
                    // the bucket refills continuously: taking slivers would spin this loop a few bytes at a time
                    uploadCap.giveBack(allowed);
                    pacedNanos = uploadCap.nanosUntil(wanted);
                    return Flush.PACED;
                }
            }
            long written = transport.write(head, channel, allowed);
            pendingBytes -= written;
            writtenBytes += written;
            if (uploadCap != null && written < allowed) {
                uploadCap.giveBack(allowed - written);
            }
            if (head.remaining() == 0) {
                queue.poll();
            } else if (written < allowed) {
                return Flush.CHANNEL_FULL;
            }
        }
        return transport.flush(channel) ? Flush.EMPTY : Flush.CHANNEL_FULL;
    }

    /** Tells the listener once that pending bytes reached the high watermark. */
    void checkHighWatermark() {
        if (!unwritable && pendingBytes >= highWatermarkBytes) {
            unwritable = true;
            listener.onUnwritable();
        }
    }

    /** Asks for one {@link Listener#onDrained} as soon as fewer than {@code bytes} are pending. */
    void drainedBelow(long bytes) {
        drainThresholdBytes = bytes;
    }

    /** Tells the listener once of each drain since the last check: below the asked threshold, to the low watermark. */
    void checkDrained() {
        if (drainThresholdBytes > 0 && pendingBytes < drainThresholdBytes && !unwritable) {
            drainThresholdBytes = 0;
            listener.onDrained();
        }
        if (unwritable && pendingBytes <= lowWatermarkBytes) {
            unwritable = false;
            listener.onWritable();
        }
    }

    /** Drops everything queued, releasing each item (a file region may hold a lease on an open file). */
    void releaseAll() {
        for (Data d : queue) {
            d.release();
        }
        queue.clear();
        appendTo = null;
        pendingBytes = 0;
    }
}
