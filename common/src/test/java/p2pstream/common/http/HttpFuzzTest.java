package p2pstream.common.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pstream.common.fuzz.DecodeCheck;
import p2pstream.common.fuzz.FuzzedDraw;

/**
 * Fuzzing of the request-head parser ({@link HttpHeadTargets}) for the properties {@link DecodeCheck} states: it
 * parses or refuses with a status, never throws anything else, and allocates in proportion to its input; and for
 * its own: a head fed in parts parses as it does whole, a parsed head written out parses to the same request. The
 * {@code @FuzzTest} is Jazzer's coverage-guided run in a fork of its own (tag http; {@code fuzz.http.seconds}, see
 * the pom), the seeded run the same without instrumentation, so with the tight allocation bound.
 */
@Tag("http")
class HttpFuzzTest {
    private static final int SEEDED_RUNS = 3_000;
    private static final DecodeCheck JAZZER = new DecodeCheck(HttpHeadTargets.all(),
            DecodeCheck.INSTRUMENTED_BYTES_PER_INPUT_BYTE);
    private static final long START_NANOS = System.nanoTime();

    @FuzzTest(maxDuration = "3s")
    void requestHeadsParseOrAreRefusedWithAStatusAndNothingElse(FuzzedDataProvider data) {
        JAZZER.run(new FuzzedDraw(data));
    }

    @Test
    void requestHeadsHoldTheSamePropertiesOnSeededRandomInputs() {
        DecodeCheck check = DecodeCheck.runSeeded(HttpHeadTargets.all(), 20261124L, SEEDED_RUNS);
        System.out.print("HttpFuzzTest: seeded " + check.summary());
    }

    @AfterAll
    static void report() {
        if (JAZZER.runs() > 0) {
            System.out.print("HttpFuzzTest: Jazzer ran " + (System.nanoTime() - START_NANOS) / 1_000_000 + " ms "
                    + JAZZER.summary());
        }
    }
}
