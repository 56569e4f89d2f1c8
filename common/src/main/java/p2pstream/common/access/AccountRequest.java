package p2pstream.common.access;

import java.nio.ByteBuffer;
import java.util.Arrays;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * A peer registers an account at the tracker, or logs in to one, with a password, binding the id its handshake proved
 * to the account as a device, or takes a device off the account (PROTOCOL.md section 10). Sent only on an encrypted
 * session: the password is in the record's plaintext. Thread-safe (immutable but for the password array, which the
 * receiver may clear).
 *
 * <pre>ACCOUNT (peer -&gt; tracker): &lt;len&gt;&lt;type=0x17&gt;&lt;op:u8 1 register, 2 log in, 3 remove a device&gt;
 *         &lt;name:str, an account name&gt;&lt;password:str, 1..4096 bytes of UTF-8&gt;
 *         &lt;device:16, the peer id to remove: op 3 only&gt;</pre>
 */
public record AccountRequest(Op op, String name, char[] password, PeerId device) implements Message {
    /** UTF-8 bytes of a password at most: {@link PasswordHash#MAX_PASSWORD_CHARS} characters of up to 4 bytes. */
    public static final int MAX_PASSWORD_BYTES = 4096;

    /** What the peer asks. */
    public enum Op {
        REGISTER(1), LOG_IN(2), REMOVE_DEVICE(3);

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
            throw ProtocolException.malformed("account op: " + code + " (expected: 1 register, 2 log in or 3"
                    + " remove a device)");
        }
    }

    /** Keeps a copy of {@code password}: the caller clears its own. */
    public AccountRequest {
        AccountName.check("account", name);
        if ((op == Op.REMOVE_DEVICE) != (device != null)) {
            throw new IllegalArgumentException("device: " + device + " with " + op + " (expected: a device to"
                    + " remove with REMOVE_DEVICE only)");
        }
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

    /** Registers or logs in ({@code op} 1 or 2): no device named, the session's own is bound. */
    public AccountRequest(Op op, String name, char[] password) {
        this(op, name, password, null);
    }

    @Override
    public MessageType type() {
        return MessageType.ACCOUNT;
    }

    @Override
    public int payloadLength() {
        return 1 + Wire.stringBytes(name) + Wire.stringBytes(new String(password))
                + (device == null ? 0 : PeerId.BYTES);
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.put((byte) op.code);
        Wire.putString(out, name);
        Wire.putString(out, new String(password));
        if (device != null) {
            device.encode(out);
        }
    }

    public static AccountRequest decode(ByteBuffer in) throws ProtocolException {
        Op op = Op.of(Wire.getU8(in, "account op"));
        String name = Devices.readName(in);
        String password = Wire.getString(in, "password", MAX_PASSWORD_BYTES);
        if (password.isEmpty() || password.length() > PasswordHash.MAX_PASSWORD_CHARS) {
            throw ProtocolException.malformed("password: " + password.length() + " characters (expected: 1 to "
                    + PasswordHash.MAX_PASSWORD_CHARS + ")");
        }
        PeerId device = op == Op.REMOVE_DEVICE ? PeerId.decode(in) : null;
        Wire.end(in, MessageType.ACCOUNT);
        return new AccountRequest(op, name, password.toCharArray(), device);
    }

    /** Forgets the password (after it was hashed or checked). */
    public void clear() {
        Arrays.fill(password, '\0');
    }

    @Override
    public String toString() {
        return "ACCOUNT " + op + " " + name + (device == null ? "" : " " + device.text()); // never the password
    }
}
