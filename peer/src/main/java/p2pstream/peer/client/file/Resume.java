package p2pstream.peer.client.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.BitSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.peer.schedule.Scheduler;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.swarm.StreamHost;

/**
 * Takes over what an earlier run stored: every recorded chunk is reserved (not fetched) while its stored bytes
 * are hashed again, a few at a time through reused buffers (memory bounded whatever the stream's size), from the
 * readers' playheads on first; a match counts as done, is served and read by readers from the store; a mismatch
 * is un-recorded and fetched. Confined to the viewer's loop thread.
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
    private final StoreHolding holding;
    private final ChunkStore store;
    private final ChunkVerifier verifier;
    private final Listener listener;
    /** Stored chunks being re-read and hashed at once: enough to keep the verifier pool busy, no more. */
    static final int CHECKS_IN_FLIGHT = 2 * StreamHost.VERIFIER_THREADS;

    /** Recorded chunks still to check, and the reused buffers their checks read into. */
    private final BitSet toCheck = new BitSet();
    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();
    private int checksInFlight;
    private int buffersMade;
    private int checked;
    private int recordedCount;
    private long resumedBytes;
    private boolean stopped;

    Resume(Manifest manifest, Scheduler scheduler, ChunkStore store, StoreHolding holding, ChunkVerifier verifier,
           Listener listener) {
        this.store = store;
        this.manifest = manifest;
        this.scheduler = scheduler;
        this.holding = holding;
        this.verifier = verifier;
        this.listener = listener;
    }

    /**
     * Checks every chunk the store recorded, from the playhead on first, so playback starts soonest. A store
     * with no record (memory: {@code store} null) has nothing to take over.
     */
    void start() {
        if (store == null) {
            return;
        }
        BitSet recorded = store.recorded();
        long stored = storedBytes();
        for (int i = recorded.nextSetBit(0); i >= 0 && i < manifest.chunkCount(); i = recorded.nextSetBit(i + 1)) {
            if (manifest.chunkOffset(i) + manifest.chunkLength(i) > stored) {
                unrecord(i); // the file is shorter than the record says: nothing to check
                continue;
            }
            scheduler.requested(i); // not fetched while its stored copy is waiting to be checked
            toCheck.set(i);
        }
        recordedCount = toCheck.cardinality();
        checkMore();
    }

    /** Recorded chunks checked so far, and how many there are: for the progress line. */
    int checkedChunks() {
        return checked;
    }

    int recordedChunks() {
        return recordedCount;
    }

    /** Peak number of buffers the checks have used: bounded by {@link #CHECKS_IN_FLIGHT}. */
    int checkBuffers() {
        return buffersMade;
    }

    private void checkMore() {
        while (!stopped && checksInFlight < CHECKS_IN_FLIGHT && !toCheck.isEmpty()) {
            int index = toCheck.nextSetBit(scheduler.playhead());
            if (index < 0) {
                index = toCheck.nextSetBit(0);
            }
            toCheck.clear(index);
            ByteBuffer into = spare.poll();
            if (into == null) {
                into = ByteBuffer.allocate(manifest.chunkSize());
                buffersMade++;
            }
            checksInFlight++;
            int chunk = index;
            ByteBuffer used = into;
            verifier.verifyStored(manifest, chunk, store, used, good -> {
                checksInFlight--;
                checked++;
                spare.push(used);
                onStoredVerdict(chunk, good);
                checkMore();
            });
        }
    }

    void stop() {
        stopped = true;
    }

    long resumedBytes() {
        return resumedBytes;
    }

    /** The readers moved: checks go on from their playheads (the next pick follows them; nothing to do now). */
    void onPlayheadMoved() {
        checkMore();
    }

    private void unrecord(int index) {
        try {
            store.unrecord(index);
        } catch (IOException e) {
            log.debug("unrecord {}: {}", index, e.toString());
        }
    }

    private long storedBytes() {
        try {
            return store.channel().size();
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
        resumedBytes += manifest.chunkLength(index);
        holding.add(index);
        listener.onStoredChunk(index, true);
    }
}
