package p2pstream.peer.playback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * The output of a viewer writing into a pipe: passes every byte on, and watches the first ones with an
 * {@link Mp4Layout}; when they show an MP4 whose index comes after its media, which a player cannot read from a
 * pipe, runs {@code onMdatFirst} once. The player's thread only.
 */
public final class Mp4PipeCheck implements WritableByteChannel {
    private final WritableByteChannel out;
    private final Runnable onMdatFirst;
    private Mp4Layout layout = new Mp4Layout();

    public Mp4PipeCheck(WritableByteChannel out, Runnable onMdatFirst) {
        this.out = out;
        this.onMdatFirst = onMdatFirst;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int start = src.position();
        int n = out.write(src);
        if (layout != null && n > 0) {
            // only what was written: a partial write's rest comes again in the next call
            Mp4Layout.Verdict v = layout.feed(src.duplicate().position(start).limit(start + n));
            if (v != Mp4Layout.Verdict.UNDECIDED) {
                layout = null;
                if (v == Mp4Layout.Verdict.MDAT_FIRST) {
                    onMdatFirst.run();
                }
            }
        }
        return n;
    }

    /**
     * Where bytes may go past this check: the output itself once the first bytes decided (so a zero-copy
     * transfer can go straight to it), this check while it still watches.
     */
    public WritableByteChannel target() {
        return layout == null ? out : this;
    }

    @Override
    public boolean isOpen() {
        return out.isOpen();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
