package p2pstream.common.access;

import java.nio.ByteBuffer;
import java.util.Arrays;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * A reader asks a private stream's owner to let its proved id in (PROTOCOL.md section 10): with an invite's secret
 * (from a {@code p2ps://} link) or the owner's provider password. The owner answers with a GRANT naming the reader, or
 * ERROR FORBIDDEN. Sent once, right after a HELLO without a content id, over an encrypted connection. Thread-safe
 * (immutable; {@link #secret} hands out a copy).
 *
 * <pre>REDEEM: &lt;len&gt;&lt;type=0x2c&gt;&lt;kind:u8 (1 invite, 2 password)&gt;&lt;secret length:u16&gt;
 *         &lt;secret: 16..64 bytes (invite) | 1..4096 bytes of UTF-8 (password)&gt;</pre>
 */
public final class Redeem implements Message {
    /** What the secret is. */
    public enum Kind { INVITE, PASSWORD }

    static final int MIN_INVITE_BYTES = 16;
    static final int MAX_INVITE_BYTES = 64;
    /** {@link PasswordHash#MAX_PASSWORD_CHARS} characters of at most 4 bytes each. */
    static final int MAX_PASSWORD_BYTES = 4 * PasswordHash.MAX_PASSWORD_CHARS;

    private final Kind kind;
    private final byte[] secret;

    public Redeem(Kind kind, byte[] secret) {
        if (secret.length < minBytes(kind) || secret.length > maxBytes(kind)) {
            throw new IllegalArgumentException(kind.name().toLowerCase() + " secret bytes: " + secret.length
                    + " (expected: " + minBytes(kind) + ".." + maxBytes(kind) + ")");
        }
        this.kind = kind;
        this.secret = secret.clone();
    }

    public Kind kind() {
        return kind;
    }

    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.REDEEM;
    }

    @Override
    public int payloadLength() {
        return 3 + secret.length;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.put((byte) (kind.ordinal() + 1)).putShort((short) secret.length).put(secret);
    }

    public static Redeem decode(ByteBuffer in) throws ProtocolException {
        int k = Wire.getU8(in, "redeem kind");
        if (k != 1 && k != 2) {
            throw ProtocolException.malformed("redeem kind: " + k + " (expected: 1 invite or 2 password)");
        }
        Kind kind = Kind.values()[k - 1];
        int length = Wire.getU16(in, "redeem secret length");
        if (length < minBytes(kind) || length > maxBytes(kind)) {
            throw ProtocolException.malformed("redeem secret length: " + length + " (expected: " + minBytes(kind)
                    + ".." + maxBytes(kind) + " for " + kind.name().toLowerCase() + ")");
        }
        Wire.need(in, length, "redeem secret");
        byte[] secret = new byte[length];
        in.get(secret);
        Wire.end(in, MessageType.REDEEM);
        return new Redeem(kind, secret);
    }

    private static int minBytes(Kind kind) {
        return kind == Kind.INVITE ? MIN_INVITE_BYTES : 1;
    }

    private static int maxBytes(Kind kind) {
        return kind == Kind.INVITE ? MAX_INVITE_BYTES : MAX_PASSWORD_BYTES;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Redeem r && r.kind == kind && Arrays.equals(r.secret, secret);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(secret);
    }

    /** Never the secret: it would end up in logs. */
    @Override
    public String toString() {
        return "REDEEM " + kind.name().toLowerCase() + " (" + secret.length + " bytes)";
    }
}
