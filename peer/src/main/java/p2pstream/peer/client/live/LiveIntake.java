package p2pstream.peer.client.live;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Clock;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;
import p2pstream.peer.swarm.Swarm;

/**
 * What a live stream keeps of what its links deliver: each chunk's signature checked on the verifier pool, then
 * checked against what is held for a replay (too old, out of order with its neighbours, after the end); the end
 * checked the same way, and held back until a chunk is there to check it against. A liar is dropped and banned;
 * a relay's old chunk while nothing fresher is held only closes the link (the publisher's input may be stalled).
 * Loop thread only.
 */
final class LiveIntake {
    private static final Logger log = LoggerFactory.getLogger(LiveIntake.class);
    /**
     * A validly signed chunk published longer ago than this (by our clock, so clocks must agree to within it)
     * is an old one replayed, however consistent with its neighbours: live chunks are wanted seconds after.
     */
    static final long MAX_CHUNK_AGE_MILLIS = 60_000;

    /** What the stream does with what passed. */
    interface Listener {
        /** {@code chunk} from {@code peer} passed every check, {@code delayMicros} after it was published. */
        void onKept(LivePeer peer, LiveChunk chunk, long delayMicros);

        /** The publisher's end passed every check. */
        void onEnded(LiveEnd end);

        /** Something was refused: time to ask others. */
        void onRefused();
    }

    private final LiveManifest manifest;
    private final LiveWindow window;
    private final LiveVerifier verifier;
    private final Swarm<LivePeer> swarm;
    private final Clock clock;
    private final long maxAgeMillis;
    private final Listener listener;
    private final Set<Integer> verifying = new HashSet<>();
    private LiveEnd end;
    /** A verified end that arrived before any chunk: accepted once a chunk shows it is not an old one replayed. */
    private LiveEnd pendingEnd;
    private LivePeer pendingEndPeer;
    private int refused;
    private boolean stopped;

    LiveIntake(LiveManifest manifest, LiveWindow window, LiveVerifier verifier, Swarm<LivePeer> swarm, Clock clock,
               long latencyMillis, Listener listener) {
        this.manifest = manifest;
        this.window = window;
        this.verifier = verifier;
        this.swarm = swarm;
        this.clock = clock;
        this.maxAgeMillis = Math.max(MAX_CHUNK_AGE_MILLIS, 10 * latencyMillis);
        this.listener = listener;
    }

    /** The publisher's end once accepted, else null. */
    LiveEnd end() {
        return end;
    }

    /** Chunks and ends refused: bad signatures, replays. */
    int refused() {
        return refused;
    }

    /** True while a copy of {@code index} is being checked. */
    boolean isVerifying(int index) {
        return verifying.contains(index);
    }

    void stop() {
        stopped = true;
    }

    /** A requested chunk arrived: checked unless held or already being checked. */
    void onChunk(LivePeer peer, LiveChunkHeader header, ByteBuffer payload) {
        int index = header.index();
        if (window.holds(index) || verifying.contains(index)) {
            return; // the other copy won or is being checked
        }
        verifying.add(index);
        verifier.submit(manifest, header, payload, (chunk, good) -> onVerified(peer, chunk, good));
    }

    private void onVerified(LivePeer peer, LiveChunk chunk, boolean good) {
        int index = chunk.index();
        verifying.remove(index);
        if (stopped) {
            return;
        }
        long nowMicros = clock.epochMicros();
        long delayMicros = nowMicros - chunk.publishMicros();
        boolean stale = good && delayMicros > maxAgeMillis * 1000 && !holdsChunkWithin(nowMicros, maxAgeMillis);
        if (stale && !peer.isPublisher()) {
            // old, and nothing fresher held: the publisher's input may be stalled, so this is no proof of a
            // replay; a relay's old chunk is refused and the relay tried again later, not banned
            refused++;
            peer.close("live chunk " + index + ": published " + delayMicros / 1000
                    + " ms ago and nothing fresher held");
            return;
        }
        // from the publisher itself, an old chunk while nothing fresher is held is its stalled input's edge
        String problem = !good ? "live chunk " + index + ": signature does not verify"
                : LiveVerifier.replayProblem(chunk, window, end, delayMicros,
                        stale ? Long.MAX_VALUE / 1000 : maxAgeMillis);
        if (problem != null) {
            drop(peer, problem);
            return;
        }
        window.add(chunk); // relayed from here: the holding tells those we serve
        listener.onKept(peer, chunk, delayMicros);
        if (pendingEnd != null) {
            LiveEnd e = pendingEnd;
            pendingEnd = null;
            onEnd(pendingEndPeer, e);
        }
    }

    /** The publisher's signed end arrived. */
    void onEnd(LivePeer peer, LiveEnd e) {
        if (end != null) {
            return;
        }
        if (window.newest() < 0 && e.chunkCount() > 0) {
            pendingEnd = e; // checked once a chunk is there to check it against
            pendingEndPeer = peer;
            return;
        }
        String problem = LiveVerifier.endProblem(e, manifest, window, maxAgeMillis, clock.epochMicros());
        if (problem != null) {
            drop(peer, problem);
            return;
        }
        end = e;
        window.end(e);
        log.info("{}: the publisher ended the stream after {} chunks", manifest.name(), e.chunkCount());
        listener.onEnded(e);
    }

    /** True when the newest chunk held was published within {@code maxAgeMillis}: the stream is fresh. */
    private boolean holdsChunkWithin(long nowMicros, long maxAgeMillis) {
        LiveChunk newest = window.newest() < 0 ? null : window.get(window.newest());
        return newest != null && nowMicros - newest.publishMicros() <= maxAgeMillis * 1000;
    }

    private void drop(LivePeer peer, String why) {
        refused++;
        if (swarm.ban(peer.address)) {
            log.warn("{} sent {}: dropping it for this session", peer, why);
        }
        peer.close(why);
        listener.onRefused();
    }
}
