package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The progress line's drawing: its pace, its rates over a window of seconds, and how it clears itself. */
class ProgressTest {
    private static final long SECOND = 1_000_000_000L;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void drawsTwiceASecondAtMostButAtOnceWhenTheKindChanges() {
        assertTrue(progress.due(0, Progress.Kind.VERIFYING));
        progress.draw(0, Progress.Kind.VERIFYING, "a: verifying");
        assertFalse(progress.due(SECOND / 4, Progress.Kind.VERIFYING));
        assertTrue(progress.due(SECOND / 4, Progress.Kind.FILE), "the check ended: say so at once");
        assertTrue(progress.due(SECOND / 2, Progress.Kind.VERIFYING));
    }

    @Test
    void aShorterLineClearsWhatTheLongerOneLeft() {
        progress.draw(0, Progress.Kind.FILE, "abcdef");
        progress.draw(SECOND, Progress.Kind.FILE, "xyz");
        progress.end();
        assertEquals("\rabcdef\rxyz   \n", printed());
    }

    @Test
    void aNoticeGetsALineOfItsOwnAndTheNextLineComesAtOnce() {
        progress.draw(0, Progress.Kind.FILE, "abcd");
        progress.notice("peer-client: warning: x");
        assertTrue(progress.due(1, Progress.Kind.FILE));
        assertEquals("\rabcd\r    \rpeer-client: warning: x\n", printed());
    }

    @Test
    void ratesAreAveragedOverTheLastFiveSeconds() {
        assertEquals(0, progress.rate(0, 0));
        assertEquals(1000, progress.rate(SECOND, 1000));
        assertEquals(1000, progress.rate(2 * SECOND, 2000));
        // a burst, then nothing: the burst leaves the average once it is older than the window
        assertEquals(2000, progress.rate(3 * SECOND, 6000));
        for (int s = 4; s <= 9; s++) {
            progress.rate(s * SECOND, 6000);
        }
        assertEquals(0, progress.rate(10 * SECOND, 6000));
    }
}
