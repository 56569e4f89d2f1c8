package p2pstream.peer.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * Computes each shared file's {@link Manifest} once and keeps it in a cache directory, keyed by the file's
 * size and modification time, so a restarted peer-server does not rehash every file. Thread-safe: any thread
 * may call it, several files in parallel; it blocks on disk I/O and hashing, so call it from a worker pool.
 *
 * <pre>cache file &lt;hex sha-256 of the UTF-8 name&gt;.manifest:
 * &lt;magic:u32="P2PM"&gt;&lt;size:i64&gt;&lt;mtime nanos:i64&gt;&lt;encoded manifest&gt;</pre>
 */
public final class ManifestCache {
    static final int MAGIC = 0x5032504d; // "P2PM"
    static final int HEADER_BYTES = 4 + 8 + 8;

    private static final Logger log = LoggerFactory.getLogger(ManifestCache.class);

    private final Path cacheDir;
    private final AtomicLong computed = new AtomicLong();
    private final AtomicBoolean warnedUnwritable = new AtomicBoolean();

    /** {@code cacheDir} (e.g. {@code root/.p2pstream/manifests}) is created when the first manifest is stored. */
    public ManifestCache(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    /**
     * {@code file}'s manifest under {@code name}: from the cache when it was stored for the same name, size
     * and modification time, else computed (chunk size {@link Manifest#chunkSizeFor}) and stored.
     *
     * @throws IOException when the file cannot be read, is too large for the protocol, or keeps changing while
     *         it is hashed
     */
    public Manifest manifestFor(String name, Path file) throws IOException {
        Path cacheFile = cacheFileFor(name);
        Stamp before = Stamp.of(file);
        Manifest cached = load(cacheFile, name, before);
        if (cached != null) {
            return cached;
        }
        // hashing takes long enough for a writer to get in; one retry covers a file that was just finished
        for (int attempt = 1; ; attempt++) {
            Manifest manifest;
            try {
                computed.incrementAndGet();
                manifest = compute(name, file, chunkSizeFor(name, before.size()));
            } catch (IOException e) {
                if (attempt == 1 && !Stamp.of(file).equals(before)) {
                    log.debug("manifest {}: file changed while hashing ({}), hashing again", name, e.toString());
                    before = Stamp.of(file);
                    continue;
                }
                throw e;
            }
            Stamp after = Stamp.of(file);
            if (after.equals(before) && manifest.size() == before.size()) {
                store(cacheFile, before, manifest);
                log.debug("manifest {}: computed {}", name, manifest);
                return manifest;
            }
            if (attempt == 2) {
                throw new IOException("file " + file + ": changed while being hashed, twice"
                        + " (expected: a file that is not being written)");
            }
            log.debug("manifest {}: file changed while hashing, hashing again", name);
            before = after;
        }
    }

    /** How many manifests this cache hashed a file for, rather than read from the cache. */
    public long computedCount() {
        return computed.get();
    }

    /**
     * Hashes {@code file} chunk by chunk into a manifest named {@code name}, reading it once, in order.
     *
     * @throws IOException when the file cannot be read or shrinks while it is read
     * @throws IllegalArgumentException when {@code chunkSize} is out of range or gives too many chunks
     */
    public static Manifest compute(String name, Path file, int chunkSize) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            int count = Manifest.chunkCount(size, chunkSize);
            byte[] hashes = new byte[count * Manifest.HASH_BYTES];
            // a small file needs no chunk-sized buffer
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(chunkSize, size));
            MessageDigest digest = Manifest.sha256();
            long position = 0;
            for (int i = 0; i < count; i++) {
                int length = (int) Math.min(chunkSize, size - position);
                buffer.clear().limit(length);
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer) < 0) {
                        throw new IOException("file " + file + ": ended at byte " + (position + buffer.position())
                                + " (expected: " + size + " bytes; it shrank while being hashed)");
                    }
                }
                digest.update(buffer.array(), 0, length);
                try {
                    digest.digest(hashes, i * Manifest.HASH_BYTES, Manifest.HASH_BYTES);
                } catch (DigestException e) {
                    throw new IllegalStateException("SHA-256 digest did not fit 32 bytes", e);
                }
                position += length;
            }
            return new Manifest(name, size, chunkSize, hashes);
        }
    }

    /** The cache file for {@code name}; hashed because a name may be longer than a file name may be. */
    Path cacheFileFor(String name) {
        byte[] key = Manifest.sha256().digest(name.getBytes(StandardCharsets.UTF_8));
        return cacheDir.resolve(Wire.hex(key) + ".manifest");
    }

    private static int chunkSizeFor(String name, long size) throws IOException {
        try {
            return Manifest.chunkSizeFor(size);
        } catch (IllegalArgumentException e) {
            // the caller is sharing files: one that cannot be shared is an I/O-level refusal, like an unreadable one
            throw new IOException("manifest " + name + ": " + e.getMessage(), e);
        }
    }

    /** The cached manifest when it is valid for {@code stamp}, else null. */
    private Manifest load(Path cacheFile, String name, Stamp stamp) {
        byte[] bytes;
        try {
            long length = Files.size(cacheFile);
            if (length < HEADER_BYTES || length > HEADER_BYTES + (long) Manifest.MAX_ENCODED_BYTES) {
                log.debug("manifest cache {}: {} bytes (expected: {}..{}), recomputing", cacheFile, length,
                        HEADER_BYTES, HEADER_BYTES + (long) Manifest.MAX_ENCODED_BYTES);
                return null;
            }
            bytes = Files.readAllBytes(cacheFile);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            log.debug("manifest cache {}: unreadable ({}), recomputing", cacheFile, e.toString());
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < HEADER_BYTES || in.getInt() != MAGIC) {
            log.debug("manifest cache {}: no P2PM header, recomputing", cacheFile);
            return null;
        }
        long size = in.getLong();
        long mtimeNanos = in.getLong();
        if (size != stamp.size() || mtimeNanos != stamp.mtimeNanos()) {
            log.debug("manifest cache {}: stored for size {} mtime {} (expected: {}), recomputing", cacheFile, size,
                    mtimeNanos, stamp);
            return null;
        }
        byte[] encoded = Arrays.copyOfRange(bytes, HEADER_BYTES, bytes.length);
        Manifest manifest;
        try {
            manifest = Manifest.decode(encoded, contentIdOf(encoded));
        } catch (ProtocolException e) {
            log.debug("manifest cache {}: corrupt ({}), recomputing", cacheFile, e.getMessage());
            return null;
        }
        // the chunk size check keeps the answer identical to a fresh computation if the sizing policy changes
        if (!manifest.name().equals(name) || manifest.size() != size
                || manifest.chunkSize() != Manifest.chunkSizeFor(size)) {
            log.debug("manifest cache {}: holds {} (expected: {}, {} bytes, chunk size {}), recomputing", cacheFile,
                    manifest, name, size, Manifest.chunkSizeFor(size));
            return null;
        }
        return manifest;
    }

    // No fsync: after a crash a torn cache file fails the header or decode checks and is simply recomputed.
    private void store(Path cacheFile, Stamp stamp, Manifest manifest) {
        byte[] encoded = manifest.encoded();
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + encoded.length);
        out.putInt(MAGIC).putLong(stamp.size()).putLong(stamp.mtimeNanos()).put(encoded);
        Path temp = null;
        try {
            Files.createDirectories(cacheDir);
            // a unique temp file per writer: two threads storing the same name never write into one file
            temp = Files.createTempFile(cacheDir, cacheFile.getFileName().toString(), ".tmp");
            Files.write(temp, out.array());
            Files.move(temp, cacheFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException | UnsupportedOperationException e) {
            // the cache only saves time: serving goes on, the file is just hashed again after a restart
            if (warnedUnwritable.compareAndSet(false, true)) {
                log.warn("manifest cache {}: cannot store manifests, files will be rehashed on restart: {}",
                        cacheDir, e.toString());
            } else {
                log.debug("manifest cache {}: cannot store {}: {}", cacheDir, cacheFile.getFileName(), e.toString());
            }
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    log.debug("manifest cache {}: cannot delete {}: {}", cacheDir, temp, e.toString());
                }
            }
        }
    }

    private static ContentId contentIdOf(byte[] encoded) {
        return ContentId.of(Manifest.sha256().digest(encoded));
    }

    /** What the cache is keyed by: a file's size and modification time at nanosecond precision. */
    private record Stamp(long size, long mtimeNanos) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attrs.size(), attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS));
        }
    }
}
