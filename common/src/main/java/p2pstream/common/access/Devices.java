package p2pstream.common.access;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * The tracker's answer to DEVICES ({@link Ask}): an account's name, whether it exists (or the tracker cannot say
 * now), and the peer ids of its devices; a peer-server shares {@code --allow NAME} with those ids (PROTOCOL.md
 * section 10). Thread-safe (immutable).
 *
 * <pre>DEVICES (peer -&gt; tracker): &lt;len&gt;&lt;type=0x18&gt;&lt;name:str, an account name&gt;
 * DEVICES (tracker -&gt; peer): &lt;len&gt;&lt;type=0x18&gt;&lt;name:str&gt;&lt;found:u8 0 no such account, 1 found,
 *         2 unknown now&gt;&lt;count:u16, 0..32, 0 unless found&gt;&lt;peer id:16&gt; x count</pre>
 */
public record Devices(String name, Found found, List<PeerId> ids) implements Message {

    /** Whether the account exists: UNKNOWN when the tracker cannot say now (its store busy or failing). */
    public enum Found {
        NO_ACCOUNT, FOUND, UNKNOWN;

        static Found of(int code) throws ProtocolException {
            if (code >= values().length) {
                throw ProtocolException.malformed("found: " + code + " (expected: 0 no such account, 1 found, 2"
                        + " unknown now)");
            }
            return values()[code];
        }
    }

    public Devices {
        AccountName.check("account", name);
        ids = List.copyOf(ids);
        if (ids.size() > AccountAnswer.MAX_DEVICES || (found != Found.FOUND && !ids.isEmpty())) {
            throw new IllegalArgumentException("devices: " + ids.size() + " with " + found
                    + " (expected: at most " + AccountAnswer.MAX_DEVICES + ", none unless found)");
        }
    }

    /** The answer of a tracker that cannot say now (its store busy or failing). */
    public static Devices unknown(String name) {
        return new Devices(name, Found.UNKNOWN, List.of());
    }

    /** The question: which devices has the account {@code name}? */
    public record Ask(String name) implements Message {
        public Ask {
            AccountName.check("account", name);
        }

        @Override
        public MessageType type() {
            return MessageType.DEVICES;
        }

        @Override
        public int payloadLength() {
            return Wire.stringBytes(name);
        }

        @Override
        public void encodePayload(ByteBuffer out) {
            Wire.putString(out, name);
        }

        public static Ask decode(ByteBuffer in) throws ProtocolException {
            String name = readName(in);
            Wire.end(in, MessageType.DEVICES);
            return new Ask(name);
        }
    }

    @Override
    public MessageType type() {
        return MessageType.DEVICES;
    }

    @Override
    public int payloadLength() {
        return Wire.stringBytes(name) + 3 + ids.size() * PeerId.BYTES;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        Wire.putString(out, name);
        out.put((byte) found.ordinal()).putShort((short) ids.size());
        ids.forEach(id -> id.encode(out));
    }

    public static Devices decode(ByteBuffer in) throws ProtocolException {
        String name = readName(in);
        Found found = Found.of(Wire.getU8(in, "found"));
        int count = Wire.getU16(in, "devices");
        if (count > AccountAnswer.MAX_DEVICES || (found != Found.FOUND && count > 0)) {
            throw ProtocolException.malformed("devices: " + count + " with " + found
                    + " (expected: at most " + AccountAnswer.MAX_DEVICES + ", 0 unless found)");
        }
        List<PeerId> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(PeerId.decode(in));
        }
        Wire.end(in, MessageType.DEVICES);
        return new Devices(name, found, ids);
    }

    /** An account name as read: BAD_NAME when it breaks the rule. */
    static String readName(ByteBuffer in) throws ProtocolException {
        String name = Wire.getString(in, "account", AccountName.MAX_CHARS);
        if (!AccountName.isValid(name)) {
            throw new ProtocolException(ErrorCode.BAD_NAME, "account: \"" + name + "\" (expected: 1 to "
                    + AccountName.MAX_CHARS + " of a-z 0-9 _ . -)");
        }
        return name;
    }
}
