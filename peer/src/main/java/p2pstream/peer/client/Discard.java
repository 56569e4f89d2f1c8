package p2pstream.peer.client;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** Swallows bytes: the player's sink when the output file is written chunk by chunk as they verify. Any thread. */
final class Discard implements WritableByteChannel {
    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        src.position(src.limit());
        return n;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
