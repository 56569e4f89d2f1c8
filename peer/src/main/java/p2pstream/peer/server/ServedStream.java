package p2pstream.peer.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.peer.store.Manifest;

/**
 * A whole file this peer serves: its manifest (encoded once) and an open read-only channel that every loop
 * reads with positional {@code transferTo}. Thread-safe (immutable; FileChannel positional reads are).
 */
final class ServedStream implements AutoCloseable {
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

    Manifest manifest() {
        return manifest;
    }

    ManifestMessage manifestMessage() {
        return manifestMessage;
    }

    FileChannel channel() {
        return channel;
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
