package p2pstream.peer.store;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * A file stream's metadata: name, size, chunk size and every chunk's SHA-256. Its content id is the SHA-256
 * of its encoding, so a manifest received from anyone can be checked against the id asked for.
 * Thread-safe (immutable; the hash array is never handed out).
 *
 * <pre>manifest: &lt;format:u8=1&gt;&lt;name:str&gt;&lt;size:i64&gt;&lt;chunk size:u32&gt;&lt;chunk count:u32&gt;
 *           &lt;chunk sha-256:32&gt;*count</pre>
 */
public final class Manifest {
    public static final int FORMAT = 1;
    public static final int HASH_BYTES = 32;
    /** Encoding of the largest manifest: header, longest name, every hash. */
    public static final int MAX_ENCODED_BYTES = 1 + 2 + Wire.MAX_NAME_BYTES + 8 + 4 + 4
            + HASH_BYTES * Wire.MAX_CHUNK_COUNT;

    private final String name;
    private final long size;
    private final int chunkSize;
    private final byte[] hashes;
    private final byte[] encoded;
    private final ContentId contentId;

    public Manifest(String name, long size, int chunkSize, byte[] hashes) {
        this(name, size, chunkSize, hashes.clone(), null, null);
    }

    /** With {@code encoded} and its id already known (a decoded manifest), neither is computed again. */
    private Manifest(String name, long size, int chunkSize, byte[] hashes, byte[] encoded, ContentId contentId) {
        checkName(name);
        int count = chunkCount(size, chunkSize);
        if (hashes.length != count * HASH_BYTES) {
            throw new IllegalArgumentException("hashes: " + hashes.length + " bytes (expected: "
                    + count * HASH_BYTES + ")");
        }
        this.name = name;
        this.size = size;
        this.chunkSize = chunkSize;
        this.hashes = hashes;
        this.encoded = encoded != null ? encoded : encode();
        this.contentId = contentId != null ? contentId : ContentId.of(sha256().digest(this.encoded));
    }

    /** The chunk size for a file: the default, doubled until the chunk count fits the protocol limit. */
    public static int chunkSizeFor(long size) {
        if (size < 0 || ceilDiv(size, Wire.MAX_CHUNK_BYTES) > Wire.MAX_CHUNK_COUNT) {
            throw new IllegalArgumentException("size: " + size + " (expected: 0.."
                    + (long) Wire.MAX_CHUNK_BYTES * Wire.MAX_CHUNK_COUNT + ")");
        }
        int chunk = Wire.DEFAULT_CHUNK_BYTES;
        // not chunkCount(): it throws above the limit instead of answering, which is what this loop asks
        while (ceilDiv(size, chunk) > Wire.MAX_CHUNK_COUNT) {
            chunk *= 2;
        }
        return chunk;
    }

    public static int chunkCount(long size, int chunkSize) {
        if (size < 0 || chunkSize < Wire.MIN_CHUNK_BYTES || chunkSize > Wire.MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("size " + size + ", chunk size " + chunkSize
                    + " (expected: size >= 0, chunk size " + Wire.MIN_CHUNK_BYTES + ".." + Wire.MAX_CHUNK_BYTES + ")");
        }
        long count = ceilDiv(size, chunkSize);
        if (count > Wire.MAX_CHUNK_COUNT) {
            throw new IllegalArgumentException("chunk count: " + count + " (expected: <= "
                    + Wire.MAX_CHUNK_COUNT + ")");
        }
        return (int) count;
    }

    // size + chunkSize - 1 would overflow to a negative count for sizes near Long.MAX_VALUE
    private static long ceilDiv(long size, int chunkSize) {
        return size / chunkSize + (size % chunkSize == 0 ? 0 : 1);
    }

    // The constructor must refuse what decode() refuses: otherwise a name over 65535 bytes would be written
    // with a wrapped uint16 length, and any other bad name would give a content id no peer can ever decode.
    private static void checkName(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("manifest name: empty (expected: a stream name)");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw new IllegalArgumentException("manifest name: control character 0x" + Integer.toHexString(c)
                        + " at " + i + " (expected: printable text)");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < name.length()
                        && Character.isLowSurrogate(name.charAt(i + 1))) {
                    i++;
                } else {
                    throw new IllegalArgumentException("manifest name: lone surrogate at " + i
                            + " (expected: valid UTF-16)");
                }
            }
        }
        int bytes = Wire.stringBytes(name) - 2;
        if (bytes > Wire.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("manifest name: " + bytes + " UTF-8 bytes (expected: <= "
                    + Wire.MAX_NAME_BYTES + ")");
        }
        String problem = Wire.nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("manifest name: \"" + name + "\" " + problem);
        }
    }

    public String name() {
        return name;
    }

    public long size() {
        return size;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public int chunkCount() {
        return hashes.length / HASH_BYTES;
    }

    public ContentId contentId() {
        return contentId;
    }

    public long chunkOffset(int index) {
        return (long) index * chunkSize;
    }

    /** Bytes in chunk {@code index}: the chunk size, except for a shorter last chunk. */
    public int chunkLength(int index) {
        return (int) Math.min(chunkSize, size - chunkOffset(index));
    }

    /** True when {@code sha256} (32 bytes) is chunk {@code index}'s hash. */
    public boolean matches(int index, byte[] sha256) {
        return Arrays.equals(hashes, index * HASH_BYTES, (index + 1) * HASH_BYTES, sha256, 0, HASH_BYTES);
    }

    /** The encoding the content id is computed over; a fresh copy. */
    public byte[] encoded() {
        return encoded.clone();
    }

    /**
     * Decodes a manifest received from a peer and checks it names {@code expected}.
     *
     * @throws ProtocolException when it is malformed or its SHA-256 is not the content id
     */
    public static Manifest decode(byte[] bytes, ContentId expected) throws ProtocolException {
        ContentId actual = ContentId.of(sha256().digest(bytes));
        if (!actual.equals(expected)) {
            throw ProtocolException.malformed("manifest: sha-256 " + actual.shortHex() + " (expected: "
                    + expected.shortHex() + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int format = Wire.getU8(in, "manifest format");
        if (format != FORMAT) {
            throw ProtocolException.malformed("manifest format: " + format + " (expected: " + FORMAT + ")");
        }
        String name = Wire.getName(in, "manifest name");
        long size = Wire.getI64(in, "manifest size");
        int chunkSize = Wire.getU31(in, "manifest chunk size");
        int count = Wire.getU31(in, "manifest chunk count");
        int expectedCount;
        try {
            expectedCount = chunkCount(size, chunkSize);
        } catch (IllegalArgumentException e) {
            throw ProtocolException.malformed("manifest: " + e.getMessage());
        }
        if (count != expectedCount) {
            throw ProtocolException.malformed("manifest chunk count: " + count + " (expected: " + expectedCount + ")");
        }
        if (in.remaining() != count * HASH_BYTES) {
            throw ProtocolException.malformed("manifest hashes: " + in.remaining() + " bytes (expected: "
                    + count * HASH_BYTES + ")");
        }
        byte[] hashes = new byte[count * HASH_BYTES];
        in.get(hashes);
        return new Manifest(name, size, chunkSize, hashes, bytes.clone(), actual);
    }

    private byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(1 + Wire.stringBytes(name) + 8 + 4 + 4 + hashes.length);
        out.put((byte) FORMAT);
        Wire.putString(out, name);
        out.putLong(size).putInt(chunkSize).putInt(chunkCount()).put(hashes);
        return out.array();
    }

    /** A fresh SHA-256 digest (each thread needs its own). */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JRE", e);
        }
    }

    @Override
    public String toString() {
        return "Manifest[" + name + ", " + size + " bytes, " + chunkCount() + " x " + chunkSize + ", "
                + contentId.shortHex() + "]";
    }
}
