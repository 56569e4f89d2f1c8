package p2pstream.peer.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.wire.Wire;

class ManifestCacheTest {
    @TempDir
    Path tmp;

    private Path cacheDir() {
        return tmp.resolve("shared/.p2pstream/manifests");
    }

    private Path file(String name, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        Path file = tmp.resolve("shared").resolve(name);
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }

    /** Moves the file's mtime by {@code seconds}: explicit, so coarse file system clocks cannot hide a change. */
    private static void touch(Path file, long seconds) throws IOException {
        FileTime now = Files.getLastModifiedTime(file);
        Files.setLastModifiedTime(file, FileTime.fromMillis(now.toMillis() + seconds * 1000));
    }

    private static void assertSameManifest(Manifest expected, Manifest actual) {
        assertEquals(expected.contentId(), actual.contentId());
        assertArrayEquals(expected.encoded(), actual.encoded());
    }

    @Test
    void secondCacheOnTheSameDirectoryDoesNotRehash() throws IOException {
        Path file = file("movie.mp4", 600_000, 1);
        ManifestCache first = new ManifestCache(cacheDir());
        Manifest computed = first.manifestFor("movie.mp4", file);
        assertEquals(1, first.computedCount());

        ManifestCache afterRestart = new ManifestCache(cacheDir());
        Manifest cached = afterRestart.manifestFor("movie.mp4", file);

        assertEquals(0, afterRestart.computedCount());
        assertSameManifest(computed, cached);
        assertEquals("movie.mp4", cached.name());
        assertEquals(600_000, cached.size());
        assertEquals(Manifest.chunkSizeFor(600_000), cached.chunkSize());
    }

    @Test
    void manifestMatchesAnIndependentSha256OfEachChunk() throws Exception {
        int size = 2 * Wire.DEFAULT_CHUNK_BYTES + 12_345;
        Path file = file("a/b.bin", size, 2);
        byte[] content = Files.readAllBytes(file);

        Manifest m = new ManifestCache(cacheDir()).manifestFor("a/b.bin", file);

        assertEquals(Wire.DEFAULT_CHUNK_BYTES, m.chunkSize());
        assertEquals(3, m.chunkCount());
        assertEquals(12_345, m.chunkLength(2));
        for (int i = 0; i < 3; i++) {
            int from = i * Wire.DEFAULT_CHUNK_BYTES;
            int to = Math.min(size, from + Wire.DEFAULT_CHUNK_BYTES);
            byte[] expected = MessageDigest.getInstance("SHA-256").digest(Arrays.copyOfRange(content, from, to));
            assertTrue(m.matches(i, expected), "chunk " + i);
        }
    }

    @Test
    void computeUsesTheGivenChunkSize() throws Exception {
        int chunk = Wire.MIN_CHUNK_BYTES;
        Path file = file("x", 5 * chunk + 1, 3);
        byte[] content = Files.readAllBytes(file);

        Manifest m = ManifestCache.compute("x", file, chunk);

        assertEquals(6, m.chunkCount());
        assertEquals(1, m.chunkLength(5));
        for (int i = 0; i < 6; i++) {
            byte[] expected = MessageDigest.getInstance("SHA-256")
                    .digest(Arrays.copyOfRange(content, i * chunk, Math.min(content.length, (i + 1) * chunk)));
            assertTrue(m.matches(i, expected), "chunk " + i);
        }
    }

    @Test
    void emptyFileHasAManifestWithNoChunks() throws IOException {
        Path file = file("empty", 0, 0);
        ManifestCache cache = new ManifestCache(cacheDir());
        Manifest m = cache.manifestFor("empty", file);

        assertEquals(0, m.size());
        assertEquals(0, m.chunkCount());
        ManifestCache again = new ManifestCache(cacheDir());
        assertSameManifest(m, again.manifestFor("empty", file));
        assertEquals(0, again.computedCount());
    }

    @Test
    void touchingTheFileRecomputesTheSameContentId() throws IOException {
        Path file = file("movie.mp4", 100_000, 4);
        Manifest before = new ManifestCache(cacheDir()).manifestFor("movie.mp4", file);
        touch(file, 10);

        ManifestCache cache = new ManifestCache(cacheDir());
        Manifest after = cache.manifestFor("movie.mp4", file);

        assertEquals(1, cache.computedCount());
        assertSameManifest(before, after);
        // and the new mtime is what is cached now
        ManifestCache third = new ManifestCache(cacheDir());
        third.manifestFor("movie.mp4", file);
        assertEquals(0, third.computedCount());
    }

    @Test
    void changingTheContentRecomputesAnotherContentId() throws IOException {
        Path file = file("movie.mp4", 100_000, 5);
        Manifest before = new ManifestCache(cacheDir()).manifestFor("movie.mp4", file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[50_000] ^= 1;
        Files.write(file, bytes);
        touch(file, 10);

        ManifestCache cache = new ManifestCache(cacheDir());
        Manifest after = cache.manifestFor("movie.mp4", file);

        assertEquals(1, cache.computedCount());
        assertNotEquals(before.contentId(), after.contentId());
        assertEquals(ManifestCache.compute("movie.mp4", file, after.chunkSize()).contentId(), after.contentId());
    }

    @Test
    void changingTheSizeRecomputes() throws IOException {
        Path file = file("movie.mp4", 100_000, 6);
        Manifest before = new ManifestCache(cacheDir()).manifestFor("movie.mp4", file);
        FileTime mtime = Files.getLastModifiedTime(file);
        Files.write(file, new byte[10], StandardOpenOption.APPEND);
        Files.setLastModifiedTime(file, mtime); // same mtime: the size alone must be enough

        ManifestCache cache = new ManifestCache(cacheDir());
        Manifest after = cache.manifestFor("movie.mp4", file);

        assertEquals(1, cache.computedCount());
        assertEquals(100_010, after.size());
        assertNotEquals(before.contentId(), after.contentId());
    }

    @Test
    void eachNameHasItsOwnManifestEvenForTheSameFile() throws IOException {
        Path file = file("movie.mp4", 1000, 7);
        ManifestCache cache = new ManifestCache(cacheDir());
        Manifest a = cache.manifestFor("movie.mp4", file);
        Manifest b = cache.manifestFor("copy/movie.mp4", file);

        assertEquals(2, cache.computedCount());
        assertEquals("copy/movie.mp4", b.name());
        assertNotEquals(a.contentId(), b.contentId());
        assertEquals(a.contentId(), cache.manifestFor("movie.mp4", file).contentId());
        assertEquals(2, cache.computedCount());
    }

    @Test
    void cacheFileIsNamedBySha256OfTheNameAndHoldsSizeMtimeAndEncoding() throws Exception {
        Path file = file("movie.mp4", 70_000, 8);
        Manifest m = new ManifestCache(cacheDir()).manifestFor("movie.mp4", file);

        byte[] key = MessageDigest.getInstance("SHA-256").digest("movie.mp4".getBytes(StandardCharsets.UTF_8));
        Path cacheFile = cacheDir().resolve(Wire.hex(key) + ".manifest");
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(cacheFile));
        assertEquals(0x5032504d, in.getInt()); // "P2PM"
        assertEquals(70_000, in.getLong());
        assertEquals(Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS), in.getLong());
        byte[] encoded = new byte[in.remaining()];
        in.get(encoded);
        assertArrayEquals(m.encoded(), encoded);
        try (var listing = Files.list(cacheDir())) {
            assertEquals(List.of(cacheFile), listing.toList(), "no temp files left behind");
        }
    }

    /** The 300 000-byte "movie.mp4" the corruption tests share; written once so its mtime stays put. */
    private Path movie() throws IOException {
        Path file = tmp.resolve("shared/movie.mp4");
        return Files.exists(file) ? file : file("movie.mp4", 300_000, 9);
    }

    /** Writes a cache file of {@code bytes} for "movie.mp4" and checks the next lookup recomputes correctly. */
    private void assertRecomputedAfterCorruption(byte[] bytes) throws IOException {
        Path file = movie();
        ManifestCache first = new ManifestCache(cacheDir());
        Manifest good = first.manifestFor("movie.mp4", file);
        Path cacheFile = first.cacheFileFor("movie.mp4");
        assertTrue(Files.isRegularFile(cacheFile));
        Files.write(cacheFile, bytes);

        ManifestCache cache = new ManifestCache(cacheDir());
        assertSameManifest(good, cache.manifestFor("movie.mp4", file));
        assertEquals(1, cache.computedCount());
        // and the repaired cache file serves the next restart
        ManifestCache repaired = new ManifestCache(cacheDir());
        assertSameManifest(good, repaired.manifestFor("movie.mp4", file));
        assertEquals(0, repaired.computedCount());
    }

    private byte[] storedBytes() throws IOException {
        Path file = movie();
        ManifestCache cache = new ManifestCache(cacheDir());
        cache.manifestFor("movie.mp4", file);
        return Files.readAllBytes(cache.cacheFileFor("movie.mp4"));
    }

    @Test
    void garbageCacheFileIsRecomputed() throws IOException {
        byte[] garbage = new byte[500];
        new Random(1).nextBytes(garbage);
        assertRecomputedAfterCorruption(garbage);
    }

    @Test
    void emptyCacheFileIsRecomputed() throws IOException {
        assertRecomputedAfterCorruption(new byte[0]);
    }

    @Test
    void truncatedCacheFileIsRecomputed() throws IOException {
        byte[] stored = storedBytes();
        for (int length : new int[] {3, ManifestCache.HEADER_BYTES, ManifestCache.HEADER_BYTES + 10,
                stored.length - 1}) {
            assertRecomputedAfterCorruption(Arrays.copyOf(stored, length));
        }
    }

    @Test
    void cacheFileWithTrailingBytesIsRecomputed() throws IOException {
        byte[] stored = storedBytes();
        assertRecomputedAfterCorruption(Arrays.copyOf(stored, stored.length + 1));
    }

    @Test
    void cacheFileWithAnotherMagicIsRecomputed() throws IOException {
        byte[] stored = storedBytes();
        stored[0] = 'X';
        assertRecomputedAfterCorruption(stored);
    }

    @Test
    void cacheFileWithAFlippedFormatByteIsRecomputed() throws IOException {
        byte[] stored = storedBytes();
        stored[ManifestCache.HEADER_BYTES] = 9;
        assertRecomputedAfterCorruption(stored);
    }

    @Test
    void cacheFileHoldingAnotherNamesManifestIsRecomputed() throws IOException {
        Path other = file("other.mp4", 300_000, 9); // same size: only the name differs
        ManifestCache cache = new ManifestCache(cacheDir());
        cache.manifestFor("other.mp4", other);
        byte[] otherBytes = Files.readAllBytes(cache.cacheFileFor("other.mp4"));
        ByteBuffer.wrap(otherBytes).putLong(12, Files.getLastModifiedTime(movie()).to(TimeUnit.NANOSECONDS));
        assertRecomputedAfterCorruption(otherBytes);
    }

    @Test
    void cacheFileWithAnotherChunkSizeIsRecomputed() throws IOException {
        Path file = movie();
        Manifest small = ManifestCache.compute("movie.mp4", file, Wire.MIN_CHUNK_BYTES);
        ByteBuffer stored = ByteBuffer.allocate(ManifestCache.HEADER_BYTES + small.encoded().length);
        stored.putInt(ManifestCache.MAGIC).putLong(300_000)
                .putLong(Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS)).put(small.encoded());
        assertRecomputedAfterCorruption(stored.array());
    }

    @Test
    void unreadableCacheEntryIsRecomputed() throws IOException {
        Path file = file("movie.mp4", 1000, 10);
        ManifestCache cache = new ManifestCache(cacheDir());
        // a directory where the cache file should be: it can be neither read nor replaced
        Files.createDirectories(cache.cacheFileFor("movie.mp4"));

        Manifest m = cache.manifestFor("movie.mp4", file);
        assertEquals(ManifestCache.compute("movie.mp4", file, m.chunkSize()).contentId(), m.contentId());
        assertEquals(1, cache.computedCount());
    }

    @Test
    void unwritableCacheDirectoryStillAnswers() throws IOException {
        Path file = file("movie.mp4", 1000, 11);
        Path notADirectory = Files.writeString(tmp.resolve("blocker"), "a file where the cache directory would be");
        ManifestCache cache = new ManifestCache(notADirectory.resolve("manifests"));

        Manifest first = cache.manifestFor("movie.mp4", file);
        Manifest second = cache.manifestFor("movie.mp4", file);

        assertSameManifest(first, second);
        assertEquals(2, cache.computedCount());
    }

    @Test
    void missingFileIsNoSuchFile() {
        ManifestCache cache = new ManifestCache(cacheDir());
        assertThrows(NoSuchFileException.class, () -> cache.manifestFor("gone", tmp.resolve("gone")));
        assertFalse(Files.exists(cacheDir()));
    }

    @Test
    @Timeout(60)
    void differentFilesInParallelGetTheirOwnManifests() throws Exception {
        int files = 16;
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            paths.add(file("f" + i, 50_000 + i * 1000, 100 + i));
        }
        ManifestCache cache = new ManifestCache(cacheDir());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Manifest>> results = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < files; i++) {
                    String name = "f" + i;
                    Path path = paths.get(i);
                    results.add(pool.submit(() -> cache.manifestFor(name, path)));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                int index = i % files;
                Manifest m = results.get(i).get(30, TimeUnit.SECONDS);
                assertEquals("f" + index, m.name());
                assertEquals(ManifestCache.compute("f" + index, paths.get(index), m.chunkSize()).contentId(),
                        m.contentId());
            }
        } finally {
            pool.shutdownNow();
        }
        // both rounds may race on one name, but never hash a file more than twice
        assertTrue(cache.computedCount() >= files && cache.computedCount() <= 2L * files, "" + cache.computedCount());
        ManifestCache afterRestart = new ManifestCache(cacheDir());
        for (int i = 0; i < files; i++) {
            afterRestart.manifestFor("f" + i, paths.get(i));
        }
        assertEquals(0, afterRestart.computedCount());
    }
}
