package p2pstream.peer.client.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.FakeClock;
import p2pstream.peer.schedule.Scheduler;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.ManifestCache;
import p2pstream.peer.swarm.StreamHost;

/**
 * What a resumed stream keeps of an earlier run: stored chunks re-hashed from the readers' playhead on, a few at a
 * time, good ones counted done and served, a damaged one un-recorded and fetched. Hashing runs inline here and the
 * verdicts come back through a loop the test turns itself.
 */
@Timeout(30)
class ResumeCheckTest {
    private static final int CHUNK = 64 * 1024;
    private static final int CHUNKS = 20;

    @TempDir
    Path dir;

    @Test
    void storedChunksAreCheckedFromThePlayheadOnAndADamagedOneIsFetchedAgain() throws Exception {
        byte[] bytes = new byte[CHUNKS * CHUNK];
        new Random(3).nextBytes(bytes);
        Manifest m = ManifestCache.compute("r.bin", Files.write(dir.resolve("source.bin"), bytes), CHUNK);
        Path out = dir.resolve("r.bin");
        try (ChunkStore first = ChunkStore.open(m, out)) {
            for (int i = 0; i < CHUNKS; i++) {
                first.write(i, ByteBuffer.wrap(bytes, (int) m.chunkOffset(i), m.chunkLength(i)));
            }
        }
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
            f.seek(m.chunkOffset(3) + 10);
            f.write(~bytes[(int) m.chunkOffset(3) + 10]); // chunk 3 changed on disk since it was recorded
        }
        List<Integer> order = new ArrayList<>();
        List<Integer> bad = new ArrayList<>();
        try (EventLoop loop = new EventLoop("resume", new FakeClock()); ChunkStore store = ChunkStore.open(m, out)) {
            Scheduler scheduler = new Scheduler(CHUNKS, CHUNKS, 4);
            scheduler.playhead(12); // a reader starts at chunk 12
            StoreHolding holding = new StoreHolding(store);
            Resume resume = new Resume(m, scheduler, store, holding, new ChunkVerifier(Runnable::run, loop),
                    new Resume.Listener() {
                        @Override
                        public void onStoredChunk(int index, boolean good) {
                            order.add(index);
                            if (!good) {
                                bad.add(index);
                            }
                        }

                        @Override
                        public void onResumeFailed(String message) {
                            throw new AssertionError(message);
                        }
                    });
            resume.start();
            assertEquals(CHUNKS, resume.recordedChunks());
            for (int turn = 0; turn < 1_000 && resume.checkedChunks() < CHUNKS; turn++) {
                loop.runOnce(0);
            }
            assertEquals(CHUNKS, resume.checkedChunks(), "every recorded chunk checked");
            assertEquals(12, order.get(0), "the first check is at the reader's playhead");
            assertEquals(List.of(3), bad, "the damaged chunk");
            assertFalse(scheduler.isDone(3), "it will be fetched");
            assertTrue(holding.holds(12) && !holding.holds(3), "the good ones are served");
            assertEquals((long) (CHUNKS - 1) * CHUNK, resume.resumedBytes());
            assertTrue(resume.checkBuffers() <= 2 * StreamHost.VERIFIER_THREADS, "buffers: " + resume.checkBuffers());
        }
        try (ChunkStore again = ChunkStore.open(m, out)) {
            assertFalse(again.recorded().get(3), "the damaged chunk is no longer recorded");
            assertTrue(again.recorded().get(12));
        }
    }
}
