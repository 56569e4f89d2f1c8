package p2pstream.peer.client.live;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.wire.LiveEnd;
import p2pstream.peer.playback.LiveReader;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveWindow;

/**
 * A live stream's playhead: once {@link LiveJoin} has chosen where to start, hands every chunk in order to the
 * stream's reader, skips a chunk that missed its moment (a later one has waited longer than the latency, or the
 * stream ended that long ago), and says when the stream is over. Loop thread only.
 */
public final class LivePlayhead {
    private static final Logger log = LoggerFactory.getLogger(LivePlayhead.class);

    /**
     * What became of the chunks: for a viewer that stayed to the end, first + written + skipped = the chunks
     * published, and received = written + beforeFirst + skippedReceived.
     *
     * @param first           the chunk the reader started at (where the viewer joined); -1 before the join
     * @param skipped         chunks due since joining that were skipped
     * @param beforeFirst     chunks received older than first (fetched while finding where to join), not handed out
     * @param skippedReceived skipped chunks received all the same (too late, or while the reader was too far behind)
     */
    public record Counts(int first, int skipped, int beforeFirst, int skippedReceived) {
    }

    private LiveReader player;
    private final LiveJoin join;
    private final long latencyMillis;
    private int playhead = -1;
    /** The chunk the output started at: where the viewer joined. */
    private int first = -1;
    /** Chunks received older than {@link #first}: fetched while finding where to join, never written. */
    private int beforeFirst;
    /** Skipped chunks received all the same: after their moment, or while the output was too far behind. */
    private int skippedReceived;
    /** The next chunk out does not follow what was written (a late start, a skip). */
    private boolean resyncNext;
    private int skipped;
    private long endSeenNanos = -1;

    LivePlayhead(LiveJoin join, long latencyMillis) {
        this.join = join;
        this.latencyMillis = latencyMillis;
    }

    /** The next chunk to write, -1 before the start is chosen. */
    int playhead() {
        return playhead;
    }

    Counts counts() {
        return new Counts(first, skipped, beforeFirst, skippedReceived);
    }

    /** Where the chunks go from now on: nothing is handed out (nor the join chosen) before there is a reader. */
    void reader(LiveReader r) {
        this.player = r;
    }

    /** No more chunks: the reader is told. */
    void finish() {
        if (player != null) {
            player.finish();
        }
    }

    /**
     * A verified chunk was kept: counts it when it will never be written (older than the start, or already skipped),
     * so that the chunks received add up to those written plus these. Before the join they are counted by
     * {@link #advance} once the start is known.
     */
    void onReceived(int index) {
        if (playhead < 0) {
            return;
        }
        if (index < first) {
            beforeFirst++;
        } else if (index < playhead) {
            skippedReceived++;
        }
    }

    /** The publisher's end arrived (at {@code nowNanos}). */
    void onEnd(long nowNanos) {
        endSeenNanos = nowNanos;
    }

    /**
     * Moves the playhead as far as the chunks held allow.
     *
     * @return true once every chunk before the end has been written or skipped
     */
    boolean advance(LiveWindow window, List<LivePeer> peers, LiveEnd end, long nowNanos) {
        if (player == null) {
            return false;
        }
        if (playhead < 0) {
            if (end != null && (end.chunkCount() == 0 || nowNanos - endSeenNanos > latencyMillis * 1_000_000)) {
                return true; // ended before there was anything to join
            }
            playhead = join.start(window, peers);
            if (playhead < 0) {
                return false;
            }
            log.info("joined at chunk {} ({} chunks of backlog)", playhead, join.backlog());
            resyncNext = playhead > 0;
            first = playhead;
            for (int i = Math.max(0, window.newest() - window.capacity() + 1); i < first; i++) {
                beforeFirst += window.holds(i) ? 1 : 0; // fetched while looking back for the start
            }
        }
        while (true) {
            if (end != null && playhead >= end.chunkCount()) {
                return true;
            }
            LiveChunk c = window.get(playhead);
            if (c != null) {
                if (player.offer(c, playhead > join.anchor(), resyncNext)) {
                    resyncNext = false;
                } else {
                    skippedReceived++;
                    skip("the output is that far behind"); // a live stream does not wait for its output
                    continue;
                }
            } else if (missedMoment(window, end, nowNanos)) {
                skip("it missed its moment");
                continue;
            } else {
                return false;
            }
            playhead++;
        }
    }

    private void skip(String why) {
        log.debug("skipped chunk {}: {}", playhead, why);
        skipped++;
        resyncNext = true;
        playhead++;
    }

    /** A later chunk has waited longer than the latency, or the stream ended that long ago: waiting is over. */
    private boolean missedMoment(LiveWindow window, LiveEnd end, long nowNanos) {
        if (end != null && nowNanos - endSeenNanos > latencyMillis * 1_000_000) {
            return true;
        }
        for (int i = playhead + 1; i <= window.newest(); i++) {
            LiveChunk later = window.get(i);
            if (later != null && join.ageMillis(later) > latencyMillis) {
                return true;
            }
        }
        return false;
    }
}
