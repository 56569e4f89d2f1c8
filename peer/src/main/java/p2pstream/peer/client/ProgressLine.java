package p2pstream.peer.client;

import java.util.Locale;
import p2pstream.common.cli.Quantity;

/**
 * The text of the progress line, from figures to one line: how much of a file is in place and played, the rate,
 * the time left and the buffer; the resume check; a live stream's latency and bitrate. No state and no I/O, so
 * each line is exactly what its figures say. Any thread (stateless).
 */
final class ProgressLine {
    /** Lines longer than this shorten the stream's name first, so a terminal of 80 columns does not wrap them. */
    static final int WIDTH = 79;
    private static final int MIN_NAME = 12;

    /**
     * A file stream's figures.
     *
     * @param total         bytes to deliver (from the start position on)
     * @param inPlace       bytes verified and stored so far (fetched, or kept from an earlier run)
     * @param played        bytes handed to the output in order
     * @param fetchRate     bytes per second fetched from peers lately
     * @param paceRate      the player's rate in bytes per second ({@code --rate}); 0 when unpaced
     * @param bufferedBytes bytes in place from the output's position on, without a gap
     */
    record FileFigures(String name, long total, long inPlace, long played, long fetchRate, long paceRate,
                       long bufferedBytes, int peers, long sent) {
    }

    /**
     * A live stream's figures.
     *
     * @param latencyMillis from publish time to written, for the last chunk written; -1 before any
     * @param bitsPerSecond what the output has been written at lately
     */
    record LiveFigures(String name, boolean joined, long latencyMillis, long bitsPerSecond, int chunks, int skipped,
                       int peers, long sent) {
    }

    private ProgressLine() {
    }

    /**
     * Unpaced: {@code film.mkv: 12.0 MiB / 64.0 MiB (18%)  25.3 MB/s  ETA 0:02  peers 3  sent 0 B}. Paced, what is in
     * place and what was played apart: {@code film.mkv: downloaded 47%  played 19% of 64.0 MiB  buffer 8.5 s  ...}.
     */
    static String file(FileFigures f) {
        long toFetch = Math.max(0, f.total() - f.inPlace());
        double fetchSeconds = toFetch == 0 ? 0 : f.fetchRate() <= 0 ? Double.NaN : (double) toFetch / f.fetchRate();
        String figures;
        if (f.paceRate() <= 0) {
            figures = String.format(Locale.ROOT, "%s / %s (%s)  %s  ETA %s  peers %d  sent %s",
                    Quantity.bytesText(f.inPlace()), Quantity.bytesText(f.total()), percent(f.inPlace(), f.total()),
                    rate(f.fetchRate()), duration(fetchSeconds), f.peers(), Quantity.bytesText(f.sent()));
        } else {
            // paced, the output ends when the last byte is played, however early the last one arrives; fetching
            // pauses while the window is full, so a rate of 0 then says nothing about the end
            double playSeconds = (double) Math.max(0, f.total() - f.played()) / f.paceRate();
            figures = String.format(Locale.ROOT,
                    "downloaded %s  played %s of %s  buffer %.1f s  %s  ETA %s  peers %d  sent %s",
                    percent(f.inPlace(), f.total()), percent(f.played(), f.total()), Quantity.bytesText(f.total()),
                    (double) f.bufferedBytes() / f.paceRate(), rate(f.fetchRate()),
                    duration(Double.isNaN(fetchSeconds) ? playSeconds : Math.max(fetchSeconds, playSeconds)), f.peers(),
                    Quantity.bytesText(f.sent()));
        }
        return fit(f.name(), figures);
    }

    /**
     * While an earlier run's chunks are checked: {@code film.mkv: verifying stored chunks 120 / 256 (46%)  peers 3}.
     */
    static String verifying(String name, int checked, int recorded, int peers) {
        return fit(name, String.format(Locale.ROOT, "verifying stored chunks %d / %d (%s)  peers %d", checked, recorded,
                percent(checked, recorded), peers));
    }

    /**
     * {@code cam: live  latency 180 ms  1.15 Mbit/s  45 chunks  0 skipped  peers 3  sent 1.2 MiB}; before the join,
     * {@code cam: live, joining  peers 2}.
     */
    static String live(LiveFigures f) {
        if (!f.joined()) {
            return fit(f.name(), "live, joining  peers " + f.peers());
        }
        String latency = f.latencyMillis() < 0 ? "-" : f.latencyMillis() < 1000 ? f.latencyMillis() + " ms"
                : String.format(Locale.ROOT, "%.1f s", f.latencyMillis() / 1000.0);
        return fit(f.name(), String.format(Locale.ROOT,
                "live  latency %s  %.2f Mbit/s  %d chunks  %d skipped  peers %d  sent %s",
                latency, f.bitsPerSecond() / 1e6, f.chunks(), f.skipped(), f.peers(), Quantity.bytesText(f.sent())));
    }

    /** {@code 0:42}, {@code 12:03}, {@code 1:02:03}; {@code --:--} when unknown (NaN, negative) or beyond 99 hours. */
    static String duration(double seconds) {
        if (Double.isNaN(seconds) || seconds < 0 || seconds >= 100 * 3600) {
            return "--:--";
        }
        long s = (long) Math.ceil(seconds);
        return s < 3600 ? String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** Whole percent, rounded down, so 100% means all of it; an empty whole is all there. */
    static String percent(long part, long whole) {
        return (whole <= 0 ? 100 : Math.min(100, part * 100 / whole)) + "%";
    }

    private static String rate(long bytesPerSecond) {
        return String.format(Locale.ROOT, "%.1f MB/s", bytesPerSecond / 1e6);
    }

    /**
     * {@code name: figures}, the name shortened from the left ({@code ...} + its end) when the line would pass
     * {@link #WIDTH}.
     */
    static String fit(String name, String figures) {
        int room = WIDTH - figures.length() - 2;
        if (name.length() > room && name.length() > MIN_NAME) {
            int keep = Math.max(MIN_NAME, room) - 3;
            name = "..." + name.substring(name.length() - keep);
        }
        return name + ": " + figures;
    }
}
