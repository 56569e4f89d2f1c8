package p2pstream.common.access;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Arrays;
import p2pstream.common.identity.Ed25519;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * A stream owner's signed word that one peer id may read one private stream, or every stream under a path prefix,
 * until an expiry (PROTOCOL.md section 10). Decoding checks the signature, so a decoded grant is one the owner
 * made; {@link #check} says whether it lets a given peer read a given stream now. Thread-safe (immutable).
 *
 * <pre>grant: &lt;version:u8=1&gt;&lt;scope:u8 (1 content id, 2 path prefix)&gt;&lt;owner ed25519 key:32&gt;
 *        &lt;grantee peer id:16&gt;&lt;expires:i64 unix millis&gt;&lt;content id:32 | prefix:str&gt;
 *        &lt;signature:64&gt;
 * signature = Ed25519(owner, "p2pstream grant:" || every byte before the signature)</pre>
 */
public final class Grant {
    static final int VERSION = 1;
    static final int CONTENT = 1;
    static final int PREFIX = 2;
    /** The most bytes a grant takes: a prefix as long as a stream name. */
    public static final int MAX_BYTES = Wire.MAX_GRANT_BYTES;
    private static final byte[] SIGNED_PREFIX = "p2pstream grant:".getBytes(StandardCharsets.US_ASCII);

    private final byte[] ownerKey;
    private final PeerId owner;
    private final PeerId grantee;
    private final long expiresMillis;
    /** Exactly one of these two is set. */
    private final ContentId contentId;
    private final String prefix;
    private final byte[] encoded;

    private Grant(byte[] ownerKey, PeerId grantee, long expiresMillis, ContentId contentId, String prefix,
                  byte[] encoded) {
        this.ownerKey = ownerKey;
        this.owner = PeerId.of(ownerKey);
        this.grantee = grantee;
        this.expiresMillis = expiresMillis;
        this.contentId = contentId;
        this.prefix = prefix;
        this.encoded = encoded;
    }

    /** {@code owner} lets {@code grantee} read the stream {@code id} until {@code expiresMillis}. */
    public static Grant forStream(Identity owner, PeerId grantee, ContentId id, long expiresMillis) {
        return issue(owner, grantee, expiresMillis, id, null);
    }

    /** {@code owner} lets {@code grantee} read every stream of its named under {@code prefix} until the expiry. */
    public static Grant forPrefix(Identity owner, PeerId grantee, String prefix, long expiresMillis) {
        if (Wire.stringBytes(prefix) - 2 > Wire.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("prefix: " + prefix.length() + " characters (expected: at most "
                    + Wire.MAX_NAME_BYTES + " bytes)");
        }
        return issue(owner, grantee, expiresMillis, null, prefix);
    }

    private static Grant issue(Identity owner, PeerId grantee, long expiresMillis, ContentId id, String prefix) {
        byte[] key = owner.publicKey();
        ByteBuffer body = ByteBuffer.allocate(bodyLength(id, prefix));
        putBody(body, key, grantee, expiresMillis, id, prefix);
        byte[] signature = owner.sign(signed(body.array()));
        byte[] encoded = ByteBuffer.allocate(body.capacity() + Ed25519.SIGNATURE_BYTES).put(body.array())
                .put(signature).array();
        return new Grant(key, grantee, expiresMillis, id, prefix, encoded);
    }

    private static int bodyLength(ContentId id, String prefix) {
        return 2 + Ed25519.PUBLIC_KEY_BYTES + PeerId.BYTES + 8 + (id != null ? ContentId.BYTES
                : Wire.stringBytes(prefix));
    }

    private static void putBody(ByteBuffer out, byte[] key, PeerId grantee, long expires, ContentId id,
                                String prefix) {
        out.put((byte) VERSION).put((byte) (id != null ? CONTENT : PREFIX)).put(key);
        grantee.encode(out);
        out.putLong(expires);
        if (id != null) {
            id.encode(out);
        } else {
            Wire.putString(out, prefix);
        }
    }

    private static byte[] signed(byte[] body) {
        return ByteBuffer.allocate(SIGNED_PREFIX.length + body.length).put(SIGNED_PREFIX).put(body).array();
    }

    /** Who a grant says it is from and for, before its signature is checked. */
    public record Parties(PeerId owner, PeerId grantee) {
    }

    /**
     * The owner and grantee the grant at {@code in}'s position claims, read without moving it and without checking
     * the signature: a receiver refuses a grant from or for the wrong peer before it pays for a signature check.
     */
    public static Parties claimedParties(ByteBuffer in) throws ProtocolException {
        Wire.need(in, 2 + Ed25519.PUBLIC_KEY_BYTES + PeerId.BYTES, "grant");
        byte[] key = new byte[Ed25519.PUBLIC_KEY_BYTES];
        in.get(in.position() + 2, key);
        ByteBuffer grantee = in.slice(in.position() + 2 + key.length, PeerId.BYTES);
        return new Parties(PeerId.of(key), PeerId.decode(grantee));
    }

    /**
     * Reads one grant from {@code in} and checks its signature.
     *
     * @throws ProtocolException MALFORMED for bad bytes, AUTHENTICATION for a signature that does not verify
     */
    public static Grant decode(ByteBuffer in) throws ProtocolException {
        int start = in.position();
        Wire.need(in, 2 + Ed25519.PUBLIC_KEY_BYTES + PeerId.BYTES + 8, "grant");
        int version = in.get() & 0xff;
        int scope = in.get() & 0xff;
        if (version != VERSION || scope != CONTENT && scope != PREFIX) {
            throw ProtocolException.malformed("grant: version " + version + ", scope " + scope + " (expected: version "
                    + VERSION + ", scope " + CONTENT + " or " + PREFIX + ")");
        }
        byte[] key = new byte[Ed25519.PUBLIC_KEY_BYTES];
        in.get(key);
        PeerId grantee = PeerId.decode(in);
        long expires = in.getLong();
        ContentId id = scope == CONTENT ? ContentId.decode(in) : null;
        String prefix = scope == PREFIX ? Wire.getString(in, "grant prefix", Wire.MAX_NAME_BYTES) : null;
        int bodyEnd = in.position();
        Wire.need(in, Ed25519.SIGNATURE_BYTES, "grant signature");
        byte[] signature = new byte[Ed25519.SIGNATURE_BYTES];
        in.get(signature);
        byte[] body = new byte[bodyEnd - start];
        in.get(start, body);
        PublicKey ownerKey;
        try {
            ownerKey = Ed25519.publicKey(key);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION, "grant owner key: " + e.getMessage());
        }
        if (!Ed25519.verifies(ownerKey, signed(body), signature)) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION, "grant: the signature does not verify (expected:"
                    + " the owner's own)");
        }
        byte[] encoded = new byte[in.position() - start];
        in.get(start, encoded);
        return new Grant(key, grantee, expires, id, prefix, encoded);
    }

    /**
     * Whether this grant lets {@code reader} read the stream {@code id} named {@code name}, owned by {@code owner},
     * at {@code nowMillis}: the reason it does not, or null when it does.
     */
    public String check(PeerId reader, PeerId streamOwner, ContentId id, String name, long nowMillis) {
        if (!owner.equals(streamOwner)) {
            return "grant owner: " + owner.text() + " (expected: " + streamOwner.text() + ", the stream's owner)";
        }
        if (!grantee.equals(reader)) {
            return "grant grantee: " + grantee.text() + " (expected: " + reader.text() + ", the reader)";
        }
        if (nowMillis >= expiresMillis) {
            return "grant: expired " + (nowMillis - expiresMillis) / 1000 + " s ago (expected: before its expiry)";
        }
        if (contentId != null ? !contentId.equals(id) : name == null || !covers(prefix, name)) {
            return "grant scope: " + (contentId != null ? contentId.shortHex() : "prefix " + prefix)
                    + " (expected: the stream " + (name != null ? name : id.shortHex()) + ")";
        }
        return null;
    }

    /** Whether {@code prefix} names a folder {@code name} is in (or the name itself): "a/b" covers "a/b/c". */
    public static boolean covers(String prefix, String name) {
        if (prefix.isEmpty()) {
            return true;
        }
        String folder = prefix.endsWith("/") ? prefix : prefix + "/";
        return name.equals(prefix) || name.startsWith(folder);
    }

    public PeerId owner() {
        return owner;
    }

    public PeerId grantee() {
        return grantee;
    }

    public long expiresMillis() {
        return expiresMillis;
    }

    /** The stream it is for; null for a prefix grant. */
    public ContentId contentId() {
        return contentId;
    }

    /** The path prefix it is for; null for a grant of one stream. */
    public String prefix() {
        return prefix;
    }

    /** The raw Ed25519 key of the owner. */
    public byte[] ownerKey() {
        return ownerKey.clone();
    }

    public int encodedLength() {
        return encoded.length;
    }

    public void encode(ByteBuffer out) {
        out.put(encoded);
    }

    public byte[] bytes() {
        return encoded.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Grant g && Arrays.equals(encoded, g.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "Grant[" + owner + " -> " + grantee + ", " + (contentId != null ? contentId.shortHex() : prefix + "/")
                + ", until " + expiresMillis + "]";
    }
}
