package p2pstream.peer.tracker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.cli.PinnedAddress;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.PeerId;

/**
 * How a peer decides that the tracker at an address is the one it means: the id the user gave
 * ({@code HOST[:PORT]#ID}, {@code --tracker-id}), else the id remembered for that address in a known-trackers file
 * (trusted on first use, then remembered, like SSH's known_hosts), else any (in-process tests). A tracker on a
 * loopback address is on this machine, where ports come and go with demos and tests: it is not remembered (give
 * its id to pin it). Thread-safe: the file is read and replaced whole under this object's lock.
 *
 * <pre>known-trackers: "# ..." comment lines, then one "HOST:PORT PEER-ID" line per tracker</pre>
 */
public final class TrackerTrust {
    private static final Logger log = LoggerFactory.getLogger(TrackerTrust.class);
    /** The file under the p2pstream home ({@code ~/.p2pstream}) that remembers trackers. */
    public static final String KNOWN_TRACKERS = "known-trackers";
    private static final int MAX_FILE_BYTES = 1 << 20;

    private final PeerId given;
    private final Path known;

    private TrackerTrust(PeerId given, Path known) {
        this.given = given;
        this.known = known;
    }

    /** Any tracker id is taken and nothing is remembered. */
    public static TrackerTrust any() {
        return new TrackerTrust(null, null);
    }

    /** {@code given} when not null, else what {@code known} remembers (null: any). */
    public static TrackerTrust of(PeerId given, Path known) {
        return new TrackerTrust(given, known);
    }

    /**
     * What the user asked for on a command line: the id after {@code #} in {@code tracker} ({@code HOST[:PORT]#ID})
     * or {@code --tracker-id} ({@code trackerId}; both given must agree), else the account's known-trackers.
     */
    public static TrackerTrust ofCommandLine(String tracker, String trackerId) {
        PeerId inAddress = tracker == null ? null : PinnedAddress.parse("TRACKER", tracker).id();
        PeerId option = trackerId == null ? null : PinnedAddress.id("--tracker-id", trackerId);
        if (inAddress != null && option != null && !inAddress.equals(option)) {
            throw new IllegalArgumentException("--tracker-id: " + trackerId + " (expected: the id after # in "
                    + tracker + ", or only one of them)");
        }
        PeerId given = inAddress != null ? inAddress : option;
        return new TrackerTrust(given, Identity.home().resolve(KNOWN_TRACKERS));
    }

    /** {@code HOST[:PORT]} of a {@code HOST[:PORT]#ID} tracker argument. */
    public static String address(String tracker) {
        return PinnedAddress.parse("TRACKER", tracker).address();
    }

    /** The id the tracker at {@code tracker} must prove; null when any is taken. */
    public synchronized PeerId expected(InetSocketAddress tracker) {
        if (given != null) {
            return given;
        }
        Map<String, PeerId> all = remembers(tracker) ? read() : null;
        return all != null ? all.get(name(tracker)) : null;
    }

    /** Where the id came from, for the refusal the user reads. */
    String source(InetSocketAddress tracker) {
        return given != null ? "the id given with the tracker's address" : "the id remembered for " + name(tracker)
                + " in " + known + " (delete that line if the tracker's identity changed on purpose)";
    }

    /** The handshake at {@code tracker} proved {@code id}: remembered when no id was known for it. */
    public synchronized void proved(InetSocketAddress tracker, PeerId id) {
        if (given != null || !remembers(tracker) || id == null) {
            return;
        }
        String address = name(tracker);
        Map<String, PeerId> all = read();
        if (all == null || all.containsKey(address)) {
            return; // a file that could not be read is left as it is, never replaced by this one line
        }
        all.put(address, id);
        StringBuilder text = new StringBuilder("# trackers this account has connected to, and the peer id each"
                + " proved (p2pstream)\n");
        all.forEach((a, p) -> text.append(a).append(' ').append(p.text()).append('\n'));
        Path temp = null;
        try {
            Files.createDirectories(known.toAbsolutePath().getParent());
            temp = Files.createTempFile(known.toAbsolutePath().getParent(), ".known-trackers", ".tmp");
            Files.writeString(temp, text);
            try {
                Files.move(temp, known, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, known, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
            log.info("tracker {} is {}: remembered in {}", address, id.text(), known);
        } catch (IOException e) {
            log.warn("tracker {} is {}; cannot remember it in {}: {}", address, id.text(), known, e.toString());
        } finally {
            deleteQuietly(temp);
        }
    }

    private boolean remembers(InetSocketAddress tracker) {
        return known != null && (tracker.getAddress() == null || !tracker.getAddress().isLoopbackAddress());
    }

    /** How known-trackers names a tracker: HOST:PORT as it was given. */
    static String name(InetSocketAddress tracker) {
        return tracker.getHostString() + ":" + tracker.getPort();
    }

    /** A temporary file a failed write left behind, if any. */
    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            log.debug("{}: {}", temp, e.toString());
        }
    }

    /**
     * The remembered ids; a line that does not parse is skipped with a warning, never trusted. Null when the file
     * is there but could not be read (too large, unreadable): then nothing is remembered into it either.
     */
    private Map<String, PeerId> read() {
        Map<String, PeerId> all = new LinkedHashMap<>();
        try {
            if (Files.size(known) > MAX_FILE_BYTES) {
                log.warn("{}: over {} bytes (expected: a few lines); not read", known, MAX_FILE_BYTES);
                return null;
            }
            for (String line : Files.readAllLines(known)) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String[] parts = l.split("\\s+");
                try {
                    if (parts.length != 2) {
                        throw new IllegalArgumentException("line: \"" + l + "\" (expected: HOST:PORT PEER-ID)");
                    }
                    all.put(parts[0], PeerId.parse(parts[1]));
                } catch (IllegalArgumentException e) {
                    log.warn("{}: {}; skipped", known, e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            return all;
        } catch (IOException e) {
            log.warn("{}: {}", known, e.toString());
            return null;
        }
        return all;
    }

    @Override
    public String toString() {
        return given != null ? "pinned " + given.text() : known != null ? "known in " + known : "any";
    }
}
