package p2pstream.peer.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import p2pstream.common.net.Connection;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.peer.store.Manifest;

/**
 * A whole file this peer serves: its manifest (encoded once) and its path, opened through the server's
 * {@link OpenFiles} when a chunk is sent (so a server may share more files than it has descriptors), read by
 * every loop with positional {@code transferTo}. Thread-safe (immutable; FileChannel positional reads are).
 */
final class ServedStream implements FileHolding, AutoCloseable {
    private final Manifest manifest;
    private final ManifestMessage manifestMessage;
    private final Path path;
    private final OpenFiles files;
    private final Stamp stamp;

    /** @param stamp the file's size and modification time before it was hashed */
    ServedStream(Manifest manifest, Path path, OpenFiles files, Stamp stamp) {
        this.manifest = manifest;
        this.stamp = stamp;
        this.manifestMessage = new ManifestMessage(manifest.encoded());
        this.path = path;
        this.files = files;
    }

    @Override
    public Manifest manifest() {
        return manifest;
    }

    @Override
    public ManifestMessage manifestMessage() {
        return manifestMessage;
    }

    @Override
    public boolean holdsAll() {
        return true;
    }

    @Override
    public boolean holds(int index) {
        return true;
    }

    @Override
    public BitSet held() {
        BitSet all = new BitSet();
        all.set(0, manifest.chunkCount());
        return all;
    }

    @Override
    public long sendChunk(Connection c, int index) {
        OpenFiles.Lease lease;
        try {
            lease = files.lease(path);
        } catch (IOException e) {
            FileHolding.Log.LOG.warn("{}: cannot open {}: {}: chunk {} unavailable", manifest.name(), path,
                    e.toString(), index);
            // out of descriptors passes; a file gone or unreadable does not
            return String.valueOf(e.getMessage()).contains("Too many open files") ? OVERLOADED : -1;
        }
        if (lease == null) {
            return OVERLOADED;
        }
        return FileHolding.sendRegion(c, manifest, lease.channel(), index, lease::release);
    }

    @Override
    public void subscribe(Subscriber s) {
        // a whole file never grows
    }

    @Override
    public void unsubscribe(Subscriber s) {
        // nothing was registered
    }

    Stamp stamp() {
        return stamp;
    }

    Path path() {
        return path;
    }

    Announce announcement() {
        return new Announce(manifest.contentId(), manifest.name(), manifest.size(), manifest.chunkSize(),
                manifest.chunkCount(), manifest.chunkCount());
    }

    /** Closes the file once no transfer uses it (the file changed or is no longer shared). */
    @Override
    public void close() {
        files.forget(path);
    }
}
