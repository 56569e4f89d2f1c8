package p2pstream.peer.client;

import java.io.PrintStream;
import java.util.ArrayDeque;
import p2pstream.peer.client.file.FileStream;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.playback.FilePlayer;
import p2pstream.peer.playback.LivePlayer;

/**
 * Draws the progress line ({@link ProgressLine}) over itself with a carriage return, at most twice a second, and at
 * once when what it shows changes kind (the resume check starting, a live join); measures rates over the last few
 * seconds. Times come from the download loop's clock. Loop thread only (or once the loop has stopped).
 */
final class Progress {
    static final long INTERVAL_NANOS = 500_000_000;
    /** Rates are averaged over this long: steady enough to read, recent enough to follow a change. */
    static final long RATE_WINDOW_NANOS = 5_000_000_000L;

    /** What the line is about: a line of another kind is drawn at once. */
    enum Kind { FILE, VERIFYING, LIVE }

    private final PrintStream out;
    /** (time, count) samples within the rate window, oldest first. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    private long lastDrawNanos;
    private Kind lastKind;
    private int lastLength;

    Progress(PrintStream out) {
        this.out = out;
    }

    /** Draws a file stream's line, or the resume check's while it lasts, when due. */
    void showFile(long now, FileStream session, long total, FilePlayer player, long paceRate, long uploaded) {
        String name = session.name();
        long played = player.bytes();
        int checked = session.storedChunksChecked();
        int recorded = session.storedChunksRecorded();
        if (checked < recorded) {
            if (due(now, Kind.VERIFYING)) {
                draw(now, Kind.VERIFYING, ProgressLine.verifying(name, checked, recorded, session.readyPeers()));
            }
        } else if (due(now, Kind.FILE)) {
            long fetchRate = rate(now, session.fetchedBytes());
            draw(now, Kind.FILE, ProgressLine.file(new ProgressLine.FileFigures(name, total,
                    Math.min(total, session.inPlaceBytes()), played, fetchRate, paceRate,
                    (long) player.buffered() * session.manifest().chunkSize(), session.readyPeers(), uploaded)));
        }
    }

    /** Draws a live stream's line when due. */
    void showLive(long now, LiveStream live, LivePlayer player, long uploaded) {
        if (due(now, Kind.LIVE)) {
            long bitsPerSecond = rate(now, player.bytes()) * 8;
            draw(now, Kind.LIVE, ProgressLine.live(new ProgressLine.LiveFigures(live.name(), live.joined(),
                    player.lastLatencyMillis(), bitsPerSecond, player.chunks(), live.counts().skipped(),
                    live.readyPeers(), uploaded)));
        }
    }

    /** True when a line of {@code kind} should be drawn now: the first, one of another kind, or one due by time. */
    boolean due(long now, Kind kind) {
        return lastKind != kind || now - lastDrawNanos >= INTERVAL_NANOS;
    }

    /**
     * Records {@code count} at {@code now}; returns its growth per second over the last {@link #RATE_WINDOW_NANOS}, 0
     * until two samples.
     */
    long rate(long now, long count) {
        samples.addLast(new long[] {now, count});
        while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW_NANOS) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        long elapsed = now - first[0];
        return elapsed <= 0 ? 0 : (long) ((count - first[1]) * 1e9 / elapsed);
    }

    /** Draws {@code line} over the previous one (spaces clear what a longer one left). */
    void draw(long now, Kind kind, String line) {
        lastDrawNanos = now;
        lastKind = kind;
        out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        out.flush();
        lastLength = line.length();
    }

    /** Prints {@code text} on a line of its own, clearing the progress line first; the next line is drawn at once. */
    void notice(String text) {
        if (lastKind != null) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
        }
        out.println(text);
        out.flush();
        lastKind = null;
        lastLength = 0;
    }

    /** Ends the line so the summary starts on a fresh one. */
    void end() {
        if (lastKind != null) {
            out.println();
            lastKind = null;
        }
    }
}
