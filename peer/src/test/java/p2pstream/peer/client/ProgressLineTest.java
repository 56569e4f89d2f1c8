package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The progress line's text, figure by figure: what a user reads while streaming. */
class ProgressLineTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void unpacedShowsWhatIsInPlacePercentRateTimeLeftAndPeers() {
        String line = ProgressLine.file(new ProgressLine.FileFigures("film.mkv", 64 * MIB, 12 * MIB, 11 * MIB,
                26_000_000, 0, 3 * MIB, 3, 0));
        assertEquals("film.mkv: 12.0 MiB / 64.0 MiB (18%)  26.0 MB/s  ETA 0:03  peers 3  sent 0 B", line);
    }

    @Test
    void pacedShowsDownloadedAndPlayedApartAndTheBufferInSeconds() {
        // 500 kB/s: 4 MiB buffered is 8.4 s; the end comes when the last of 64 MiB is played, not when it arrives
        String line = ProgressLine.file(new ProgressLine.FileFigures("film.mkv", 64 * MIB, 30 * MIB, 12 * MIB,
                2_000_000, 500_000, 4 * MIB, 2, 5 * MIB / 2));
        assertEquals("film.mkv: downloaded 46%  played 18% of 64.0 MiB  buffer 8.4 s  2.0 MB/s  ETA 1:50"
                + "  peers 2  sent 2.5 MiB", line);
    }

    @Test
    void pacedWithFetchingPausedForAFullWindowStillKnowsWhenPlaybackEnds() {
        String line = ProgressLine.file(new ProgressLine.FileFigures("a.bin", 10_000_000, 6_000_000, 5_000_000, 0,
                1_000_000, 1_000_000, 1, 0));
        assertEquals("a.bin: downloaded 60%  played 50% of 9.5 MiB  buffer 1.0 s  0.0 MB/s  ETA 0:05  peers 1"
                + "  sent 0 B", line);
    }

    @Test
    void noRateYetIsAnUnknownTimeLeftAndAllInPlaceIsNone() {
        assertEquals("a.bin: 0 B / 1.0 MiB (0%)  0.0 MB/s  ETA --:--  peers 0  sent 0 B",
                ProgressLine.file(new ProgressLine.FileFigures("a.bin", MIB, 0, 0, 0, 0, 0, 0, 0)));
        assertEquals("a.bin: 1.0 MiB / 1.0 MiB (100%)  0.0 MB/s  ETA 0:00  peers 1  sent 0 B",
                ProgressLine.file(new ProgressLine.FileFigures("a.bin", MIB, MIB, MIB, 0, 0, 0, 1, 0)));
    }

    @Test
    void theResumeCheckSaysStoredChunksAreBeingVerified() {
        assertEquals("film.mkv: verifying stored chunks 120 / 256 (46%)  peers 3",
                ProgressLine.verifying("film.mkv", 120, 256, 3));
    }

    @Test
    void liveShowsLatencyBitrateAndPeers() {
        assertEquals("cam: live  latency 180 ms  1.15 Mbit/s  45 chunks  0 skipped  peers 3  sent 1.2 MiB",
                ProgressLine.live(new ProgressLine.LiveFigures("cam", true, 180, 1_150_000, 45, 0, 3, 1_258_291)));
        assertEquals("cam: live  latency 2.3 s  0.50 Mbit/s  7 chunks  2 skipped  peers 1  sent 0 B",
                ProgressLine.live(new ProgressLine.LiveFigures("cam", true, 2_345, 500_000, 7, 2, 1, 0)));
        assertEquals("cam: live, joining  peers 2",
                ProgressLine.live(new ProgressLine.LiveFigures("cam", false, -1, 0, 0, 0, 2, 0)));
    }

    @Test
    void durationsReadAsClockTimes() {
        assertEquals("0:00", ProgressLine.duration(0));
        assertEquals("0:42", ProgressLine.duration(41.2));
        assertEquals("12:03", ProgressLine.duration(723));
        assertEquals("1:02:03", ProgressLine.duration(3723));
        assertEquals("--:--", ProgressLine.duration(Double.NaN));
        assertEquals("--:--", ProgressLine.duration(100 * 3600));
    }

    @Test
    void aLongNameIsShortenedFromTheLeftSoTheFiguresStayWithinEightyColumns() {
        String name = "series/season-01/episode-01-the-one-where-the-name-is-long.mkv";
        assertEquals("...one-where-the-name-is-long.mkv: verifying stored chunks 1 / 2 (50%)  peers 0",
                ProgressLine.verifying(name, 1, 2, 0));
        assertEquals(ProgressLine.WIDTH, ProgressLine.verifying(name, 1, 2, 0).length());
    }
}
