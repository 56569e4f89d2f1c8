package p2pstream.peer.server;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import p2pstream.common.wire.PeerId;

/**
 * Who may read what at one moment, as {@link Access} publishes it after each change: the server-wide readers
 * ({@code --private}: {@code --allow} and the {@code --allow-file}), the folders' access files with their names
 * resolved, and the readers admitted at run time. Thread-safe (immutable).
 *
 * @param privateByDefault a stream no access file governs is private to {@code everywhere} (else public)
 * @param everywhere       the server-wide readers
 * @param folders          the access files, by folder
 * @param folderIds        each access file's readers as ids (its names resolved)
 * @param admitted         readers let in at run time, each with the prefixes it may read ("" is everything)
 */
record Permissions(boolean privateByDefault, Set<PeerId> everywhere, FolderAccess folders,
                   Map<String, Set<PeerId>> folderIds, Map<PeerId, Set<String>> admitted) {

    /**
     * The readers of one stream: anyone, or each id let in with the scope its grant carries: a folder prefix, or ""
     * for the stream itself (its content id).
     */
    record Readers(boolean anyone, Map<PeerId, String> scopes) {
        static final Readers ANYONE = new Readers(true, Map.of());
        static final Readers NOBODY = new Readers(false, Map.of());

        Readers {
            scopes = Map.copyOf(scopes);
        }

        boolean admits(PeerId reader) {
            return anyone || (reader != null && scopes.containsKey(reader));
        }
    }

    Permissions {
        everywhere = Set.copyOf(everywhere);
        folderIds = Map.copyOf(folderIds);
        admitted = Map.copyOf(admitted);
    }

    /**
     * Who may read the stream {@code name}: the nearest access file's readers, or the server-wide ones; plus the
     * readers admitted for a prefix of it, unless an access file that could not be read governs it (fail closed).
     */
    Readers readers(String name) {
        String folder = folders.folderOf(name);
        Map<PeerId, String> scopes = new HashMap<>();
        if (folder != null) {
            if (folders.refused().contains(folder)) {
                return Readers.NOBODY;
            }
            if (folders.rule(folder).anyone()) {
                return Readers.ANYONE;
            }
            for (PeerId id : folderIds.getOrDefault(folder, Set.of())) {
                scopes.put(id, folder);
            }
        } else if (!privateByDefault) {
            return Readers.ANYONE;
        } else {
            for (PeerId id : everywhere) {
                scopes.put(id, "");
            }
        }
        for (var e : admitted.entrySet()) {
            for (String prefix : e.getValue()) {
                if (covers(prefix, name)) {
                    scopes.putIfAbsent(e.getKey(), prefix);
                }
            }
        }
        return new Readers(false, scopes);
    }

    /** As a grant's prefix does (Grant.check): "a/b" covers "a/b" and "a/b/...", "" covers everything. */
    static boolean covers(String prefix, String name) {
        return prefix.isEmpty() || name.equals(prefix) || name.startsWith(prefix + "/");
    }
}
