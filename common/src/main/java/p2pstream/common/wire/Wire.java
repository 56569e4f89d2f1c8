package p2pstream.common.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Protocol constants and the field codecs every message shares (strings, addresses, ids, bounds checks).
 * All multi-byte integers are big-endian. Thread-safe (stateless).
 */
public final class Wire {
    /** "P2PS", first field of every HELLO. */
    public static final int MAGIC = 0x50325053;
    public static final int VERSION = 1;

    /** The uint32 length prefix; the length counts the type byte and the payload. */
    public static final int LENGTH_FIELD_BYTES = 4;
    /** Largest frame length (type + payload) on control connections and for frames sent to a server. */
    public static final int MAX_CONTROL_FRAME_BYTES = 64 * 1024;

    public static final int MIN_CHUNK_BYTES = 16 * 1024;
    public static final int DEFAULT_CHUNK_BYTES = 256 * 1024;
    public static final int MAX_CHUNK_BYTES = 4 * 1024 * 1024;
    /** Bounds a manifest's hash list to 4 MiB; larger files get larger chunks. */
    public static final int MAX_CHUNK_COUNT = 128 * 1024;
    /** Largest frame a peer may send to a client: a CHUNK of the largest chunk, or the largest MANIFEST. */
    public static final int MAX_PEER_FRAME_BYTES = MAX_CHUNK_BYTES + 64 * 1024;

    public static final int MAX_NAME_BYTES = 1024;
    public static final int CONTENT_ID_BYTES = 32;
    public static final int PEER_ID_BYTES = 16;
    public static final int MAX_PEERS_PER_LOOKUP = 200;
    public static final int MAX_STREAMS_PER_LIST = 1000;
    public static final int MAX_ERROR_MESSAGE_BYTES = 1024;
    /**
     * The most bytes a grant takes (p2pstream.common.access.Grant: a path prefix as long as a name); PEERS carries
     * the asker's grant for a private stream as these raw bytes.
     */
    public static final int MAX_GRANT_BYTES = 2 + 32 + PEER_ID_BYTES + 8 + 2 + MAX_NAME_BYTES + 64;

    private Wire() {
    }

    /** Throws unless {@code count} more bytes can be read. */
    public static void need(ByteBuffer in, int count, String field) throws ProtocolException {
        if (in.remaining() < count) {
            throw ProtocolException.malformed(field + ": " + in.remaining() + " bytes left (expected: " + count + ")");
        }
    }

    /** Throws if bytes are left after the last field: a frame is exactly one message. */
    public static void end(ByteBuffer in, MessageType type) throws ProtocolException {
        if (in.hasRemaining()) {
            throw ProtocolException.malformed(type + ": " + in.remaining() + " trailing bytes (expected: 0)");
        }
    }

    public static int getU8(ByteBuffer in, String field) throws ProtocolException {
        need(in, 1, field);
        return in.get() & 0xff;
    }

    /** A u8 that must be 0 (false) or 1 (true). */
    public static boolean getFlag(ByteBuffer in, String field) throws ProtocolException {
        int b = getU8(in, field);
        if (b > 1) {
            throw ProtocolException.malformed(field + ": " + b + " (expected: 0 or 1)");
        }
        return b == 1;
    }

    /** A u16 port that must not be 0 (a port something listens on). */
    public static int getPort(ByteBuffer in, String field) throws ProtocolException {
        int port = getU16(in, field);
        if (port == 0) {
            throw ProtocolException.malformed(field + ": 0 (expected: 1..65535)");
        }
        return port;
    }

    /** Throws unless {@code port} is one something can listen on: for the records that carry one. */
    public static int checkPort(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
        return port;
    }

    public static int getU16(ByteBuffer in, String field) throws ProtocolException {
        need(in, 2, field);
        return in.getShort() & 0xffff;
    }

    /** A uint32 that must fit in a non-negative int (indexes, counts, sizes). */
    public static int getU31(ByteBuffer in, String field) throws ProtocolException {
        need(in, 4, field);
        int v = in.getInt();
        if (v < 0) {
            throw ProtocolException.malformed(field + ": " + Integer.toUnsignedString(v) + " (expected: < 2^31)");
        }
        return v;
    }

    public static long getI64(ByteBuffer in, String field) throws ProtocolException {
        need(in, 8, field);
        return in.getLong();
    }

    /** Bytes a string takes on the wire: uint16 length + UTF-8. */
    public static int stringBytes(String s) {
        return 2 + utf8Length(s);
    }

    public static void putString(ByteBuffer out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.putShort((short) bytes.length);
        out.put(bytes);
    }

    /** Reads a string of at most {@code maxBytes} UTF-8 bytes, rejecting bad UTF-8 and control characters. */
    public static String getString(ByteBuffer in, String field, int maxBytes) throws ProtocolException {
        int length = getU16(in, field + " length");
        if (length > maxBytes) {
            throw ProtocolException.malformed(field + " length: " + length + " (expected: <= " + maxBytes + ")");
        }
        need(in, length, field);
        ByteBuffer bytes = in.slice(in.position(), length);
        in.position(in.position() + length);
        String s;
        try {
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            CharBuffer chars = decoder.decode(bytes);
            s = chars.toString();
        } catch (CharacterCodingException e) {
            throw ProtocolException.malformed(field + ": invalid UTF-8 (expected: UTF-8 text)");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw ProtocolException.malformed(field + ": control character 0x" + Integer.toHexString(c)
                        + " at " + i + " (expected: printable text)");
            }
        }
        return s;
    }

    /**
     * A stream name as used on the wire: a relative path of printable text with '/' between non-empty
     * segments, none of them "." or "..", at most {@link #MAX_NAME_BYTES}. Names reach file systems (shared
     * directories, default output files), so path tricks are refused at the edge.
     */
    public static String getName(ByteBuffer in, String field) throws ProtocolException {
        String name = getString(in, field, MAX_NAME_BYTES);
        String problem = nameProblem(name);
        if (problem != null) {
            throw new ProtocolException(ErrorCode.BAD_NAME, field + ": \"" + name + "\" " + problem);
        }
        return name;
    }

    /** Why {@code name} is not a valid stream name, or null when it is. */
    public static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "is empty (expected: a stream name)";
        }
        if (name.startsWith("/") || name.indexOf('\\') >= 0 || (name.length() > 1 && name.charAt(1) == ':')) {
            return "is absolute or has a backslash (expected: a relative name with '/')";
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "has an empty, '.' or '..' segment (expected: a relative name without them)";
            }
        }
        return null;
    }

    /** Bytes an address takes: family byte (4 or 16), the address, uint16 port. */
    public static int addressBytes(InetSocketAddress a) {
        // not getAddress().length: that copies the address, and a tracker sizes 200 of them per PEERS answer
        return 1 + (a.getAddress() instanceof Inet4Address ? 4 : 16) + 2;
    }

    public static void putAddress(ByteBuffer out, InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        out.put((byte) ip.length);
        out.put(ip);
        out.putShort((short) a.getPort());
    }

    /** Neither the wildcard nor a multicast address: one host a connection can go to. */
    public static boolean isUnicast(InetAddress a) {
        return !a.isAnyLocalAddress() && !a.isMulticastAddress();
    }

    /**
     * An address this peer is told to connect to (a DIAL's): unicast, with a port, else MALFORMED; a tracker must not
     * make a peer dial a group or a wildcard.
     */
    public static InetSocketAddress getDialAddress(ByteBuffer in, String field) throws ProtocolException {
        InetSocketAddress a = getAddress(in, field);
        if (!isUnicast(a.getAddress()) || a.getPort() == 0) {
            throw ProtocolException.malformed(field + ": " + a.getAddress().getHostAddress() + " port " + a.getPort()
                    + " (expected: a unicast address and a port)");
        }
        return a;
    }

    public static InetSocketAddress getAddress(ByteBuffer in, String field) throws ProtocolException {
        int length = getU8(in, field + " family");
        if (length != 4 && length != 16) {
            throw ProtocolException.malformed(field + " family: " + length + " (expected: 4 or 16)");
        }
        need(in, length + 2, field);
        byte[] ip = new byte[length];
        in.get(ip);
        int port = in.getShort() & 0xffff;
        InetAddress address;
        try {
            address = InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw ProtocolException.malformed(field + ": " + e.getMessage());
        }
        // Java turns an IPv4-mapped IPv6 address (::ffff:a.b.c.d) into IPv4, which encodes as family 4: one
        // address, one encoding
        if ((address instanceof Inet4Address ? 4 : 16) != length) {
            throw ProtocolException.malformed(field + ": IPv4-mapped IPv6 " + address.getHostAddress()
                    + " (expected: family 4 for an IPv4 address)");
        }
        return new InetSocketAddress(address, port);
    }

    public static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n += 1; // lone surrogate: getBytes writes '?'
            } else {
                n += 3;
            }
        }
        return n;
    }
}
