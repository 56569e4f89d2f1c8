package p2pstream.peer.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;

/**
 * A peer-server's {@code --allow-file}: one peer id or account name a line ({@link ReaderList#parseAllowFile}), read
 * at start (where a bad line is an error naming its number) and again whenever its size or modification time
 * changes, polled every {@value #POLL_MILLIS} ms on the server's loop (by its clock): a file it cannot read or parse
 * then is logged and the readers it said before stay. Loop thread once watched; the starting thread before.
 */
final class AllowFile {
    static final long POLL_MILLIS = 1_000;

    private static final Logger log = LoggerFactory.getLogger(AllowFile.class);
    /** The stamp of a file that is not there (or cannot be looked at). */
    private static final Stamp MISSING = new Stamp(-1, -1);

    private final Path path;
    private Stamp stamp;
    private ReaderList readers;
    /** The stamp of the last version refused, so a bad edit is logged once, not every second. */
    private Stamp refused;

    private AllowFile(Path path, Stamp stamp, ReaderList readers) {
        this.path = path;
        this.stamp = stamp;
        this.readers = readers;
    }

    /**
     * Reads {@code path} now.
     *
     * @throws IllegalArgumentException {@code --allow-file: ...} naming the file, and the line when one is wrong
     */
    static AllowFile load(Path path) {
        try {
            Stamp before = Stamp.of(path); // before reading: an edit during the read shows as a change later
            return new AllowFile(path, before, parse(path));
        } catch (IOException e) {
            throw new IllegalArgumentException("--allow-file: " + path + " cannot be read: " + e.getMessage()
                    + " (expected: a readable file of peer ids, one a line)", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--allow-file: " + e.getMessage(), e);
        }
    }

    private static ReaderList parse(Path path) throws IOException {
        return ReaderList.parseAllowFile(ReaderList.read(path, true), path.toString());
    }

    ReaderList readers() {
        return readers;
    }

    Path path() {
        return path;
    }

    /**
     * Polls the file on {@code loop} from now on (until the loop closes); {@code onChange} hears each new version that
     * reads well.
     */
    void watch(EventLoop loop, Consumer<ReaderList> onChange) {
        loop.schedule(POLL_MILLIS, () -> poll(loop, onChange));
    }

    private void poll(EventLoop loop, Consumer<ReaderList> onChange) {
        try {
            check(onChange);
        } finally {
            loop.schedule(POLL_MILLIS, () -> poll(loop, onChange));
        }
    }

    /** Reads the file again when its stamp changed; a file that reads well and says otherwise is told. */
    void check(Consumer<ReaderList> onChange) {
        Stamp now;
        try {
            now = Stamp.of(path);
        } catch (IOException e) {
            refuse(MISSING, path + " cannot be read: " + e);
            return;
        }
        if (now.equals(stamp) || now.equals(refused)) {
            return;
        }
        try {
            ReaderList next = parse(path);
            stamp = now;
            refused = null;
            if (!next.equals(readers)) {
                log.info("--allow-file {} changed: {} peer ids, {} account names (was {} and {})", path,
                        next.ids().size(), next.names().size(), readers.ids().size(), readers.names().size());
                readers = next;
                onChange.accept(next);
            }
        } catch (IOException | IllegalArgumentException e) {
            refuse(now, e.getMessage());
        }
    }

    private void refuse(Stamp version, String why) {
        if (!version.equals(refused)) {
            log.warn("--allow-file: {}; keeping the {} readers it said before", why,
                    readers.ids().size() + readers.names().size());
        }
        refused = version;
    }
}
