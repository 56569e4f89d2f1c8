package p2pstream.common.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.channels.WritableByteChannel;
import p2pstream.common.data.Data;

/**
 * The layer between a connection's socket and the rest of it: received bytes pass through it on their way to the
 * connection's {@link Inbound}, queued {@link Data} on its way to the socket. {@link #PLAINTEXT} passes both
 * through untouched; {@link SecureTransport} runs a handshake first and then carries them in encrypted,
 * authenticated records, holding a little input and output of its own (the defaults below are the plaintext's:
 * nothing held, always ready). Loop thread only.
 */
interface Transport {

    /** Bytes as they are: reads go straight into the read buffer, file regions out with sendfile. */
    Transport PLAINTEXT = new Transport() {
        @Override
        public int read(ReadableByteChannel socket, ByteBuffer into) throws IOException {
            return socket.read(into);
        }

        @Override
        public long read(ScatteringByteChannel socket, ByteBuffer[] into) throws IOException {
            return socket.read(into);
        }

        @Override
        public long write(Data data, WritableByteChannel socket, long maxBytes) throws IOException {
            return data.writeTo(socket, maxBytes);
        }

        @Override
        public String toString() {
            return "plaintext";
        }
    };

    /**
     * Reads what the socket has and puts the bytes it carries into {@code into}.
     *
     * @return bytes put into {@code into}, 0 when none are there yet, -1 once the peer has closed
     */
    int read(ReadableByteChannel socket, ByteBuffer into) throws IOException;

    /**
     * Reads what the socket has into the buffers of {@code into} in order (the rest of a payload, then the read
     * buffer: one system call for both). By default into the first buffer with room only.
     *
     * @return bytes put into the buffers, 0 when none are there yet, -1 once the peer has closed
     */
    default long read(ScatteringByteChannel socket, ByteBuffer[] into) throws IOException {
        for (ByteBuffer b : into) {
            if (b.hasRemaining()) {
                return read(socket, b);
            }
        }
        return 0;
    }

    /**
     * Writes at most {@code maxBytes} of {@code data} to the socket, advancing {@code data} past what was taken.
     *
     * @return bytes of {@code data} taken, 0 when the socket takes nothing now
     */
    long write(Data data, WritableByteChannel socket, long maxBytes) throws IOException;

    /** The connection is open (connected or accepted): a transport with a handshake starts it here. */
    default void onOpen(WritableByteChannel socket) throws IOException {
    }

    /** Whether queued data can be written now (false while a handshake runs: then only its own bytes go out). */
    default boolean isReady() {
        return true;
    }

    /** Bytes of its own it still has to write (a handshake message, the rest of a record). */
    default boolean hasPendingOutput() {
        return false;
    }

    /**
     * Writes what {@link #hasPendingOutput} holds.
     *
     * @return true when nothing of its own is left to write
     */
    default boolean flush(WritableByteChannel socket) throws IOException {
        return true;
    }

    /**
     * Whether the last read filled this transport's own buffer, so the socket may hold more bytes even though the
     * read handed on fewer than there was room for. Plaintext reads straight into the room offered: never.
     */
    default boolean socketMayHaveMore() {
        return false;
    }

    /** The connection closed: buffers it holds go back where they came from. */
    default void onClosed() {
    }

    /** Received bytes it holds that a {@link #read} would hand on without the socket saying it is readable. */
    default boolean hasBufferedInput() {
        return false;
    }
}
