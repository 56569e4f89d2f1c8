package p2pstream.common.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.channels.WritableByteChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.data.Data;
import p2pstream.common.noise.Handshake;
import p2pstream.common.noise.RecordDecoder;
import p2pstream.common.noise.RecordEncoder;
import p2pstream.common.noise.Records;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * The secure transport on one connection (PROTOCOL.md section 9): runs the Noise {@link Handshake} as soon as the
 * connection opens, then seals what the connection writes into records and opens the records it reads. Holds one
 * record's worth of bytes each way: the socket's bytes not yet opened, a sealed record the socket has not all
 * taken, and plaintext opened while the read buffer had no room for it. A failed handshake or record is logged
 * with its reason and fails the read, which closes the connection; nothing of a bad record is handed on. When
 * both sides allow plaintext (each says so in its authenticated identity payload) the frames after the handshake
 * pass in clear, file regions with sendfile. Loop thread only.
 */
final class SecureTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(SecureTransport.class);

    private final Handshake handshake;
    private final InetSocketAddress remote;
    /** Where the buffers below come from and go back to: a quiet connection holds none. */
    private final RecordBuffers buffers;
    /** The socket's bytes not yet taken: write mode; null while none wait. */
    private ByteBuffer netIn;
    /** Sealed bytes not yet written: read mode; null while none wait. */
    private ByteBuffer netOut;
    /** Opened plaintext waiting for room in the read buffer: read mode, or null when there is none. */
    private ByteBuffer staged;
    private RecordEncoder encoder;
    private RecordDecoder decoder;
    /** The handshake is over: records from now on, or plain bytes when {@link #plain}. */
    private boolean done;
    private boolean plain;
    /** The last socket read filled {@link #netIn}: more may be waiting in the socket. */
    private boolean filled;
    private final Clock clock;
    /** When this side last wrote a handshake message, and the first wait for an answer (-1 until measured). */
    private long wroteNanos;
    private long roundTripNanos = -1;

    /** Bytes to send in clear before the handshake (a relay's JOIN), or null; dropped once queued. */
    private byte[] preamble;

    SecureTransport(Handshake handshake, InetSocketAddress remote, RecordBuffers buffers, Clock clock,
                    byte[] preamble) {
        this.handshake = handshake;
        this.remote = remote;
        this.buffers = buffers;
        this.clock = clock;
        this.preamble = preamble;
    }

    /**
     * The time from this side's first handshake message to the answer (the initiator's first, the responder's
     * second): the connection's round trip, with the other side's key agreement. -1 before the answer came.
     */
    long roundTripNanos() {
        return roundTripNanos;
    }

    /** The peer id the other side proved, once the handshake is done; null before. */
    PeerId remotePeerId() {
        return handshake.remotePeerId();
    }

    /** Whether the frames travel encrypted: false only once both sides agreed on plaintext. */
    boolean isEncrypted() {
        return !plain;
    }

    @Override
    public void onOpen(WritableByteChannel socket) throws IOException {
        if (preamble != null) {
            netOut = buffers.acquire();
            netOut.put(preamble).flip();
            preamble = null;
        }
        if (handshake.isMyTurn()) {
            writeHandshake();
        }
        if (netOut != null) {
            flush(socket);
        }
    }

    @Override
    public int read(ReadableByteChannel socket, ByteBuffer into) throws IOException {
        if (plain) {
            return readPlain(socket, into);
        }
        int given = unstage(into);
        if (staged != null) {
            return given;
        }
        if (netIn == null) {
            // a read that filled its buffer found more waiting: bulk, read a batch of records at a time
            netIn = filled ? buffers.acquireBatch() : buffers.acquire();
        }
        int n = netIn.hasRemaining() ? socket.read(netIn) : 0;
        filled = n > 0 && !netIn.hasRemaining();
        netIn.flip();
        try {
            if (!done) {
                shake((WritableByteChannel) socket);
            }
            if (done && !plain) {
                given += open(into);
                if (n < 0 && staged == null && !wholeRecord(netIn)) {
                    decoder.onEndOfStream(netIn); // records still held are handed on first, by later reads
                }
            } else if (!done && n < 0) {
                throw ProtocolException.malformed("handshake: the connection ended within it (expected: 3 messages)");
            }
        } catch (ProtocolException e) {
            log.info("{} closing: {} {}", remote, e.code(), e.getMessage());
            throw new IOException(e.code() + ": " + e.getMessage() + firstAnswer());
        } finally {
            netIn.compact();
        }
        if (plain) {
            given += takePlain(into); // frames that came with the last handshake message
            return given > 0 || n >= 0 || netIn != null ? given : -1;
        }
        growInputIfBulk();
        boolean more = hasBufferedInput();
        releaseEmptyInput();
        return given > 0 || n >= 0 || more ? given : -1;
    }

    /**
     * A read that filled a record's buffer: its bytes move to a batch's, so the next reads take several records (a
     * bulk transfer's buffer seldom empties, records straddling reads, so it would otherwise keep its first size).
     */
    private void growInputIfBulk() {
        if (filled && netIn != null && netIn.capacity() < RecordBuffers.BATCH_BYTES) {
            ByteBuffer batch = buffers.acquireBatch();
            batch.put(netIn.flip());
            buffers.release(netIn);
            netIn = batch;
        }
    }

    private void releaseEmptyInput() {
        if (netIn != null && netIn.position() == 0) {
            buffers.release(netIn);
            netIn = null;
        }
    }

    @Override
    public long read(ScatteringByteChannel socket, ByteBuffer[] into) throws IOException {
        if (plain && netIn == null) {
            return socket.read(into);
        }
        return Transport.super.read(socket, into);
    }

    /** After a handshake that agreed on plaintext: the bytes it left over first, then the socket's. */
    private int readPlain(ReadableByteChannel socket, ByteBuffer into) throws IOException {
        int given = takePlain(into);
        if (netIn != null || !into.hasRemaining()) {
            return given;
        }
        int n = socket.read(into);
        return n < 0 ? (given > 0 ? given : -1) : given + n;
    }

    /** Moves what {@link #netIn} holds (write mode) into {@code into}. */
    private int takePlain(ByteBuffer into) {
        if (netIn == null) {
            return 0;
        }
        netIn.flip();
        int count = Math.min(netIn.remaining(), into.remaining());
        into.put(into.position(), netIn, netIn.position(), count);
        into.position(into.position() + count);
        netIn.position(netIn.position() + count);
        netIn.compact();
        releaseEmptyInput();
        return count;
    }

    /**
     * What the other side answered first, when its first answer broke the handshake (another protocol: a web
     * server's "HTTP/1.1"), for the user's error: up to 8 bytes, unprintable ones as '?'. {@link #netIn} in read
     * mode.
     */
    private String firstAnswer() {
        if (done || !handshake.isInitiator() || handshake.messagesRead() > 0 || !netIn.hasRemaining()) {
            return "";
        }
        StringBuilder text = new StringBuilder(" (it answered \"");
        for (int i = netIn.position(); i < Math.min(netIn.limit(), netIn.position() + 8); i++) {
            char c = (char) (netIn.get(i) & 0xff);
            text.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.append("...\")").toString();
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
            } else if (clearErrorPending() || !handshake.readNext(netIn)) {
                break; // the rest of the message, or of a refusal in clear, has not arrived yet
            } else if (roundTripNanos < 0 && wroteNanos != 0) {
                roundTripNanos = clock.nanoTime() - wroteNanos;
            }
        }
        if (handshake.isDone() && !done) {
            finishHandshake();
        }
        flush(socket);
    }

    /**
     * A listener that refuses a connection before any handshake (over its connection limit) says why in a plain
     * ERROR frame, whose first two bytes, zero, are no handshake message length. Only what arrives instead of the
     * first answer is read so; it is shown to the user and never taken as authenticated. Only the one refusal a
     * listener sends so is read (TOO_MANY_CONNECTIONS): any other code in clear (FORBIDDEN, AUTHENTICATION) is
     * nobody's word, and is left to fail the handshake as the malformed message it is.
     *
     * @return true while only part of such a frame has arrived (wait for the rest); false when {@link #netIn}
     *         starts with none
     * @throws PeerErrorException with the frame's code and message once it has all arrived
     */
    private boolean clearErrorPending() throws ProtocolException, PeerErrorException {
        int at = netIn.position();
        if (!handshake.isInitiator() || handshake.messagesRead() > 0 || netIn.remaining() < 5
                || netIn.getShort(at) != 0 || netIn.get(at + 4) != MessageType.ERROR.code()) {
            return false;
        }
        int length = netIn.getInt(at);
        if (length < 1 || length > netIn.capacity() - 4) {
            return false; // not a frame this side could hold: the handshake reports the bad length
        }
        if (netIn.remaining() < 4 + length) {
            return true;
        }
        ErrorMessage e = ErrorMessage.decode(netIn.slice(at + 5, length - 1));
        if (e.code() != ErrorCode.TOO_MANY_CONNECTIONS.code()) {
            return false;
        }
        throw new PeerErrorException(ErrorCode.PEER_ERROR_REASON + e.codeName() + ": " + e.message()
                + " (in clear, before the handshake)");
    }

    private void finishHandshake() {
        done = true;
        plain = handshake.plaintextAgreed();
        if (!plain) {
            encoder = handshake.encoder();
            decoder = handshake.decoder();
        }
        if (log.isDebugEnabled()) { // the printable id is built only to be logged
            log.debug("{} {}: peer {}", remote, plain ? "plaintext, both allow it" : "secure",
                    handshake.remotePeerId().text());
        }
    }

    private void writeHandshake() throws IOException {
        if (netOut == null) {
            netOut = buffers.acquire();
        } else {
            netOut.compact();
        }
        try {
            handshake.writeNext(netOut);
            wroteNanos = clock.nanoTime();
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
            ByteBuffer staging = buffers.acquire();
            try {
                decoder.decode(netIn, staging);
            } catch (ProtocolException e) {
                buffers.release(staging); // a record that fails its tag: the buffer goes back, not to the collector
                throw e;
            }
            staged = staging.flip();
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
            buffers.release(staged);
            staged = null;
        }
        return count;
    }

    @Override
    public long write(Data data, WritableByteChannel socket, long maxBytes) throws IOException {
        if (!flush(socket) || !done) {
            return 0;
        }
        if (plain) {
            return data.writeTo(socket, maxBytes);
        }
        if (data.remaining() == 0 || maxBytes <= 0) {
            return 0;
        }
        // bulk (more than a record to go) is sealed a batch of records at a time, written with one call
        boolean bulk = data.remaining() > Records.MAX_PLAINTEXT_BYTES && maxBytes > Records.MAX_PLAINTEXT_BYTES;
        int records = bulk ? RecordBuffers.RECORDS_PER_BATCH : 1;
        ByteBuffer plainOut = bulk ? buffers.acquireBatch() : buffers.acquire(); // plaintext, only for this call
        long taken = 0;
        try {
            while (taken < maxBytes && data.remaining() > 0) {
                plainOut.clear().limit((int) Math.min(records * (long) Records.MAX_PLAINTEXT_BYTES, maxBytes - taken));
                long got = data.copyTo(plainOut);
                if (got == 0) {
                    break;
                }
                taken += got;
                // flush() gave the last one back: nothing was left in it
                netOut = bulk ? buffers.acquireBatch() : buffers.acquire();
                plainOut.flip();
                while (plainOut.hasRemaining()) {
                    encoder.encode(plainOut, netOut);
                }
                netOut.flip();
                if (!flush(socket)) {
                    break;
                }
            }
        } finally {
            buffers.release(plainOut);
        }
        return taken;
    }

    @Override
    public boolean socketMayHaveMore() {
        return filled && !plain;
    }

    @Override
    public boolean isReady() {
        return done;
    }

    @Override
    public boolean hasPendingOutput() {
        return netOut != null && netOut.hasRemaining();
    }

    @Override
    public boolean flush(WritableByteChannel socket) throws IOException {
        if (netOut == null) {
            return true;
        }
        while (netOut.hasRemaining()) {
            if (socket.write(netOut) == 0) {
                return false;
            }
        }
        buffers.release(netOut);
        netOut = null;
        return true;
    }

    @Override
    public void onClosed() {
        for (ByteBuffer b : new ByteBuffer[] {netIn, netOut, staged}) {
            if (b != null) {
                buffers.release(b);
            }
        }
        netIn = null;
        netOut = null;
        staged = null;
    }

    @Override
    public boolean hasBufferedInput() {
        if (staged != null || plain && netIn != null) {
            return true;
        }
        // netIn is in write mode: its bytes are 0..position
        return decoder != null && netIn != null && wholeRecord(netIn, 0, netIn.position());
    }

    @Override
    public String toString() {
        return (!done ? "secure (handshake)" : plain ? "plaintext " : "secure ") + (done
                ? handshake.remotePeerId().text() : "");
    }
}
