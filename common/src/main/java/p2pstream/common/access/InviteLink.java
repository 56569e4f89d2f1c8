package p2pstream.common.access;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Wire;

/**
 * An invite as a link (PROTOCOL.md section 10): the tracker to find the stream through afterwards, the owner's peer id
 * (the redeemer's handshake demands it) and address, what the invite lets in (one file by name, or a folder: a path
 * prefix, empty for everything shared) and its secret. Only the canonical text is read ({@link #parse} writes back
 * what it read and refuses any other spelling), so each invite has exactly one link; hosts are kept as text and
 * resolved by whoever dials them. Immutable; any thread.
 *
 * <pre>p2ps://TRACKER-HOST:PORT#o=OWNER-ID&amp;a=OWNER-HOST:PORT&amp;(f=NAME|d=PREFIX)&amp;s=SECRET[&amp;t=TRACKER-ID]
 * NAME, PREFIX: UTF-8, every byte but A-Z a-z 0-9 - . _ ~ / as %XX (upper-case hex)
 * SECRET: base32 (A-Z2-7, no padding) of 20..60 random bytes; OWNER-ID, TRACKER-ID: as --whoami prints them</pre>
 */
public final class InviteLink {
    public static final String SCHEME = "p2ps://";
    /** Secret bytes a new invite gets: 160 bits, 32 base32 characters. */
    public static final int SECRET_BYTES = 20;
    static final int MIN_SECRET_BYTES = 20;
    static final int MAX_SECRET_BYTES = 60;
    /** Longer text is refused before it is read: a name of 1,024 bytes all escaped fits. */
    public static final int MAX_CHARS = 4_096;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String HOST = "([A-Za-z0-9.\\-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]):([1-9][0-9]{0,4})";
    private static final Pattern LINK = Pattern.compile("p2ps://" + HOST + "#o=([A-Z2-7-]{31})&a=" + HOST
            + "&([fd])=([^&#]*)&s=([A-Z2-7]{32,96})(&t=([A-Z2-7-]{31}))?");
    private static final String EXPECTED = "expected: p2ps://HOST:PORT#o=OWNER-ID&a=HOST:PORT&f=NAME (or d=FOLDER)"
            + "&s=SECRET, as peer-server --invite printed it";

    private final String tracker;
    private final PeerId owner;
    private final String ownerAddress;
    private final boolean file;
    private final String scope;
    private final byte[] secret;
    private final PeerId trackerId;

    /**
     * @param tracker      HOST:PORT of the tracker ({@code [v6]:PORT} for an IPv6 literal)
     * @param ownerAddress HOST:PORT where the owner serves
     * @param file         whether {@code scope} names one file (else a folder, "" for everything)
     * @param trackerId    the tracker's peer id, or null when the link does not pin it
     */
    public InviteLink(String tracker, PeerId owner, String ownerAddress, boolean file, String scope, byte[] secret,
                      PeerId trackerId) {
        this.tracker = tracker;
        this.owner = owner;
        this.ownerAddress = ownerAddress;
        this.file = file;
        this.scope = scope;
        this.secret = secret.clone();
        this.trackerId = trackerId;
        String problem = scopeProblem(file, scope);
        if (problem != null || port(tracker) > 65_535 || port(ownerAddress) > 65_535
                || secret.length < MIN_SECRET_BYTES || secret.length > MAX_SECRET_BYTES
                || secret.length % 5 != 0 || !LINK.matcher(text()).matches()) {
            throw new IllegalArgumentException("invite link: " + (problem != null ? problem : "bad host, port or"
                    + " secret length " + secret.length + " (" + EXPECTED + ")"));
        }
    }

    /** Reads a link; IllegalArgumentException saying what is wrong with it (never echoing the secret). */
    public static InviteLink parse(String text) {
        if (text.length() > MAX_CHARS) {
            throw new IllegalArgumentException("invite link: " + text.length() + " characters (expected: at most "
                    + MAX_CHARS + ")");
        }
        Matcher m = LINK.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("invite link: not one (" + EXPECTED + ")");
        }
        InviteLink link = new InviteLink(m.group(1) + ":" + m.group(2), PeerId.parse(m.group(3)),
                m.group(4) + ":" + m.group(5), m.group(6).equals("f"), unescape(m.group(7)), base32Decode(m.group(8)),
                m.group(10) != null ? PeerId.parse(m.group(10)) : null);
        if (!link.text().equals(text)) {
            throw new IllegalArgumentException("invite link: not in its one spelling (" + EXPECTED + ")");
        }
        return link;
    }

    /** The link's text. */
    public String text() {
        return SCHEME + tracker + "#o=" + owner.text() + "&a=" + ownerAddress + "&" + (file ? "f=" : "d=")
                + escape(scope) + "&s=" + base32(secret) + (trackerId != null ? "&t=" + trackerId.text() : "");
    }

    /** HOST:PORT of the tracker. */
    public String tracker() {
        return tracker;
    }

    public PeerId owner() {
        return owner;
    }

    /** HOST:PORT where the owner serves. */
    public String ownerAddress() {
        return ownerAddress;
    }

    /** Whether the invite is for one file ({@link #scope} its name) rather than a folder. */
    public boolean isFile() {
        return file;
    }

    /** The file's name, or the folder's path prefix ("" for everything the owner shares). */
    public String scope() {
        return scope;
    }

    /** What it lets in, for people: "file NAME", "folder PREFIX" or "everything shared". */
    public String covers() {
        return file ? "file " + scope : scope.isEmpty() ? "everything shared" : "folder " + scope;
    }

    public byte[] secret() {
        return secret.clone();
    }

    /** The tracker's peer id, or null when the link does not pin it. */
    public PeerId trackerId() {
        return trackerId;
    }

    /** Never the secret. */
    @Override
    public String toString() {
        return "invite from " + owner.text() + " for " + covers();
    }

    /** The port of HOST:PORT, or 0 when there is none to read. */
    private static int port(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String digits = hostPort.substring(colon + 1);
        return colon < 0 || digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)
                ? 0 : Integer.parseInt(digits);
    }

    /** Why {@code scope} cannot be what an invite covers, or null. */
    public static String scopeProblem(boolean file, String scope) {
        if (!file && scope.isEmpty()) {
            return null;
        }
        String problem = Wire.nameProblem(scope);
        if (problem == null && Wire.stringBytes(scope) - 2 > Wire.MAX_NAME_BYTES) {
            problem = "is longer than " + Wire.MAX_NAME_BYTES + " bytes";
        }
        for (int i = 0; problem == null && i < scope.length(); i++) {
            char c = scope.charAt(i);
            if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
                problem = "has a control character";
            }
        }
        return problem == null ? null : (file ? "file" : "folder") + " \"" + scope + "\" " + problem;
    }

    /** A name as a link (and the invites file) writes it: UTF-8, every byte but A-Z a-z 0-9 - . _ ~ / as %XX. */
    public static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "-._~/".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

    /** The name {@link #escape} wrote; IllegalArgumentException for anything else. */
    public static String unescape(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("invite link: a bad %-escape in the name (" + EXPECTED + ")");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x80 && c != '%') {
                bytes.write(c);
            } else {
                throw new IllegalArgumentException("invite link: a bad character in the name (" + EXPECTED + ")");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("invite link: the name is not UTF-8 (" + EXPECTED + ")", e);
        }
    }

    /** Base32 of a multiple of 5 bytes, no padding. */
    public static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length * 8 / 5);
        for (int i = 0; i + 5 <= bytes.length; i += 5) {
            long group = 0;
            for (int j = 0; j < 5; j++) {
                group = group << 8 | (bytes[i + j] & 0xff);
            }
            for (int shift = 35; shift >= 0; shift -= 5) {
                out.append(BASE32.charAt((int) (group >> shift) & 31));
            }
        }
        return out.toString();
    }

    static byte[] base32Decode(String text) {
        if (text.length() % 8 != 0) {
            throw new IllegalArgumentException("invite link: secret of " + text.length() + " characters (expected: a"
                    + " multiple of 8)");
        }
        byte[] out = new byte[text.length() / 8 * 5];
        for (int i = 0; i < text.length(); i += 8) {
            long group = 0;
            for (int j = 0; j < 8; j++) {
                group = group << 5 | BASE32.indexOf(text.charAt(i + j));
            }
            for (int j = 0; j < 5; j++) {
                out[i / 8 * 5 + j] = (byte) (group >> (32 - 8 * j));
            }
        }
        return out;
    }
}
