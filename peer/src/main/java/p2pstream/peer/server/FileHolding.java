package p2pstream.peer.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.BitSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.data.BufferData;
import p2pstream.common.data.FileData;
import p2pstream.common.net.Connection;
import p2pstream.common.wire.Bitfield;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.peer.store.Manifest;

/**
 * A holding of a file stream, read from a file with zero-copy positional transfers: a peer-server's whole
 * file or a viewer's growing store. Same threading as {@link Holding}.
 */
public interface FileHolding extends Holding {

    Manifest manifest();

    /** True when every chunk is held (HAVE_ALL), false when a BITFIELD must be sent. */
    boolean holdsAll();

    /** A copy of the chunks held, for a BITFIELD. */
    BitSet held();

    /** Registers a session to be told of chunks as they arrive (HAVE); whole files never call it back. */
    void subscribe(Subscriber s);

    @Override
    default String name() {
        return manifest().name();
    }

    @Override
    default int indexLimit() {
        return manifest().chunkCount();
    }

    @Override
    default void sendAvailability(Connection c, Subscriber s) {
        if (holdsAll()) {
            c.send(EmptyMessage.HAVE_ALL);
        } else {
            c.send(new Bitfield(held(), manifest().chunkCount()));
            subscribe(s);
        }
    }

    /**
     * Queues chunk {@code index} of {@code m} on {@code c}: a header, then the region of {@code file} (sendfile).
     * {@code onRelease} (null for none) runs once the region is written or dropped, or at once when the file is
     * too short to hold the chunk.
     *
     * @return the frame's bytes, or -1 when the file no longer holds the chunk
     */
    static long sendRegion(Connection c, Manifest m, FileChannel file, int index, Runnable onRelease) {
        long offset = m.chunkOffset(index);
        int length = m.chunkLength(index);
        try {
            long size = file.size();
            if (size < offset + length) {
                Log.LOG.warn("{} shrank to {} bytes: chunk {} unavailable", m.name(), size, index);
                release(onRelease);
                return -1;
            }
        } catch (IOException e) {
            Log.LOG.warn("{}: {}: chunk {} unavailable", m.name(), e.toString(), index);
            release(onRelease);
            return -1;
        }
        c.send(BufferData.of(ChunkHeader.encode(index, length)));
        c.send(new FileData(file, offset, length, onRelease));
        return ChunkHeader.BYTES + length;
    }

    private static void release(Runnable onRelease) {
        if (onRelease != null) {
            onRelease.run();
        }
    }

    /** Interfaces cannot hold a private logger. */
    final class Log {
        static final Logger LOG = LoggerFactory.getLogger(FileHolding.class);

        private Log() {
        }
    }
}
