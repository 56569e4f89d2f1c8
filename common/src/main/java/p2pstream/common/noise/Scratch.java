package p2pstream.common.noise;

/**
 * The arrays a thread's {@link CipherState}s encrypt and decrypt in: an input and an output array, grown to the
 * largest message the thread has handled (a record: 16 KiB and a tag). The JDK 17's AES-GCM is about twice as fast
 * on arrays as on direct buffers, and one form for handshakes and records alike keeps the JIT's profile of the
 * cipher from flipping between buffer kinds, which de-optimised the whole record path at each new connection's
 * handshake. Held per thread, never per connection, so ten thousand quiet sessions hold none. Each thread its own.
 */
final class Scratch {
    private static final ThreadLocal<byte[][]> ARRAYS = ThreadLocal.withInitial(() -> new byte[2][0]);

    private Scratch() {
    }

    /** The thread's input and output arrays, each of at least {@code bytes}; overwritten by the next call. */
    static byte[][] arrays(int bytes) {
        byte[][] arrays = ARRAYS.get();
        if (arrays[0].length < bytes) {
            int size = Math.max(bytes, Records.MAX_RECORD_BYTES);
            arrays[0] = new byte[size];
            arrays[1] = new byte[size];
        }
        return arrays;
    }
}
