package p2pstream.common.net;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Message;

/**
 * Hand-made bytes for adversarial tests: frames with any type and payload, the exact bytes of a message's frame,
 * cut or padded copies, seeded random garbage.
 */
public final class WireBytes {
    private WireBytes() {
    }

    /** One frame with a correct length prefix and any type byte and payload. */
    public static byte[] frame(int type, byte[] payload) {
        return ByteBuffer.allocate(Frames.HEADER_BYTES + payload.length)
                .putInt(1 + payload.length).put((byte) type).put(payload).array();
    }

    /** The whole frame {@link Frames#encode} makes for {@code m}. */
    public static byte[] encoded(Message m) {
        ByteBuffer b = Frames.encode(m);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    /** The payload (after the type byte) of {@code m}'s frame. */
    public static byte[] payload(Message m) {
        byte[] all = encoded(m);
        return Arrays.copyOfRange(all, Frames.HEADER_BYTES, all.length);
    }

    /** Four bytes, big-endian: a length prefix or an index. */
    public static byte[] u32(long v) {
        return ByteBuffer.allocate(4).putInt((int) v).array();
    }

    /** The first {@code length} bytes. */
    public static byte[] cut(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }

    /** The bytes followed by {@code extra} zero bytes. */
    public static byte[] plus(byte[] bytes, int extra) {
        return Arrays.copyOf(bytes, bytes.length + extra);
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** 1 to 4096 random bytes, the same for the same seed. */
    public static byte[] garbage(long seed) {
        Random random = new Random(seed);
        byte[] bytes = new byte[1 + random.nextInt(4096)];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * For each message: (its type, the message, a cut) for every cut inside its frame that tests a boundary: in
     * the length prefix, right after it, after the type byte, halfway, one byte short.
     */
    public static Stream<Arguments> truncations(List<? extends Message> messages) {
        List<Arguments> list = new ArrayList<>();
        for (Message m : messages) {
            int length = encoded(m).length;
            for (int cutAt : new TreeSet<>(List.of(1, 3, 4, 5, length / 2, length - 1))) {
                if (cutAt > 0 && cutAt < length) {
                    list.add(Arguments.of(m.type(), m, cutAt));
                }
            }
        }
        return list.stream();
    }
}
