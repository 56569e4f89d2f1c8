package p2pstream.peer.playback;

import java.nio.ByteBuffer;
import java.util.Set;

/**
 * Tells, from the first bytes of a stream as they go by, whether it is an MP4/MOV whose index ({@code moov}) comes
 * before its media ({@code mdat}), which a player can read from a pipe, or after it, which it cannot. Only the
 * top-level box headers are read (32-bit size and type, or a 64-bit size); bodies are skipped by counting, so it
 * holds 16 bytes whatever it is fed, and it gives up (undecidable, no verdict) on a malformed header or after
 * {@link #MAX_BOXES} boxes or {@link #MAX_OFFSET} bytes. One thread at a time.
 */
final class Mp4Layout {
    /** What the bytes so far say. */
    enum Verdict {
        /** More bytes are needed. */
        UNDECIDED,
        /** Not an MP4/MOV, malformed, or no answer within the bounds: nothing to say. */
        OTHER,
        /** {@code moov} before {@code mdat}: plays from a pipe. */
        MOOV_FIRST,
        /** {@code mdat} before {@code moov}: a player must seek to the end for the index, which a pipe cannot do. */
        MDAT_FIRST
    }

    /** Top-level boxes looked at, at most: real files reach moov or mdat within a handful. */
    static final int MAX_BOXES = 64;
    /** A header further into the stream than this is not looked for: a warning that late is no use. */
    static final long MAX_OFFSET = 64L * 1024 * 1024;
    /** Boxes a file may start with: {@code ftyp} (ISO), or a top-level box of an old QuickTime file without one. */
    private static final Set<String> FIRST_BOXES = Set.of("ftyp", "moov", "mdat", "wide", "free", "skip", "pnot");

    private final byte[] header = new byte[16];
    private int have;
    private long skip;
    private long offset;
    private int boxes;
    private Verdict verdict = Verdict.UNDECIDED;

    Verdict verdict() {
        return verdict;
    }

    /**
     * Reads {@code bytes} (their remaining part; the buffer's position is left as it is); returns the verdict so far.
     */
    Verdict feed(ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate();
        while (b.hasRemaining() && verdict == Verdict.UNDECIDED) {
            if (skip > 0) {
                int n = (int) Math.min(skip, b.remaining());
                b.position(b.position() + n);
                skip -= n;
                offset += n;
                continue;
            }
            int need = have < 8 ? 8 : 16;
            int n = Math.min(need - have, b.remaining());
            b.get(header, have, n);
            have += n;
            offset += n;
            if (have == 8 || have == 16) {
                verdict = onHeaderBytes();
            }
        }
        return verdict;
    }

    /** A box header's first 8 bytes, or all 16 of a 64-bit one, are in. */
    private Verdict onHeaderBytes() {
        long size = Integer.toUnsignedLong(ByteBuffer.wrap(header, 0, 4).getInt());
        String type = type();
        if (type == null || (boxes == 0 && !FIRST_BOXES.contains(type)) || (size > 1 && size < 8)) {
            return Verdict.OTHER; // a 32-bit size below the header's own 8 bytes is no box
        }
        if (type.equals("moov")) {
            return Verdict.MOOV_FIRST;
        }
        if (type.equals("mdat")) {
            return Verdict.MDAT_FIRST;
        }
        if (size == 1 && have == 8) {
            return Verdict.UNDECIDED; // a 64-bit size follows
        }
        int headerBytes = have;
        if (size == 1) {
            size = ByteBuffer.wrap(header, 8, 8).getLong(); // negative when above 2^63: refused below with the rest
        }
        // size 0 runs to the end of the stream: nothing follows it, so neither box will come
        if (size < headerBytes || ++boxes > MAX_BOXES || size - headerBytes > MAX_OFFSET - offset) {
            return Verdict.OTHER;
        }
        skip = size - headerBytes;
        have = 0;
        return Verdict.UNDECIDED;
    }

    /** The box type, or null unless it is four printable ASCII characters (as every registered type is). */
    private String type() {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            int v = header[4 + i] & 0xff;
            if (v < 0x20 || v > 0x7e) {
                return null;
            }
            c[i] = (char) v;
        }
        return new String(c);
    }
}
