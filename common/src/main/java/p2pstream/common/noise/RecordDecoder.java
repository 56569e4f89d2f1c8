package p2pstream.common.noise;

import java.nio.ByteBuffer;
import javax.crypto.AEADBadTagException;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ProtocolException;

/**
 * Opens the records one direction of a connection receives ({@link Records}) and hands their plaintext, the frame
 * stream, on. Bounded: a length field outside 16..{@link Records#MAX_RECORD_BYTES} is refused as soon as its two
 * bytes arrive, and a record is opened only into room for all of it. A record that fails authentication (altered,
 * replayed, reordered, dropped before it, or from another key) ends the decoder for good, and nothing of it reaches
 * the output. Rekeys in step with {@link RecordEncoder}. Confined to the thread of its connection.
 */
public final class RecordDecoder {
    private static final byte[] NO_AD = new byte[0];

    private final CipherState cipher;
    private final long rekeyRecords;
    private long records;
    private ProtocolException failure;

    RecordDecoder(CipherState cipher) {
        this(cipher, RecordEncoder.REKEY_RECORDS);
    }

    RecordDecoder(CipherState cipher, long rekeyRecords) {
        this.cipher = cipher;
        this.rekeyRecords = rekeyRecords;
    }

    /**
     * Opens every whole record in {@code in} (position to limit) whose plaintext fits in {@code out}, moving
     * {@code in} past them and {@code out} past their plaintext. A record that has not all arrived, or does not fit
     * yet, stays in {@code in}.
     *
     * @return plaintext bytes written to {@code out}
     * @throws ProtocolException when a length is out of bounds or a record fails authentication; then at every call
     */
    public int decode(ByteBuffer in, ByteBuffer out) throws ProtocolException {
        if (failure != null) {
            throw failure;
        }
        int written = 0;
        while (in.remaining() >= Records.LENGTH_BYTES) {
            int length = in.getShort(in.position()) & 0xffff;
            if (length >= Records.TAG_BYTES && length - Records.TAG_BYTES > out.remaining()) {
                break; // no room for it yet: it waits, whole, in the socket's bytes
            }
            int start = in.position();
            ByteBuffer body;
            try {
                body = Records.next(in, Records.TAG_BYTES, Records.MAX_RECORD_BYTES, "record", records);
            } catch (ProtocolException e) {
                throw fail(e);
            }
            if (body == null) {
                break;
            }
            try {
                written += cipher.decryptWithAd(NO_AD, body, out);
            } catch (AEADBadTagException e) {
                in.position(start);
                throw fail(new ProtocolException(ErrorCode.AUTHENTICATION, "record " + records + ": authentication"
                        + " failed, so it was altered, replayed, reordered or sent under another key (expected: the"
                        + " next record of this connection)"));
            }
            if (++records % rekeyRecords == 0) {
                cipher.rekey();
            }
        }
        return written;
    }

    /**
     * The peer closed: bytes of a record cut short are an error (an attacker may end a connection, never shorten
     * what it delivered without it showing).
     */
    public void onEndOfStream(ByteBuffer in) throws ProtocolException {
        if (failure != null) {
            throw failure;
        }
        if (in.hasRemaining()) {
            throw fail(ProtocolException.malformed("record " + records + ": cut short after " + in.remaining()
                    + " bytes (expected: a whole record before the end of the stream)"));
        }
    }

    /** Records opened so far. */
    public long records() {
        return records;
    }

    private ProtocolException fail(ProtocolException e) {
        failure = e;
        return e;
    }

    @Override
    public String toString() {
        return "RecordDecoder[" + records + " records" + (failure != null ? ", failed" : "") + ", " + cipher + "]";
    }
}
