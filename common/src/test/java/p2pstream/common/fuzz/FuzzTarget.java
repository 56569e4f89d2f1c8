package p2pstream.common.fuzz;

import java.nio.ByteBuffer;
import p2pstream.common.wire.ProtocolException;

/**
 * One decoder under fuzz, as one entry of a fuzz test's list: how to make a valid value, how to encode it, and how
 * to decode bytes back. {@link DecodeCheck} does the rest: mutates the encoding, decodes, and checks that decoding
 * fails only with {@link ProtocolException}, allocates in proportion to the input, and re-encodes what it takes to
 * the same bytes. Immutable.
 *
 * @param name          shown in the run's tally and in failures
 * @param maxInputBytes the most bytes the decoder can be handed (its frame's payload limit); mutations stay within
 * @param valid         makes a valid value from a draw
 * @param encode        the value's exact bytes (a payload, a whole frame, a manifest...)
 * @param decode        decodes bytes; {@code base} is the valid value the bytes were mutated from, for decoders that
 *                      need context the receiver knows (a bitfield's chunk count, a message type)
 * @param property      a further property checked on each input after decoding, outside the allocation measurement
 *                      (a parser fed the bytes in parts must give what it gives whole); null for none
 * @param fixedBytes    what one decode may allocate whatever its input, beyond {@link DecodeCheck}'s small slack:
 *                      0 but for work of a fixed size (the key agreements and signature of a handshake)
 */
public record FuzzTarget<T>(String name, int maxInputBytes, Generator<T> valid, Encoder<T> encode, Decoder<T> decode,
                            Property<T> property, long fixedBytes) {

    /** Makes a valid value. */
    @FunctionalInterface
    public interface Generator<T> {
        T next(Draw draw);
    }

    /** The exact bytes of a value. */
    @FunctionalInterface
    public interface Encoder<T> {
        byte[] encode(T value);
    }

    /** Decodes {@code in} (position to limit; bytes outside belong to someone else) as what {@code base} is. */
    @FunctionalInterface
    public interface Decoder<T> {
        T decode(T base, ByteBuffer in) throws ProtocolException;
    }

    /** Checks {@code in} (position to limit) for a property of the decoder; throws AssertionError when it fails. */
    @FunctionalInterface
    public interface Property<T> {
        void check(T base, ByteBuffer in);
    }

    public static <T> FuzzTarget<T> of(String name, int maxInputBytes, Generator<T> valid, Encoder<T> encode,
                                       Decoder<T> decode) {
        return new FuzzTarget<>(name, maxInputBytes, valid, encode, decode, null, 0);
    }

    /** A target whose decoder has a {@code property} beyond those {@link DecodeCheck} checks. */
    public static <T> FuzzTarget<T> of(String name, int maxInputBytes, Generator<T> valid, Encoder<T> encode,
                                       Decoder<T> decode, Property<T> property) {
        return new FuzzTarget<>(name, maxInputBytes, valid, encode, decode, property, 0);
    }

    /** This target, allowed {@code bytes} of fixed-size work per decode (see {@link #fixedBytes}). */
    public FuzzTarget<T> withFixedBytes(long bytes) {
        return new FuzzTarget<>(name, maxInputBytes, valid, encode, decode, property, bytes);
    }
}
