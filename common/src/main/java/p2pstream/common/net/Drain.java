package p2pstream.common.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The end of a closing connection whose queued bytes are written. Closing a socket that still has unread input
 * makes the kernel send a reset and drop what it has not yet sent, our ERROR included: a peer flooding us would
 * see "connection reset", not why. So while input keeps coming, the connection half-closes (FIN after the ERROR)
 * and discards input until the peer closes too. Loop thread only.
 */
final class Drain {
    /** Input discarded per read while a closing connection waits for the peer to close too. */
    private static final int READ_BYTES = 8 * 1024;

    private final ByteBuffer discarded = ByteBuffer.allocate(READ_BYTES);

    /**
     * Reads once; when input is still coming, half-closes the socket and returns the drain to go on with, else
     * null: the connection may close at once.
     */
    static Drain start(SocketChannel channel) {
        Drain drain = new Drain();
        try {
            if (channel.read(drain.discarded) > 0) {
                channel.shutdownOutput();
                return drain;
            }
        } catch (IOException e) {
            // the peer is gone already: nothing to wait for
        }
        return null;
    }

    /** Discards what has arrived, at most {@code maxReads} reads; true once the peer has closed (or reset). */
    boolean peerClosed(SocketChannel channel, int maxReads) {
        for (int i = 0; i < maxReads; i++) {
            discarded.clear();
            int n;
            try {
                n = channel.read(discarded);
            } catch (IOException e) {
                n = -1;
            }
            if (n < 0) {
                return true;
            }
            if (n == 0) {
                return false;
            }
        }
        return false;
    }
}
