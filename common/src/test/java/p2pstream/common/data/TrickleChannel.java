package p2pstream.common.data;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A channel that takes at most {@code perCall} bytes a call (0: none), like a socket with a small free buffer, and
 * at most {@code room} bytes in all (its send buffer), and keeps what it took. Test thread only.
 */
public final class TrickleChannel implements WritableByteChannel {
    public final ByteArrayOutputStream taken = new ByteArrayOutputStream();
    public int perCall;
    public long room = Long.MAX_VALUE;
    /** Calls to {@link #write}, those that took nothing included. */
    public int writes;

    public TrickleChannel(int perCall) {
        this.perCall = perCall;
    }

    @Override
    public int write(ByteBuffer src) {
        writes++;
        int n = (int) Math.min(Math.min(src.remaining(), perCall), room);
        room -= n;
        for (int i = 0; i < n; i++) {
            taken.write(src.get());
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
    }
}
