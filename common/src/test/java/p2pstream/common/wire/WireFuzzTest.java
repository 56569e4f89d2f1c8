package p2pstream.common.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import p2pstream.common.fuzz.DecodeCheck;
import p2pstream.common.fuzz.FuzzedDraw;
import p2pstream.common.fuzz.WireTargets;

/**
 * Fuzzing of every wire decoder in {@link WireTargets#all()} for the properties {@link DecodeCheck} states: decoding
 * fails only with ProtocolException, allocates in proportion to its input and re-encodes what it takes to the same
 * bytes. The {@code @FuzzTest} is Jazzer's coverage-guided run, in its own fork for {@code fuzz.wire.seconds} (see
 * the pom; without JAZZER_FUZZ it only replays its saved inputs); the seeded run checks the same properties without
 * instrumentation, so with a tight allocation bound.
 */
class WireFuzzTest {
    private static final int SEEDED_RUNS_PER_DECODER = 300;
    private static final DecodeCheck JAZZER =
            new DecodeCheck(WireTargets.all(), DecodeCheck.INSTRUMENTED_BYTES_PER_INPUT_BYTE);
    private static final long START_NANOS = System.nanoTime();

    @FuzzTest(maxDuration = "8s")
    void decodersFailOnlyWithProtocolExceptionAndReencodeWhatTheyTake(FuzzedDataProvider data) {
        JAZZER.run(new FuzzedDraw(data));
    }

    @Test
    void decodersHoldTheSamePropertiesOnSeededRandomInputs() {
        DecodeCheck.runSeeded(WireTargets.all(), 20261124L, SEEDED_RUNS_PER_DECODER);
    }

    @AfterAll
    static void report() {
        if (JAZZER.runs() > 0) {
            System.out.print("WireFuzzTest: Jazzer ran " + (System.nanoTime() - START_NANOS) / 1_000_000 + " ms "
                    + JAZZER.summary());
        }
    }
}
