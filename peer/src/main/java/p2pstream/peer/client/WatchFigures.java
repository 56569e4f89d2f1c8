package p2pstream.peer.client;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.peer.client.file.FileStream;
import p2pstream.peer.client.live.LivePlayhead;
import p2pstream.peer.client.live.LiveStream;
import p2pstream.peer.playback.FilePlayer;
import p2pstream.peer.playback.LivePlayer;
import p2pstream.peer.viewer.Viewer;

/** Turns what a watch's stream, player and viewer measured into {@link Stats}. Stateless; the viewer's loop thread. */
final class WatchFigures {
    private static final Logger log = LoggerFactory.getLogger(WatchFigures.class);

    private WatchFigures() {
    }

    /**
     * A file stream's figures so far; {@code s} is null when the stream never opened, {@code r} until the player ends.
     */
    static Stats file(FileStream s, FilePlayer p, FilePlayer.Result r, Watch.Config config, Viewer viewer,
                      long startNanos, long now) {
        long bytes = r != null ? r.bytes() : p == null ? 0 : p.bytes();
        long first = r != null ? r.firstByteNanos() : p == null ? -1 : p.firstByteNanos();
        long expected = s == null ? -1 : s.manifest().size() - config.startOffset;
        boolean complete = r != null && s != null && r.bytes() == expected;
        if (r != null && s != null && !complete) {
            log.error("output has {} bytes (expected: {})", r.bytes(), expected);
        }
        return new Stats(s != null ? s.name() : config.stream, s == null ? null : s.contentId().hex(),
                s == null ? -1 : s.manifest().size(), complete, bytes, (now - startNanos) / 1_000_000,
                first < 0 ? -1 : (first - startNanos) / 1_000_000, r == null ? 0 : r.stalls(),
                r == null ? 0 : r.stallNanos() / 1_000_000, s == null ? 0 : s.hashFailures(),
                r == null ? null : r.sha256(), r == null ? 0 : r.continuity(),
                viewer.catalog().traffic().uploadedBytes(), s == null ? 0 : s.resumedBytes(), peerBytes(viewer), null);
    }

    /** A live stream's figures so far. */
    static Stats live(LiveStream l, LivePlayer p, Viewer viewer, long startNanos, long now) {
        LivePlayer.Result r = p == null || !p.result().isDone() || p.result().isCompletedExceptionally() ? null
                : p.result().join();
        LivePlayhead.Counts c = l.counts();
        Stats.Live f = new Stats.Live(-1, -1, -1, 0, 0, c.skipped(), l.fromPublisher(), l.fromViewers(), l.backlog(),
                l.ended(), 0, c.first(), c.beforeFirst(), c.skippedReceived());
        long first = p == null ? -1 : p.firstByteNanos();
        Stats.Live figures = r == null ? f.withPlayer(-1, -1, -1, 0, p == null ? 0 : p.chunks(), 0)
                : f.withPlayer(r.latencies().percentile(50), r.latencies().percentile(99), r.latencies().max(),
                        r.latencies().count(), r.chunks(), r.resyncBytes());
        return new Stats(l.name(), l.contentId().hex(), -1, r != null && f.ended(), p == null ? 0 : p.bytes(),
                (now - startNanos) / 1_000_000, first < 0 ? -1 : (first - startNanos) / 1_000_000, 0, 0,
                l.signatureFailures(), r == null ? null : r.sha256(), continuity(figures),
                viewer.catalog().traffic().uploadedBytes(), 0, peerBytes(viewer), figures);
    }

    /** Live: the share of the chunks due since joining that were written rather than skipped. */
    private static double continuity(Stats.Live f) {
        int due = f.chunks() + f.skipped();
        return due == 0 ? 0 : (double) f.chunks() / due;
    }

    private static List<Stats.PeerBytes> peerBytes(Viewer viewer) {
        return viewer.catalog().traffic().peerBytes().stream()
                .map(b -> new Stats.PeerBytes(b.address(), b.bytes(), b.sent(), b.route())).toList();
    }
}
