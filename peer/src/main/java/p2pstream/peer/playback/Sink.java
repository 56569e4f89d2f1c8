package p2pstream.peer.playback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import p2pstream.common.net.Clock;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.Manifest;

/**
 * Where a player puts the stream, with what users ask of it afterwards: bytes out, when the first one went out,
 * and the SHA-256 of everything (when asked for). The channel is null when the stream's store is the output
 * itself (a file): then bytes are only counted and hashed. Written by the player's thread; the figures may be
 * read from any thread.
 */
final class Sink {
    private final WritableByteChannel channel;
    private final Clock clock;
    private final MessageDigest digest;
    private volatile long bytes;
    private volatile long firstByteNanos = -1;

    Sink(WritableByteChannel channel, Clock clock, boolean hash) {
        this.channel = channel;
        this.clock = clock;
        this.digest = hash ? Manifest.sha256() : null;
    }

    /** True when the bytes must pass through memory: to be hashed, or written to a channel. */
    boolean needsBytes() {
        return digest != null;
    }

    boolean hasChannel() {
        return channel != null;
    }

    /** Writes all of {@code b} (hashing it when asked); with no channel, only hashes and counts it. */
    void write(ByteBuffer b) throws IOException {
        if (digest != null) {
            digest.update(b.duplicate());
        }
        int n = b.remaining();
        while (channel != null && b.hasRemaining()) {
            channel.write(b);
        }
        counted(n);
    }

    /** Writes {@code count} bytes of {@code file} from {@code position} without passing them through the heap. */
    void transfer(FileChannel file, long position, long count) throws IOException {
        long done = 0;
        while (done < count) {
            WritableByteChannel target = channel instanceof Mp4PipeCheck check ? check.target() : channel;
            long n = file.transferTo(position + done, count - done, target);
            if (n <= 0) {
                throw new IOException("output: wrote 0 of " + (count - done) + " bytes (expected: progress)");
            }
            done += n;
        }
        counted(count);
    }

    /** {@code n} bytes are in place without a write (the store is the output). */
    void counted(long n) {
        if (firstByteNanos < 0) {
            firstByteNanos = clock.nanoTime();
        }
        bytes += n;
    }

    long bytes() {
        return bytes;
    }

    /** When the first byte went out ({@link Clock} nanos), or -1. */
    long firstByteNanos() {
        return firstByteNanos;
    }

    /** The SHA-256 of everything written, or null when not computed. Once, at the end. */
    String sha256() {
        return digest == null ? null : Wire.hex(digest.digest());
    }
}
