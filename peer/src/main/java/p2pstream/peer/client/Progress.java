package p2pstream.peer.client;

import java.io.PrintStream;
import java.util.Locale;
import p2pstream.peer.store.Manifest;

/** The progress line drawn on a terminal while streaming, at most twice a second. Loop thread only. */
final class Progress {
    private static final long INTERVAL_NANOS = 500_000_000;
    private final PrintStream out;
    private long lastNanos;
    private long lastBytes;

    Progress(PrintStream out) {
        this.out = out;
    }

    void show(long now, Manifest m, long bytes, int peers, int buffered, long uploaded) {
        if (lastNanos != 0 && now - lastNanos < INTERVAL_NANOS) {
            return;
        }
        double rate = lastNanos == 0 ? 0 : (bytes - lastBytes) / ((now - lastNanos) / 1e9);
        lastNanos = now;
        lastBytes = bytes;
        out.printf(Locale.ROOT, "\r%s: %s / %s  %6.1f MB/s  peers %d  buffer %d chunks  sent %s   ",
                m.name(), Stats.bytesText(bytes), Stats.bytesText(m.size()), rate / 1e6, peers, buffered,
                Stats.bytesText(uploaded));
        out.flush();
    }

    /** Ends the line so the summary starts on a fresh one. */
    void end() {
        if (lastNanos != 0) {
            out.println();
        }
    }
}
