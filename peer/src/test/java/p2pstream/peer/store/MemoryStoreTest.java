package p2pstream.peer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.data.Data;

/**
 * A pipe's store: chunks kept as written and shared with readers and connections without copies; a chunk's
 * buffer goes back to the pool only once the store dropped it and every view handed out was released.
 */
class MemoryStoreTest {
    private static final int CHUNK = 16 * 1024;

    @TempDir
    Path dir;

    private final List<ByteBuffer> recycled = new ArrayList<>();

    private MemoryStore store(int chunks) throws Exception {
        Path file = Files.write(dir.resolve("m.bin"), new byte[chunks * CHUNK + 100]);
        Manifest m = ManifestCache.compute("m.bin", file, CHUNK);
        return new MemoryStore(m, recycled::add);
    }

    @Test
    void aChunkIsHandedOutAsWrittenAndEachViewIsItsOwn() throws Exception {
        byte[] bytes = new byte[CHUNK];
        new Random(5).nextBytes(bytes);
        MemoryStore store = store(4);
        assertTrue(store.retains());
        store.write(2, ByteBuffer.wrap(bytes));
        assertNull(store.data(0), "a chunk never written is not held");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Data d = store.data(2);
        Data another = store.data(2);
        d.writeTo(Channels.newChannel(out));
        assertEquals(0, d.remaining());
        assertTrue(Arrays.equals(bytes, out.toByteArray()));
        assertEquals(CHUNK, another.remaining(), "one reader's progress is not another's");
        ByteBuffer copy = ByteBuffer.allocate(CHUNK);
        assertTrue(store.read(2, copy));
        assertEquals(ByteBuffer.wrap(bytes), copy);
        another.release();
    }

    @Test
    void aDroppedChunksBufferIsRecycledOnlyOnceEveryViewIsReleased() throws Exception {
        MemoryStore store = store(8);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        store.write(1, chunk);
        Data sending = store.data(1); // a connection is still writing it
        store.releaseBelow(3);
        assertFalse(store.holds(1));
        assertNull(store.data(1), "dropped: not handed out again");
        assertEquals(List.of(), recycled, "still being written: not reused yet");
        sending.writeTo(Channels.newChannel(new ByteArrayOutputStream())); // written in full: released
        assertEquals(1, recycled.size());
        assertSame(chunk, recycled.get(0));
        sending.release();
        assertEquals(1, recycled.size(), "released once, whatever is called after");
    }

    @Test
    void aChunkWrittenBelowTheFloorIsGivenBackAtOnceAndTheRestOnClose() throws Exception {
        MemoryStore store = store(8);
        store.releaseBelow(3);
        store.write(1, ByteBuffer.allocate(CHUNK)); // verified after it was dropped
        assertFalse(store.holds(1));
        assertEquals(1, recycled.size());
        store.write(5, ByteBuffer.allocate(CHUNK));
        store.close();
        assertFalse(store.holds(5));
        assertEquals(2, recycled.size(), "every buffer back in the pool");
    }
}
