package p2pstream.peer.store;

import java.nio.ByteBuffer;
import java.security.PublicKey;
import p2pstream.common.identity.Ed25519;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * A live stream's metadata: its name, the largest chunk, the publisher's Ed25519 public key and when this run
 * of the stream started. The content id is the SHA-256 of this encoding, so it is derived from the key and the
 * name: only the key's holder can publish chunks that verify under it. The start time makes every run its own
 * stream, so chunk 5 of yesterday's run can never pass for chunk 5 of today's. Thread-safe (immutable).
 *
 * <pre>live manifest: &lt;format:u8=2&gt;&lt;name:str&gt;&lt;chunk size:u32&gt;&lt;ed25519 public key:32&gt;
 *                &lt;run started micros:i64&gt;</pre>
 *
 * <p>What the publisher signs, for a chunk (tag 1) and for the end of the stream (tag 2, count and zero hash):
 * <pre>&lt;tag:u8&gt;&lt;content id:32&gt;&lt;index or chunk count:u32&gt;&lt;time micros:i64&gt;
 * &lt;sha-256 of the chunk bytes:32&gt;</pre>
 */
public final class LiveManifest {
    public static final int FORMAT = 2;
    public static final int KEY_BYTES = 32;
    static final int SIGNED_BYTES = 1 + 32 + 4 + 8 + 32;
    static final byte CHUNK_TAG = 1;
    static final byte END_TAG = 2;
    // an Ed25519 SubjectPublicKeyInfo is this fixed prefix followed by the 32 raw key bytes (RFC 8410)

    private final String name;
    private final int chunkSize;
    private final byte[] publicKey;
    private final long startedMicros;
    private final PublicKey key;
    private final byte[] encoded;
    private final ContentId contentId;

    public LiveManifest(String name, int chunkSize, byte[] publicKey, long startedMicros) {
        String problem = Wire.nameProblem(name);
        if (problem != null || chunkSize < Wire.MIN_CHUNK_BYTES || chunkSize > Wire.MAX_CHUNK_BYTES
                || publicKey.length != KEY_BYTES) {
            throw new IllegalArgumentException("live manifest: name " + (problem != null ? problem : "ok")
                    + ", chunk size " + chunkSize + ", key " + publicKey.length + " bytes (expected: a valid name,"
                    + " chunk size " + Wire.MIN_CHUNK_BYTES + ".." + Wire.MAX_CHUNK_BYTES + ", a " + KEY_BYTES
                    + "-byte Ed25519 key)");
        }
        this.name = name;
        this.chunkSize = chunkSize;
        this.publicKey = publicKey.clone();
        this.startedMicros = startedMicros;
        this.key = Ed25519.publicKey(this.publicKey);
        ByteBuffer out = ByteBuffer.allocate(1 + Wire.stringBytes(name) + 4 + KEY_BYTES + 8);
        out.put((byte) FORMAT);
        Wire.putString(out, name);
        out.putInt(chunkSize).put(this.publicKey).putLong(startedMicros);
        this.encoded = out.array();
        this.contentId = ContentId.of(Manifest.sha256().digest(encoded));
    }

    /**
     * Decodes a live manifest received from a peer and checks it names {@code expected}.
     *
     * @throws ProtocolException when it is malformed, is not a live manifest, or its SHA-256 is not the content id
     */
    public static LiveManifest decode(byte[] bytes, ContentId expected) throws ProtocolException {
        ContentId actual = ContentId.of(Manifest.sha256().digest(bytes));
        if (!actual.equals(expected)) {
            throw ProtocolException.malformed("manifest: sha-256 " + actual.shortHex() + " (expected: "
                    + expected.shortHex() + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int format = Wire.getU8(in, "manifest format");
        if (format != FORMAT) {
            throw ProtocolException.malformed("manifest format: " + format + " (expected: " + FORMAT + ", live)");
        }
        String name = Wire.getName(in, "manifest name");
        int chunkSize = Wire.getU31(in, "manifest chunk size");
        if (chunkSize < Wire.MIN_CHUNK_BYTES || chunkSize > Wire.MAX_CHUNK_BYTES) {
            throw ProtocolException.malformed("manifest chunk size: " + chunkSize + " (expected: "
                    + Wire.MIN_CHUNK_BYTES + ".." + Wire.MAX_CHUNK_BYTES + ")");
        }
        Wire.need(in, KEY_BYTES, "manifest public key");
        byte[] publicKey = new byte[KEY_BYTES];
        in.get(publicKey);
        long started = Wire.getI64(in, "manifest run start");
        if (in.hasRemaining()) {
            throw ProtocolException.malformed("manifest: " + in.remaining() + " trailing bytes (expected: 0)");
        }
        try {
            return new LiveManifest(name, chunkSize, publicKey, started);
        } catch (IllegalArgumentException e) {
            throw ProtocolException.malformed("manifest public key: " + e.getMessage() + " (expected: an Ed25519 key)");
        }
    }

    public String name() {
        return name;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public ContentId contentId() {
        return contentId;
    }

    /** The encoding the content id is computed over; a fresh copy. */
    public byte[] encoded() {
        return encoded.clone();
    }

    byte[] publicKey() {
        return publicKey.clone();
    }

    /** When this run of the stream started, microseconds since the epoch on the publisher's clock. */
    public long startedMicros() {
        return startedMicros;
    }

    /**
     * True when {@code signature} is the publisher's over chunk {@code index} with this time and SHA-256. Any thread.
     */
    public boolean verifiesChunk(int index, long publishMicros, byte[] sha256, byte[] signature) {
        return verify(signed(CHUNK_TAG, contentId, index, publishMicros, sha256), signature);
    }

    /** True when {@code signature} is the publisher's over the end of the stream after {@code chunkCount} chunks. */
    public boolean verifiesEnd(int chunkCount, long endMicros, byte[] signature) {
        return verify(signed(END_TAG, contentId, chunkCount, endMicros, new byte[32]), signature);
    }

    static byte[] signed(byte tag, ContentId id, int n, long micros, byte[] sha256) {
        ByteBuffer b = ByteBuffer.allocate(SIGNED_BYTES);
        b.put(tag);
        id.encode(b);
        b.putInt(n).putLong(micros).put(sha256);
        return b.array();
    }

    private boolean verify(byte[] message, byte[] signature) {
        return Ed25519.verifies(key, message, signature);
    }

    @Override
    public String toString() {
        return "LiveManifest[" + name + ", chunks up to " + chunkSize + ", " + contentId.shortHex() + "]";
    }
}
