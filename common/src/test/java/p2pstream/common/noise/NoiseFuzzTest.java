package p2pstream.common.noise;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pstream.common.fuzz.DecodeCheck;
import p2pstream.common.fuzz.FuzzedDraw;

/**
 * Fuzzing of the secure transport's decoders ({@link NoiseTargets}: records, and both sides of the handshake) for
 * the properties {@link DecodeCheck} states: they fail only with ProtocolException, allocate in proportion to their
 * input, and what they take is exactly what a valid peer sends. The {@code @FuzzTest} is Jazzer's coverage-guided
 * run in a fork of its own (tag noise; {@code fuzz.noise.seconds}, see the pom), the seeded run the same without
 * instrumentation, so with the tight allocation bound.
 */
@Tag("noise")
class NoiseFuzzTest {
    private static final int SEEDED_RUNS_PER_TARGET = 300;
    private static final DecodeCheck JAZZER = new DecodeCheck(NoiseTargets.all(),
            DecodeCheck.INSTRUMENTED_BYTES_PER_INPUT_BYTE);
    private static final long START_NANOS = System.nanoTime();

    @FuzzTest(maxDuration = "3s")
    void handshakeAndRecordsFailOnlyWithProtocolException(FuzzedDataProvider data) {
        JAZZER.run(new FuzzedDraw(data));
    }

    @Test
    void handshakeAndRecordsHoldTheSamePropertiesOnSeededRandomInputs() {
        DecodeCheck check = DecodeCheck.runSeeded(NoiseTargets.all(), 20261207L, SEEDED_RUNS_PER_TARGET);
        System.out.print("NoiseFuzzTest: seeded " + check.summary());
    }

    @AfterAll
    static void report() {
        if (JAZZER.runs() > 0) {
            System.out.print("NoiseFuzzTest: Jazzer ran " + (System.nanoTime() - START_NANOS) / 1_000_000 + " ms "
                    + JAZZER.summary());
        }
    }
}
