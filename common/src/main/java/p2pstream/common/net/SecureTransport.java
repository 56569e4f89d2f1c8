package p2pstream.common.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.data.Data;
import p2pstream.common.noise.Handshake;
import p2pstream.common.noise.RecordDecoder;
import p2pstream.common.noise.RecordEncoder;
import p2pstream.common.noise.Records;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * The secure transport on one connection (PROTOCOL.md section 9): runs the Noise {@link Handshake} as soon as the
 * connection opens, then seals what the connection writes into records and opens the records it reads. Holds one
 * record's worth of bytes each way: the socket's bytes not yet opened, a sealed record the socket has not all
 * taken, and plaintext opened while the read buffer had no room for it. A failed handshake or record is logged
 * with its reason and fails the read, which closes the connection; nothing of a bad record is handed on. Loop
 * thread only.
 */
final class SecureTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(SecureTransport.class);

    private final Handshake handshake;
    private final InetSocketAddress remote;
    /** The socket's bytes not yet taken: write mode. */
    private final ByteBuffer netIn = ByteBuffer.allocateDirect(Records.MAX_WIRE_BYTES);
    /** Sealed bytes not yet written: read mode. */
    private final ByteBuffer netOut = ByteBuffer.allocateDirect(Records.MAX_WIRE_BYTES).flip();
    private final ByteBuffer plainOut = ByteBuffer.allocateDirect(Records.MAX_PLAINTEXT_BYTES);
    private final PlainSink sink = new PlainSink();
    /** Opened plaintext waiting for room in the read buffer: read mode, or null when there is none. */
    private ByteBuffer staged;
    private ByteBuffer stagingBuffer;
    private RecordEncoder encoder;
    private RecordDecoder decoder;

    SecureTransport(Handshake handshake, InetSocketAddress remote) {
        this.handshake = handshake;
        this.remote = remote;
    }

    /** The peer id the other side proved, once the handshake is done; null before. */
    PeerId remotePeerId() {
        return handshake.remotePeerId();
    }

    @Override
    public void onOpen(WritableByteChannel socket) throws IOException {
        if (handshake.isMyTurn()) {
            writeHandshake();
            flush(socket);
        }
    }

    @Override
    public int read(ReadableByteChannel socket, ByteBuffer into) throws IOException {
        int given = unstage(into);
        if (staged != null) {
            return given;
        }
        int n = netIn.hasRemaining() ? socket.read(netIn) : 0;
        netIn.flip();
        try {
            if (decoder == null) {
                shake((WritableByteChannel) socket);
            }
            if (decoder != null) {
                given += open(into);
                if (n < 0 && staged == null && !wholeRecord(netIn)) {
                    decoder.onEndOfStream(netIn); // records still held are handed on first, by later reads
                }
            } else if (n < 0) {
                throw ProtocolException.malformed("handshake: the connection ended within it (expected: 3 messages)");
            }
        } catch (ProtocolException e) {
            log.info("{} closing: {} {}", remote, e.code(), e.getMessage());
            throw new IOException(e.code() + ": " + e.getMessage());
        } finally {
            netIn.compact();
        }
        return given > 0 || n >= 0 || hasBufferedInput() ? given : -1;
    }

    /** Whether {@code in} (read mode) starts with a whole record. */
    private static boolean wholeRecord(ByteBuffer in) {
        return wholeRecord(in, in.position(), in.remaining());
    }

    /** Whether the {@code bytes} of {@code b} from index {@code from} on start with a whole record. */
    private static boolean wholeRecord(ByteBuffer b, int from, int bytes) {
        return bytes >= Records.LENGTH_BYTES && bytes >= Records.LENGTH_BYTES + (b.getShort(from) & 0xffff);
    }

    /** Reads handshake messages as they arrive and writes this side's in turn. */
    private void shake(WritableByteChannel socket) throws ProtocolException, IOException {
        while (!handshake.isDone()) {
            if (handshake.isMyTurn()) {
                writeHandshake();
            } else if (!handshake.readNext(netIn)) {
                break;
            }
        }
        if (handshake.isDone() && decoder == null) {
            finishHandshake();
        }
        flush(socket);
    }

    private void finishHandshake() {
        encoder = handshake.encoder();
        decoder = handshake.decoder();
        if (log.isDebugEnabled()) { // the printable id is built only to be logged
            log.debug("{} secure: peer {}", remote, handshake.remotePeerId().text());
        }
    }

    private void writeHandshake() throws IOException {
        netOut.compact();
        try {
            handshake.writeNext(netOut);
        } catch (ProtocolException e) {
            log.info("{} closing: {} {}", remote, e.code(), e.getMessage());
            throw new IOException(e.code() + ": " + e.getMessage());
        } finally {
            netOut.flip();
        }
        if (handshake.isDone()) {
            finishHandshake();
        }
    }

    /** Opens whole records into {@code into}, and one that does not fit into the staging buffer. */
    private int open(ByteBuffer into) throws ProtocolException {
        int given = decoder.decode(netIn, into);
        if (wholeRecord(netIn)) {
            if (stagingBuffer == null) {
                stagingBuffer = ByteBuffer.allocateDirect(Records.MAX_PLAINTEXT_BYTES);
            }
            stagingBuffer.clear();
            decoder.decode(netIn, stagingBuffer);
            staged = stagingBuffer.flip();
            given += unstage(into);
        }
        return given;
    }

    private int unstage(ByteBuffer into) {
        if (staged == null) {
            return 0;
        }
        int count = Math.min(staged.remaining(), into.remaining());
        into.put(into.position(), staged, staged.position(), count);
        into.position(into.position() + count);
        staged.position(staged.position() + count);
        if (!staged.hasRemaining()) {
            staged = null;
        }
        return count;
    }

    @Override
    public long write(Data data, WritableByteChannel socket, long maxBytes) throws IOException {
        if (!flush(socket) || encoder == null) {
            return 0;
        }
        long taken = 0;
        while (taken < maxBytes && data.remaining() > 0) {
            plainOut.clear().limit((int) Math.min(Records.MAX_PLAINTEXT_BYTES, maxBytes - taken));
            long got = data.writeTo(sink, plainOut.remaining());
            if (got == 0) {
                break;
            }
            taken += got;
            netOut.clear();
            encoder.encode(plainOut.flip(), netOut);
            netOut.flip();
            if (!flush(socket)) {
                break;
            }
        }
        return taken;
    }

    @Override
    public boolean isReady() {
        return encoder != null;
    }

    @Override
    public boolean hasPendingOutput() {
        return netOut.hasRemaining();
    }

    @Override
    public boolean flush(WritableByteChannel socket) throws IOException {
        while (netOut.hasRemaining()) {
            if (socket.write(netOut) == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean hasBufferedInput() {
        if (staged != null) {
            return true;
        }
        // netIn is in write mode: its bytes are 0..position
        return decoder != null && wholeRecord(netIn, 0, netIn.position());
    }

    /** Where a {@link Data} writes the plaintext of the next record: {@link #plainOut}, up to its limit. */
    private final class PlainSink implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) {
            int count = Math.min(src.remaining(), plainOut.remaining());
            plainOut.put(plainOut.position(), src, src.position(), count);
            plainOut.position(plainOut.position() + count);
            src.position(src.position() + count);
            return count;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Override
    public String toString() {
        return "secure" + (decoder == null ? " (handshake)" : " " + handshake.remotePeerId().text());
    }
}
