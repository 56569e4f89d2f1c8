package p2pstream.peer.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.peer.playback.PlaybackBuffer;
import p2pstream.peer.schedule.Scheduler;
import p2pstream.peer.store.Manifest;

/**
 * Takes over what an earlier run stored: every recorded chunk is reserved (not fetched) while its stored bytes
 * are hashed again; a match counts as done, is served, and is handed to the player from the store when the
 * window reaches it; a mismatch is un-recorded and fetched. Confined to the download's loop thread.
 */
final class Resume {
    private static final Logger log = LoggerFactory.getLogger(Resume.class);

    /** What the download does as chunks are taken over. */
    interface Listener {
        /** A stored chunk verified (it now counts as held), or failed (it will be fetched). */
        void onStoredChunk(int index, boolean good);

        void onResumeFailed(String message);
    }

    private final Manifest manifest;
    private final Scheduler scheduler;
    private final PlaybackBuffer buffer;
    private final ViewerHolding holding;
    private final ChunkVerifier verifier;
    private final Listener listener;
    private final BitSet resumed = new BitSet();
    private final BitSet fed = new BitSet();
    private long resumedBytes;
    private boolean stopped;

    Resume(Manifest manifest, Scheduler scheduler, PlaybackBuffer buffer, ViewerHolding holding, ChunkVerifier verifier,
           Listener listener) {
        this.manifest = manifest;
        this.scheduler = scheduler;
        this.buffer = buffer;
        this.holding = holding;
        this.verifier = verifier;
        this.listener = listener;
    }

    /** Checks every chunk the store recorded. */
    void start() {
        BitSet recorded = holding.store().recorded();
        long stored = storedBytes();
        for (int i = recorded.nextSetBit(0); i >= 0 && i < manifest.chunkCount(); i = recorded.nextSetBit(i + 1)) {
            int index = i;
            if (manifest.chunkOffset(index) + manifest.chunkLength(index) > stored) {
                unrecord(index); // the file is shorter than the record says: nothing to check
                continue;
            }
            scheduler.requested(index); // not fetched while its stored copy is being checked
            verifier.verifyStored(manifest, index, holding.store(), ByteBuffer.allocate(manifest.chunkLength(index)),
                    good -> onStoredVerdict(index, good));
        }
    }

    void stop() {
        stopped = true;
    }

    long resumedBytes() {
        return resumedBytes;
    }

    /** Hands stored chunks that entered the window to the player, read back from the store. */
    void feed() {
        if (resumed.isEmpty()) {
            return;
        }
        int end = Math.min(manifest.chunkCount(), buffer.playhead() + buffer.window());
        for (int i = resumed.nextSetBit(buffer.playhead()); i >= 0 && i < end; i = resumed.nextSetBit(i + 1)) {
            if (fed.get(i)) {
                continue;
            }
            fed.set(i);
            int index = i;
            ByteBuffer chunk = buffer.acquire();
            verifier.verifyStored(manifest, index, holding.store(), chunk, good -> {
                if (stopped) {
                    return;
                }
                if (good) {
                    buffer.offer(index, chunk);
                } else {
                    listener.onResumeFailed("output: stored chunk " + index + " changed while playing");
                }
            });
        }
    }

    private void unrecord(int index) {
        try {
            holding.store().unrecord(index);
        } catch (IOException e) {
            log.debug("unrecord {}: {}", index, e.toString());
        }
    }

    private long storedBytes() {
        try {
            return holding.store().channel().size();
        } catch (IOException e) {
            return 0;
        }
    }

    private void onStoredVerdict(int index, boolean good) {
        if (stopped) {
            return;
        }
        if (!good) {
            scheduler.unrequested(index);
            unrecord(index);
            listener.onStoredChunk(index, false);
            return;
        }
        scheduler.completed(index);
        resumed.set(index);
        resumedBytes += manifest.chunkLength(index);
        holding.add(index);
        listener.onStoredChunk(index, true);
        feed();
    }
}
