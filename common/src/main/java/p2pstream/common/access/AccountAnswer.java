package p2pstream.common.access;

import java.nio.ByteBuffer;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * The tracker's yes to an {@link AccountRequest}: the account was made (or the password was right) and the session's
 * proved id is now one of its devices, or the device asked was taken off. A refusal is an ERROR instead (PROTOCOL.md
 * section 10). Thread-safe (immutable).
 *
 * <pre>ACCOUNT (tracker -&gt; peer): &lt;len=4&gt;&lt;type=0x17&gt;&lt;op:u8 as asked&gt;
 *         &lt;devices:u16, the account's devices now, 1..{@value #MAX_DEVICES} (0.. after op 3)&gt;</pre>
 */
public record AccountAnswer(AccountRequest.Op op, int devices) implements Message {
    /** Devices (peer ids) one account holds at most. */
    public static final int MAX_DEVICES = 32;

    public AccountAnswer {
        if (devices < least(op) || devices > MAX_DEVICES) {
            throw new IllegalArgumentException("devices: " + devices + " after " + op + " (expected: " + least(op)
                    + ".." + MAX_DEVICES + ")");
        }
    }

    /** An account keeps at least one device but when one was just taken off. */
    private static int least(AccountRequest.Op op) {
        return op == AccountRequest.Op.REMOVE_DEVICE ? 0 : 1;
    }

    @Override
    public MessageType type() {
        return MessageType.ACCOUNT;
    }

    @Override
    public int payloadLength() {
        return 3;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.put((byte) op.code).putShort((short) devices);
    }

    public static AccountAnswer decode(ByteBuffer in) throws ProtocolException {
        AccountRequest.Op op = AccountRequest.Op.of(Wire.getU8(in, "account op"));
        int devices = Wire.getU16(in, "devices");
        if (devices < least(op) || devices > MAX_DEVICES) {
            throw ProtocolException.malformed("devices: " + devices + " after " + op + " (expected: " + least(op)
                    + ".." + MAX_DEVICES + ")");
        }
        Wire.end(in, MessageType.ACCOUNT);
        return new AccountAnswer(op, devices);
    }
}
