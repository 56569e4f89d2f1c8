package p2pstream.peer.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.peer.store.Manifest;

/**
 * A whole file this peer serves: its manifest (encoded once) and an open read-only channel that every loop
 * reads with positional {@code transferTo}. Thread-safe (immutable; FileChannel positional reads are).
 */
final class ServedStream implements FileHolding, AutoCloseable {
    private final Manifest manifest;
    private final ManifestMessage manifestMessage;
    private final Path path;
    private final FileChannel channel;

    ServedStream(Manifest manifest, Path path) throws IOException {
        this.manifest = manifest;
        this.manifestMessage = new ManifestMessage(manifest.encoded());
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
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
    public FileChannel channel() {
        return channel;
    }

    @Override
    public void subscribe(Subscriber s) {
        // a whole file never grows
    }

    @Override
    public void unsubscribe(Subscriber s) {
        // nothing was registered
    }

    Path path() {
        return path;
    }

    Announce announcement() {
        return new Announce(manifest.contentId(), manifest.name(), manifest.size(), manifest.chunkSize(),
                manifest.chunkCount(), manifest.chunkCount());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
