package p2pstream.common.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/**
 * A {@link Draw} over Jazzer's input: every choice is bytes the fuzzer mutates and keeps when they reach new
 * code. An exhausted input answers the smallest value, so every input makes some message. Fuzz thread only.
 */
public final class FuzzedDraw implements Draw {
    private final FuzzedDataProvider data;

    public FuzzedDraw(FuzzedDataProvider data) {
        this.data = data;
    }

    @Override
    public int below(int bound) {
        return between(0, bound - 1);
    }

    // folded into range: Jazzer 0.24's consumeInt(0, Integer.MAX_VALUE) was seen to answer negative values
    @Override
    public int between(int min, int max) {
        int v = data.consumeInt(min, max);
        return v >= min && v <= max ? v : (int) (min + Math.floorMod((long) v - min, (long) max - min + 1));
    }

    @Override
    public long anyLong() {
        return data.consumeLong();
    }

    /** The rest of the input as raw bytes: what a fuzzer that ignores the structure would send. */
    public byte[] rest(int maxBytes) {
        return data.consumeBytes(maxBytes);
    }
}
