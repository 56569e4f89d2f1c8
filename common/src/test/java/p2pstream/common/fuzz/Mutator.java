package p2pstream.common.fuzz;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Damages valid encodings the way hostile or broken peers do: bit flips, byte changes, truncation, extension,
 * inserted, deleted and repeated ranges, length and count fields set to boundary values, splices from another
 * valid encoding, or all-random bytes. Every choice comes from a {@link Draw}. Stateless; any thread.
 */
public final class Mutator {
    /** The kinds of damage; {@link #mutate} picks one per step. */
    enum Kind {
        FLIP_BIT, SET_BYTE, TRUNCATE, EXTEND, INSERT, DELETE, REPEAT, LENGTH_FIELD, SPLICE, RANDOM
    }

    private Mutator() {
    }

    /**
     * One to four damage steps on a copy of {@code bytes}, never longer than {@code maxBytes}; {@code donor} is
     * another valid encoding that splices take bytes from.
     */
    public static byte[] mutate(byte[] bytes, byte[] donor, int maxBytes, Draw draw) {
        byte[] b = bytes.clone();
        for (int steps = draw.between(1, 4); steps > 0; steps--) {
            b = step(b, donor, maxBytes, draw);
        }
        return b.length > maxBytes ? Arrays.copyOf(b, maxBytes) : b;
    }

    static byte[] step(byte[] b, byte[] donor, int maxBytes, Draw draw) {
        Kind kind = Kind.values()[draw.below(Kind.values().length)];
        int n = b.length;
        switch (kind) {
            case FLIP_BIT -> {
                if (n > 0) {
                    b[draw.below(n)] ^= (byte) (1 << draw.below(8));
                }
                return b;
            }
            case SET_BYTE -> {
                if (n > 0) {
                    b[draw.below(n)] = (byte) draw.pick(0x00, 0xff, 0x7f, 0x80, 0x01, 0x2f, 0x2e, 0x20,
                            draw.below(256));
                }
                return b;
            }
            case TRUNCATE -> {
                return Arrays.copyOf(b, n == 0 ? 0 : draw.below(n));
            }
            case EXTEND -> {
                int extra = draw.oneIn(8) ? draw.between(1, 4096) : draw.between(1, 8);
                byte[] tail = draw.bool() ? new byte[extra] : draw.bytes(extra);
                return splice(b, n, 0, tail, maxBytes);
            }
            case INSERT -> {
                return splice(b, draw.between(0, n), 0, draw.bytes(draw.between(1, 16)), maxBytes);
            }
            case DELETE -> {
                if (n == 0) {
                    return b;
                }
                int at = draw.below(n);
                return splice(b, at, draw.between(1, n - at), new byte[0], maxBytes);
            }
            case REPEAT -> {
                if (n == 0) {
                    return b;
                }
                int at = draw.below(n);
                int length = draw.between(1, Math.min(n - at, 64));
                return splice(b, at, 0, Arrays.copyOfRange(b, at, at + length), maxBytes);
            }
            case LENGTH_FIELD -> {
                return lengthField(b, draw);
            }
            case SPLICE -> {
                if (donor.length == 0) {
                    return b;
                }
                int from = draw.below(donor.length);
                byte[] piece = Arrays.copyOfRange(donor, from, from + draw.between(1, donor.length - from));
                int at = draw.between(0, n);
                return splice(b, at, draw.between(0, n - at), piece, maxBytes);
            }
            case RANDOM -> {
                return draw.bytes(draw.oneIn(4) ? draw.between(0, Math.min(maxBytes, 65536))
                        : draw.between(0, Math.max(n, 1)));
            }
            default -> throw new AssertionError(kind);
        }
    }

    /**
     * Overwrites a big-endian u8, u16 or u32 at a random place with a boundary value: zero, one, the bytes left after
     * it (and one more or less), the all-ones and sign-bit values. Strings, counts and frame lengths are such fields,
     * and a declared length that disagrees with the bytes present is the classic decoder bug.
     */
    static byte[] lengthField(byte[] b, Draw draw) {
        int width = draw.pick(1, 2, 4);
        if (b.length < width) {
            return b;
        }
        int at = draw.between(0, b.length - width);
        long left = b.length - at - width;
        long value = switch (draw.below(9)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> left;
            case 3 -> left + 1;
            case 4 -> Math.max(0, left - 1);
            case 5 -> (1L << (8 * width)) - 1;
            case 6 -> 1L << (8 * width - 1);
            case 7 -> (1L << (8 * width - 1)) - 1;
            default -> draw.anyLong();
        };
        ByteBuffer out = ByteBuffer.wrap(b);
        switch (width) {
            case 1 -> out.put(at, (byte) value);
            case 2 -> out.putShort(at, (short) value);
            default -> out.putInt(at, (int) value);
        }
        return b;
    }

    /** {@code b} with {@code removed} bytes at {@code at} replaced by {@code piece}, cut to {@code maxBytes}. */
    static byte[] splice(byte[] b, int at, int removed, byte[] piece, int maxBytes) {
        int length = Math.min(maxBytes, b.length - removed + piece.length);
        byte[] out = new byte[Math.max(0, length)];
        ByteBuffer o = ByteBuffer.wrap(out);
        o.put(b, 0, Math.min(at, out.length));
        o.put(piece, 0, Math.min(piece.length, o.remaining()));
        o.put(b, at + removed, Math.min(b.length - at - removed, o.remaining()));
        return out;
    }
}
