package p2pstream.peer.playback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import p2pstream.common.net.Clock;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.Manifest;

/**
 * The channel a player writes the stream to, with what users ask of it afterwards: bytes written, when the first
 * one went out, and the SHA-256 of everything (when asked for). Written by the player's thread; the figures may
 * be read from any thread.
 */
final class Output {
    private final WritableByteChannel channel;
    private final Clock clock;
    private final MessageDigest digest;
    private volatile long bytes;
    private volatile long firstByteNanos = -1;

    Output(WritableByteChannel channel, Clock clock, boolean hash) {
        this.channel = channel;
        this.clock = clock;
        this.digest = hash ? Manifest.sha256() : null;
    }

    /** Writes all of {@code b}. */
    void write(ByteBuffer b) throws IOException {
        if (digest != null) {
            digest.update(b.duplicate());
        }
        int n = b.remaining();
        while (b.hasRemaining()) {
            channel.write(b);
        }
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
