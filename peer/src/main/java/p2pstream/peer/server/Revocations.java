package p2pstream.peer.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.PeerId;

/**
 * The peer ids a server's owner revoked (PROTOCOL.md section 10): kept in {@code IDENTITY-FILE.revoked} beside the
 * identity (one id a line, {@code #} comments; at most {@value #MAX_BYTES} bytes and {@value #MAX_IDS} ids), written
 * by {@code peer-server --revoke ID} and {@code --unrevoke ID}, and polled every {@value #POLL_MILLIS} ms by a running
 * server of that identity (by size and modification time, on its first loop), which lets a revoked id in by nothing.
 * A version that does not read well is logged and the ids it said before stay revoked. The starting thread, then the
 * server's loop; the static methods any thread.
 */
public final class Revocations {
    static final long POLL_MILLIS = 1_000;
    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_IDS = 4_096;

    private static final Logger log = LoggerFactory.getLogger(Revocations.class);
    private static final Stamp MISSING = new Stamp(-1, -1);

    private final Path path;
    private Stamp stamp;
    private Set<PeerId> ids;
    /** The stamp of the last version refused, so a bad edit is logged once. */
    private Stamp refused;

    private Revocations(Path path, Stamp stamp, Set<PeerId> ids) {
        this.path = path;
        this.stamp = stamp;
        this.ids = ids;
    }

    /** The revocations file of the identity kept in {@code identityFile}. */
    public static Path fileOf(Path identityFile) {
        return identityFile.resolveSibling(identityFile.getFileName() + ".revoked");
    }

    /**
     * Reads {@code path} now (none yet: nobody is revoked).
     *
     * @throws IllegalArgumentException naming the file, and the line when one is wrong
     */
    public static Revocations load(Path path) {
        try {
            Stamp before = stampOf(path);
            return new Revocations(path, before, read(path));
        } catch (IOException e) {
            throw new IllegalArgumentException("revocations " + path + ": " + e.getMessage() + " (expected: a"
                    + " readable file of peer ids, one a line)", e);
        }
    }

    /** The ids revoked, as last read. */
    public Set<PeerId> ids() {
        return ids;
    }

    /** Polls the file on {@code loop} from now on (until it closes); {@code onChange} hears each new set of ids. */
    void watch(EventLoop loop, Consumer<Set<PeerId>> onChange) {
        loop.schedule(POLL_MILLIS, () -> poll(loop, onChange));
    }

    private void poll(EventLoop loop, Consumer<Set<PeerId>> onChange) {
        try {
            check(onChange);
        } finally {
            loop.schedule(POLL_MILLIS, () -> poll(loop, onChange));
        }
    }

    /** Reads the file again when its stamp changed; a version that reads well and says otherwise is told. */
    void check(Consumer<Set<PeerId>> onChange) {
        Stamp now;
        try {
            now = stampOf(path);
        } catch (IOException e) {
            now = MISSING;
        }
        if (now.equals(stamp) || now.equals(refused)) {
            return;
        }
        try {
            Set<PeerId> next = read(path);
            stamp = now;
            refused = null;
            if (!next.equals(ids)) {
                log.info("revocations {} changed: {} peer ids revoked (was {})", path, next.size(), ids.size());
                ids = next;
                onChange.accept(next);
            }
        } catch (IOException e) {
            if (!now.equals(refused)) {
                log.warn("revocations {}: {}; the {} ids revoked before stay revoked", path, e.getMessage(),
                        ids.size());
            }
            refused = now;
        }
    }

    /**
     * Revokes {@code id} ({@code revoke}) or takes it off the file, written owner-only and moved over the old one.
     *
     * @return what changed, for the command to print
     */
    public static String change(Path path, PeerId id, boolean revoke) throws IOException {
        Set<PeerId> ids = read(path);
        boolean changed = revoke ? ids.add(id) : ids.remove(id);
        if (!changed) {
            return "peer " + id.text() + (revoke ? " was revoked already" : " was not revoked") + " (" + path + ")";
        }
        if (ids.size() > MAX_IDS) {
            throw new IOException(ids.size() + " ids (expected: at most " + MAX_IDS + ")");
        }
        StringBuilder text = new StringBuilder("# p2pstream revoked peer ids (PROTOCOL.md section 10): a running"
                + " server of this identity lets them in by nothing\n");
        for (PeerId p : ids) {
            text.append(p.text()).append('\n');
        }
        OwnerFile.replace(path, text.toString(), ".revoked");
        return "peer " + id.text() + (revoke ? " revoked" : " no longer revoked") + " (" + path + "; a running"
                + " server of this identity applies it within a second)";
    }

    private static Stamp stampOf(Path path) throws IOException {
        try {
            return Stamp.of(path);
        } catch (NoSuchFileException e) {
            return MISSING;
        }
    }

    /** The ids in {@code path}, in order; none when it does not exist. */
    static Set<PeerId> read(Path path) throws IOException {
        List<String> lines;
        try {
            if (Files.size(path) > MAX_BYTES) {
                throw new IOException(Files.size(path) + " bytes (expected: at most " + MAX_BYTES + ")");
            }
            lines = List.of(new String(Files.readAllBytes(path), StandardCharsets.UTF_8).split("\n", -1));
        } catch (NoSuchFileException e) {
            return new LinkedHashSet<>();
        }
        Set<PeerId> ids = new LinkedHashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                ids.add(PeerId.parse(line));
            } catch (IllegalArgumentException e) {
                throw new IOException("line " + (i + 1) + ": " + e.getMessage(), e);
            }
            if (ids.size() > MAX_IDS) {
                throw new IOException("more than " + MAX_IDS + " ids (expected: fewer)");
            }
        }
        return ids;
    }
}
