package p2pstream.peer.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import p2pstream.common.wire.ContentId;
import p2pstream.peer.store.ChunkStore;

/**
 * Where each offered stream goes in an inbox directory: the offered name's last segment made safe (names come from
 * the wire: hostile), under a name of its own per content. The choice is kept in {@value #LEDGER} (one line per
 * stream: its content id and its file name), so the same stream offered again, or after a restart, goes to the
 * same file (kept when complete, resumed when not), and another content offered under a name already taken goes to
 * {@code name (2).ext}. Thread-safe (synchronized).
 */
final class InboxFiles {
    static final String LEDGER = ".p2pstream-inbox";
    /** Ledger lines read at most: a bounded start whatever the file holds. */
    static final int MAX_ENTRIES = 100_000;
    /** A file name's longest UTF-8 form on common file systems. */
    static final int MAX_NAME_BYTES = 255;
    private static final int MAX_SUFFIX = 999;

    private final Path dir;
    private final Map<ContentId, String> byId = new HashMap<>();
    private final Set<String> taken = new HashSet<>();

    private InboxFiles(Path dir) {
        this.dir = dir;
    }

    /** The inbox at {@code dir} (made), with the choices earlier runs kept in its ledger. */
    static InboxFiles open(Path dir) throws IOException {
        Files.createDirectories(dir);
        InboxFiles files = new InboxFiles(dir.toAbsolutePath().normalize());
        Path ledger = dir.resolve(LEDGER);
        if (Files.isRegularFile(ledger, LinkOption.NOFOLLOW_LINKS)) {
            List<String> lines = Files.readAllLines(ledger, StandardCharsets.UTF_8);
            for (String line : lines.subList(0, Math.min(lines.size(), MAX_ENTRIES))) {
                int space = line.indexOf(' ');
                ContentId id = space < 0 ? null : ContentId.parse(line.substring(0, space));
                String name = space < 0 ? "" : line.substring(space + 1);
                if (id != null && name.equals(safeName(name))) {
                    files.byId.put(id, name);
                    files.taken.add(name);
                }
            }
        }
        return files;
    }

    /**
     * The file the stream {@code id} offered as {@code offeredName} goes to: the one chosen before for it, else a
     * safe name not yet used (by a file there, a resume record, or another stream), recorded in the ledger.
     */
    synchronized Path claim(ContentId id, String offeredName) throws IOException {
        String known = byId.get(id);
        if (known != null) {
            return dir.resolve(known);
        }
        String base = safeName(offeredName);
        int dot = base.lastIndexOf('.');
        String stem = dot > 0 ? base.substring(0, dot) : base;
        String ext = dot > 0 ? base.substring(dot) : "";
        String name = base;
        for (int n = 2; used(name); n++) {
            if (n > MAX_SUFFIX) {
                throw new IOException("inbox " + dir + ": " + base + " and " + MAX_SUFFIX + " other spellings are"
                        + " taken (expected: room for another file of that name)");
            }
            name = stem + " (" + n + ")" + ext;
        }
        Path file = dir.resolve(name);
        if (!file.getParent().equals(dir)) {
            throw new IOException("inbox name: " + name + " (expected: a file right inside " + dir + ")");
        }
        byId.put(id, name);
        taken.add(name);
        Files.writeString(dir.resolve(LEDGER), id.hex() + " " + name + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS);
        return file;
    }

    private boolean used(String name) {
        Path p = dir.resolve(name);
        return taken.contains(name) || Files.exists(p, LinkOption.NOFOLLOW_LINKS)
                || Files.exists(ChunkStore.recordPathFor(p), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * A wire name as a file name right inside the inbox: its last segment, every character that is a separator, a
     * drive colon or a control character replaced by {@code _}, no leading dot (no hidden file, no {@code .} or
     * {@code ..}, never the ledger), not a resume record's name, within {@value #MAX_NAME_BYTES} bytes.
     */
    static String safeName(String wireName) {
        String last = wireName.substring(wireName.lastIndexOf('/') + 1);
        StringBuilder sb = new StringBuilder();
        last.codePoints().forEach(c -> sb.appendCodePoint(c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '/'
                || c == '\\' || c == ':' || c == 0x2028 || c == 0x2029 ? '_' : c));
        String name = sb.toString().strip();
        while (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES - 16) { // room for " (999)" and "_"
            name = name.substring(name.offsetByCodePoints(0, name.codePointCount(0, name.length()) / 2));
        }
        if (name.isEmpty() || name.startsWith(".")) {
            name = "_" + name;
        }
        if (name.endsWith(".p2ps")) {
            name = name + "_";
        }
        return name;
    }
}
