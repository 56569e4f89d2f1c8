package p2pstream.peer.client;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.wire.LiveEnd;
import p2pstream.peer.playback.LivePlayer;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveWindow;

/**
 * A live viewer's playhead: once {@link LiveJoin} has chosen where to start, hands every chunk in order to the
 * {@link LivePlayer}, skips a chunk that missed its moment (a later one has waited longer than the latency, or
 * the stream ended that long ago), and says when the stream is over. Loop thread only.
 */
final class LiveOutput {
    private static final Logger log = LoggerFactory.getLogger(LiveOutput.class);
    private final LivePlayer player;
    private final LiveJoin join;
    private final long latencyMillis;
    private int playhead = -1;
    /** The next chunk out does not follow what was written (a late start, a skip). */
    private boolean resyncNext;
    private int skipped;
    private long endSeenNanos = -1;

    LiveOutput(LivePlayer player, LiveJoin join, long latencyMillis) {
        this.player = player;
        this.join = join;
        this.latencyMillis = latencyMillis;
    }

    /** The next chunk to write, -1 before the start is chosen. */
    int playhead() {
        return playhead;
    }

    int skipped() {
        return skipped;
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
