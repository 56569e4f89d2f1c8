package p2pstream.common.access;

import java.nio.ByteBuffer;
import java.util.Arrays;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * A peer registers an account at the tracker, or logs in to one, with a password, binding the id its handshake proved
 * to the account as a device (PROTOCOL.md section 10). Sent only on an encrypted session: the password is in the
 * record's plaintext. Thread-safe (immutable but for the password array, which the receiver may clear).
 *
 * <pre>ACCOUNT (peer -&gt; tracker): &lt;len&gt;&lt;type=0x17&gt;&lt;op:u8 1 register, 2 log in&gt;
 *         &lt;name:str, an account name&gt;&lt;password:str, 1..4096 bytes of UTF-8&gt;</pre>
 */
public record AccountRequest(Op op, String name, char[] password) implements Message {
    /** UTF-8 bytes of a password at most: {@link PasswordHash#MAX_PASSWORD_CHARS} characters of up to 4 bytes. */
    public static final int MAX_PASSWORD_BYTES = 4096;

    /** What the peer asks. */
    public enum Op {
        REGISTER(1), LOG_IN(2);

        final int code;

        Op(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        static Op of(int code) throws ProtocolException {
            for (Op o : values()) {
                if (o.code == code) {
                    return o;
                }
            }
            throw ProtocolException.malformed("account op: " + code + " (expected: 1 register or 2 log in)");
        }
    }

    /** Keeps a copy of {@code password}: the caller clears its own. */
    public AccountRequest {
        AccountName.check("account", name);
        password = password.clone();
        if (password.length == 0 || Wire.stringBytes(new String(password)) - 2 > MAX_PASSWORD_BYTES) {
            throw new IllegalArgumentException("password: " + password.length + " characters (expected: 1 to "
                    + PasswordHash.MAX_PASSWORD_CHARS + ")");
        }
        for (char c : password) {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw new IllegalArgumentException("password: a control character (expected: printable text)");
            }
        }
    }

    @Override
    public MessageType type() {
        return MessageType.ACCOUNT;
    }

    @Override
    public int payloadLength() {
        return 1 + Wire.stringBytes(name) + Wire.stringBytes(new String(password));
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.put((byte) op.code);
        Wire.putString(out, name);
        Wire.putString(out, new String(password));
    }

    public static AccountRequest decode(ByteBuffer in) throws ProtocolException {
        Op op = Op.of(Wire.getU8(in, "account op"));
        String name = Devices.readName(in);
        String password = Wire.getString(in, "password", MAX_PASSWORD_BYTES);
        if (password.isEmpty() || password.length() > PasswordHash.MAX_PASSWORD_CHARS) {
            throw ProtocolException.malformed("password: " + password.length() + " characters (expected: 1 to "
                    + PasswordHash.MAX_PASSWORD_CHARS + ")");
        }
        Wire.end(in, MessageType.ACCOUNT);
        return new AccountRequest(op, name, password.toCharArray());
    }

    /** Forgets the password (after it was hashed or checked). */
    public void clear() {
        Arrays.fill(password, '\0');
    }

    @Override
    public String toString() {
        return "ACCOUNT " + op + " " + name; // never the password
    }
}
