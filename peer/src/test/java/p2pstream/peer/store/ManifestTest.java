package p2pstream.peer.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

class ManifestTest {
    private static final int CHUNK = Wire.MIN_CHUNK_BYTES;
    private static final long KIB = 1024;
    private static final long GIB = 1024 * 1024 * KIB;

    private static byte[] randomHashes(int count, long seed) {
        byte[] hashes = new byte[count * Manifest.HASH_BYTES];
        new Random(seed).nextBytes(hashes);
        return hashes;
    }

    /** 2.5 chunks: three hashes, the last chunk half size. */
    private static Manifest sample() {
        return new Manifest("dir/movie.mp4", CHUNK * 5L / 2, CHUNK, randomHashes(3, 1));
    }

    private static ContentId idOf(byte[] bytes) {
        return ContentId.of(Manifest.sha256().digest(bytes));
    }

    private static byte[] hash(byte[] hashes, int index) {
        return Arrays.copyOfRange(hashes, index * Manifest.HASH_BYTES, (index + 1) * Manifest.HASH_BYTES);
    }

    @Test
    void encodeDecodeRoundTripKeepsEveryField() throws ProtocolException {
        byte[] hashes = randomHashes(3, 1);
        Manifest m = new Manifest("dir/movie.mp4", CHUNK * 5L / 2, CHUNK, hashes);

        Manifest back = Manifest.decode(m.encoded(), m.contentId());

        assertEquals("dir/movie.mp4", back.name());
        assertEquals(CHUNK * 5L / 2, back.size());
        assertEquals(CHUNK, back.chunkSize());
        assertEquals(3, back.chunkCount());
        assertEquals(m.contentId(), back.contentId());
        assertArrayEquals(m.encoded(), back.encoded());
        for (int i = 0; i < 3; i++) {
            assertTrue(back.matches(i, hash(hashes, i)));
        }
    }

    @Test
    void roundTripsRandomManifests() throws ProtocolException {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            int chunk = Wire.MIN_CHUNK_BYTES << random.nextInt(9);
            long size = random.nextInt(50) * (long) chunk + random.nextInt(chunk);
            int count = Manifest.chunkCount(size, chunk);
            Manifest m = new Manifest("stream-" + i + "-\u00e9", size, chunk, randomHashes(count, i));
            Manifest back = Manifest.decode(m.encoded(), m.contentId());
            assertArrayEquals(m.encoded(), back.encoded());
            assertEquals(count, back.chunkCount());
        }
    }

    @Test
    void contentIdIsTheSha256OfTheEncoding() {
        Manifest m = sample();
        assertEquals(idOf(m.encoded()), m.contentId());
    }

    @Test
    void encodingFollowsTheDocumentedLayout() {
        Manifest m = sample();
        ByteBuffer in = ByteBuffer.wrap(m.encoded());
        assertEquals(Manifest.FORMAT, in.get());
        assertEquals("dir/movie.mp4".length(), in.getShort());
        in.position(in.position() + "dir/movie.mp4".length());
        assertEquals(CHUNK * 5L / 2, in.getLong());
        assertEquals(CHUNK, in.getInt());
        assertEquals(3, in.getInt());
        assertEquals(3 * Manifest.HASH_BYTES, in.remaining());
    }

    @Test
    void anyChangeGivesAnotherContentId() {
        byte[] hashes = randomHashes(3, 1);
        ContentId id = new Manifest("a", CHUNK * 3L, CHUNK, hashes).contentId();
        assertNotEquals(id, new Manifest("b", CHUNK * 3L, CHUNK, hashes).contentId());
        assertNotEquals(id, new Manifest("a", CHUNK * 3L - 1, CHUNK, hashes).contentId());
        hashes[40] ^= 1;
        assertNotEquals(id, new Manifest("a", CHUNK * 3L, CHUNK, hashes).contentId());
    }

    @Test
    void decodeWithAnotherExpectedIdFails() {
        Manifest m = sample();
        ContentId other = new Manifest("other", 0, CHUNK, new byte[0]).contentId();
        assertThrows(ProtocolException.class, () -> Manifest.decode(m.encoded(), other));
    }

    @Test
    void decodeOfATamperedEncodingFailsAgainstTheOriginalId() {
        Manifest m = sample();
        byte[] bytes = m.encoded();
        bytes[bytes.length - 1] ^= 1;
        assertThrows(ProtocolException.class, () -> Manifest.decode(bytes, m.contentId()));
    }

    @Test
    void everyTruncationFailsEvenWithItsOwnId() {
        byte[] full = sample().encoded();
        for (int length = 0; length < full.length; length++) {
            byte[] cut = Arrays.copyOf(full, length);
            assertThrows(ProtocolException.class, () -> Manifest.decode(cut, idOf(cut)), "length " + length);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 31, 32, 33})
    void trailingBytesFail(int extra) {
        byte[] longer = Arrays.copyOf(sample().encoded(), sample().encoded().length + extra);
        assertThrows(ProtocolException.class, () -> Manifest.decode(longer, idOf(longer)));
    }

    @Test
    void wrongFormatFails() {
        byte[] bytes = sample().encoded();
        bytes[0] = 2;
        assertThrows(ProtocolException.class, () -> Manifest.decode(bytes, idOf(bytes)));
    }

    @Test
    void chunkCountThatDisagreesWithSizeFails() {
        Manifest m = sample();
        byte[] bytes = m.encoded();
        int countAt = 1 + Wire.stringBytes(m.name()) + 8 + 4;
        ByteBuffer.wrap(bytes).putInt(countAt, 2);
        assertThrows(ProtocolException.class, () -> Manifest.decode(bytes, idOf(bytes)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, Wire.MIN_CHUNK_BYTES - 1, Wire.MAX_CHUNK_BYTES + 1, -1})
    void chunkSizeOutOfRangeFails(int chunkSize) {
        Manifest m = new Manifest("x", 0, CHUNK, new byte[0]);
        byte[] bytes = m.encoded();
        ByteBuffer.wrap(bytes).putInt(1 + Wire.stringBytes("x") + 8, chunkSize);
        assertThrows(ProtocolException.class, () -> Manifest.decode(bytes, idOf(bytes)));
    }

    @Test
    void negativeSizeFails() {
        byte[] bytes = new Manifest("x", 0, CHUNK, new byte[0]).encoded();
        ByteBuffer.wrap(bytes).putLong(1 + Wire.stringBytes("x"), -1);
        assertThrows(ProtocolException.class, () -> Manifest.decode(bytes, idOf(bytes)));
    }

    @Test
    void emptyNameFails() {
        byte[] good = new Manifest("x", 0, CHUNK, new byte[0]).encoded();
        byte[] bytes = new byte[good.length - 1];
        bytes[0] = (byte) Manifest.FORMAT; // name length 0, then size 0, chunk size, count 0
        ByteBuffer.wrap(bytes).position(3).putLong(0).putInt(CHUNK).putInt(0);
        assertThrows(ProtocolException.class, () -> Manifest.decode(bytes, idOf(bytes)));
    }

    @Test
    void emptyFileHasNoChunks() throws ProtocolException {
        Manifest m = new Manifest("empty", 0, Manifest.chunkSizeFor(0), new byte[0]);
        assertEquals(0, m.chunkCount());
        assertEquals(0, Manifest.decode(m.encoded(), m.contentId()).chunkCount());
    }

    @Test
    void lastChunkIsShort() {
        Manifest m = sample();
        assertEquals(CHUNK, m.chunkLength(0));
        assertEquals(CHUNK, m.chunkLength(1));
        assertEquals(CHUNK / 2, m.chunkLength(2));
        assertEquals(2L * CHUNK, m.chunkOffset(2));
    }

    @Test
    void lastChunkIsFullWhenTheSizeIsAMultiple() {
        Manifest m = new Manifest("x", 2L * CHUNK, CHUNK, randomHashes(2, 3));
        assertEquals(2, m.chunkCount());
        assertEquals(CHUNK, m.chunkLength(1));
    }

    @Test
    void matchesOnlyTheHashOfThatChunk() {
        byte[] hashes = randomHashes(3, 7);
        Manifest m = new Manifest("x", 3L * CHUNK, CHUNK, hashes);
        assertTrue(m.matches(1, hash(hashes, 1)));
        assertFalse(m.matches(0, hash(hashes, 1)));
        byte[] flipped = hash(hashes, 2);
        flipped[31] ^= 1;
        assertFalse(m.matches(2, flipped));
    }

    @Test
    void manifestDoesNotShareItsArrays() {
        byte[] hashes = randomHashes(1, 9);
        byte[] first = hash(hashes, 0);
        Manifest m = new Manifest("x", 10, CHUNK, hashes);
        hashes[0] ^= 1;
        m.encoded()[m.encoded().length - 32] ^= 1;
        assertTrue(m.matches(0, first));
        assertEquals(idOf(m.encoded()), m.contentId());
    }

    @Test
    void constructorRejectsAHashArrayOfTheWrongLength() {
        assertThrows(IllegalArgumentException.class, () -> new Manifest("x", 3L * CHUNK, CHUNK, randomHashes(2, 1)));
        assertThrows(IllegalArgumentException.class, () -> new Manifest("x", 0, CHUNK, randomHashes(1, 1)));
    }

    @Test
    void constructorRejectsNamesDecodeWouldReject() {
        assertThrows(IllegalArgumentException.class, () -> new Manifest("", 0, CHUNK, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Manifest("a\nb", 0, CHUNK, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Manifest("a\ud800", 0, CHUNK, new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new Manifest("a".repeat(Wire.MAX_NAME_BYTES + 1), 0, CHUNK, new byte[0]));
        // 65536 bytes would have wrapped the uint16 length to 0
        assertThrows(IllegalArgumentException.class, () -> new Manifest("a".repeat(65536), 0, CHUNK, new byte[0]));
        new Manifest("a".repeat(Wire.MAX_NAME_BYTES), 0, CHUNK, new byte[0]);
        // decode refuses path tricks with BAD_NAME: such a manifest would have a content id no peer can decode
        for (String pathTrick : new String[] {"a//b", "../x", "a/./b", "/abs", "a\\b", "dir/"}) {
            assertThrows(IllegalArgumentException.class, () -> new Manifest(pathTrick, 0, CHUNK, new byte[0]),
                    pathTrick);
        }
    }

    @Test
    void largestManifestFitsItsBound() throws ProtocolException {
        Manifest m = new Manifest("n".repeat(Wire.MAX_NAME_BYTES), (long) Wire.MAX_CHUNK_BYTES * Wire.MAX_CHUNK_COUNT,
                Wire.MAX_CHUNK_BYTES, new byte[Wire.MAX_CHUNK_COUNT * Manifest.HASH_BYTES]);
        assertEquals(Manifest.MAX_ENCODED_BYTES, m.encoded().length);
        assertTrue(Manifest.MAX_ENCODED_BYTES < Wire.MAX_PEER_FRAME_BYTES);
        assertEquals(m.contentId(), Manifest.decode(m.encoded(), m.contentId()).contentId());
    }

    @Test
    void chunkSizeForUsesTheDefaultWhileTheCountFits() {
        assertEquals(Wire.DEFAULT_CHUNK_BYTES, Manifest.chunkSizeFor(0));
        assertEquals(Wire.DEFAULT_CHUNK_BYTES, Manifest.chunkSizeFor(1));
        assertEquals(Wire.DEFAULT_CHUNK_BYTES, Manifest.chunkSizeFor(10 * GIB));
        assertEquals(Wire.DEFAULT_CHUNK_BYTES,
                Manifest.chunkSizeFor((long) Wire.DEFAULT_CHUNK_BYTES * Wire.MAX_CHUNK_COUNT));
    }

    @Test
    void chunkSizeForDoublesUntilTheCountFits() {
        long atDefaultLimit = (long) Wire.DEFAULT_CHUNK_BYTES * Wire.MAX_CHUNK_COUNT;
        assertEquals(2 * Wire.DEFAULT_CHUNK_BYTES, Manifest.chunkSizeFor(atDefaultLimit + 1));
        long largest = (long) Wire.MAX_CHUNK_BYTES * Wire.MAX_CHUNK_COUNT;
        assertEquals(Wire.MAX_CHUNK_BYTES, Manifest.chunkSizeFor(largest));
        Random random = new Random(5);
        for (int i = 0; i < 10_000; i++) {
            long size = (long) (random.nextDouble() * largest);
            int chunk = Manifest.chunkSizeFor(size);
            assertTrue(Manifest.chunkCount(size, chunk) <= Wire.MAX_CHUNK_COUNT, "size " + size);
            assertTrue(chunk == Wire.DEFAULT_CHUNK_BYTES || (size + chunk / 2 - 1) / (chunk / 2) > Wire.MAX_CHUNK_COUNT,
                    "size " + size + ": chunk " + chunk + " is not the smallest that fits");
        }
    }

    @Test
    void chunkSizeForRefusesWhatNoChunkSizeCanHold() {
        long largest = (long) Wire.MAX_CHUNK_BYTES * Wire.MAX_CHUNK_COUNT;
        assertThrows(IllegalArgumentException.class, () -> Manifest.chunkSizeFor(largest + 1));
        assertThrows(IllegalArgumentException.class, () -> Manifest.chunkSizeFor(Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> Manifest.chunkSizeFor(-1));
    }

    @Test
    void chunkCountRejectsHugeSizesInsteadOfOverflowing() {
        assertThrows(IllegalArgumentException.class, () -> Manifest.chunkCount(Long.MAX_VALUE, Wire.MIN_CHUNK_BYTES));
        assertThrows(IllegalArgumentException.class,
                () -> Manifest.chunkCount(Long.MAX_VALUE - 1, Wire.MAX_CHUNK_BYTES));
        assertThrows(IllegalArgumentException.class, () -> Manifest.chunkCount(-1, CHUNK));
        assertThrows(IllegalArgumentException.class, () -> Manifest.chunkCount(0, Wire.MIN_CHUNK_BYTES - 1));
        assertEquals(0, Manifest.chunkCount(0, CHUNK));
        assertEquals(1, Manifest.chunkCount(1, CHUNK));
        assertEquals(1, Manifest.chunkCount(CHUNK, CHUNK));
        assertEquals(2, Manifest.chunkCount(CHUNK + 1, CHUNK));
    }

    @Test
    void decodeRefusesASizeNearLongMaxWithAFittingCount() {
        // before the overflow fix, size + chunk - 1 wrapped negative: make sure it is a clean ProtocolException
        byte[] bytes = new Manifest("x", 0, Wire.MAX_CHUNK_BYTES, new byte[0]).encoded();
        ByteBuffer.wrap(bytes).putLong(1 + Wire.stringBytes("x"), Long.MAX_VALUE);
        assertThrows(ProtocolException.class, () -> Manifest.decode(bytes, idOf(bytes)));
    }
}
