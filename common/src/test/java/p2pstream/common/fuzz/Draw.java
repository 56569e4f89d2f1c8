package p2pstream.common.fuzz;

import java.util.Random;

/**
 * Where a fuzz execution takes its choices from: Jazzer's input bytes ({@link FuzzedDraw}), so the fuzzer steers
 * them by coverage, or a seeded {@link Random} ({@link #of(Random)}) for the connection-level fuzz tests. Generators
 * and {@link Mutator} take every choice from one. Not thread-safe; one per execution.
 */
public interface Draw {

    /** A value in {@code 0..bound-1}; {@code bound >= 1}. */
    int below(int bound);

    /** A value in {@code min..max}, both included. */
    int between(int min, int max);

    long anyLong();

    default boolean bool() {
        return below(2) == 0;
    }

    /**
     * True about once in {@code n} draws. The rare answer is the top value: an exhausted fuzzer input answers the
     * smallest one, and must take the common path (not, say, a 4 MiB manifest every time).
     */
    default boolean oneIn(int n) {
        return below(n) == n - 1;
    }

    /** One of {@code values}. */
    default int pick(int... values) {
        return values[below(values.length)];
    }

    /**
     * A seeded random source for bulk content (hashes, long texts, big lists): a fuzzer input stays small while
     * the values it makes can be large.
     */
    default Draw fork() {
        return of(new Random(anyLong()));
    }

    default byte[] bytes(int length) {
        byte[] b = new byte[length];
        new Random(anyLong()).nextBytes(b);
        return b;
    }

    static Draw of(Random random) {
        return new Draw() {
            @Override
            public int below(int bound) {
                return random.nextInt(bound);
            }

            @Override
            public int between(int min, int max) {
                return (int) (min + Math.floorMod(random.nextLong(), (long) max - min + 1));
            }

            @Override
            public long anyLong() {
                return random.nextLong();
            }
        };
    }
}
