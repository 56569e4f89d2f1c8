package p2pstream.peer.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access files of a shared directory: a {@value #FILE_NAME} in a folder says who reads that folder and everything
 * below it, down to the next folder with one of its own (the nearest file wins); see {@link ReaderList} for the
 * format. A file that is too large, malformed, not a regular file or unreadable leaves its folder readable by nobody
 * (fail closed) and is logged. Access files are dotfiles: never shared, never listed. Thread-safe (immutable);
 * {@link #read} does blocking I/O.
 */
record FolderAccess(Map<String, ReaderList> byFolder, Set<String> refused) {
    /** The access file's name in a shared folder. */
    static final String FILE_NAME = ".p2paccess";
    /** No access files: the server-wide rule holds everywhere. */
    static final FolderAccess NONE = new FolderAccess(Map.of(), Set.of());

    private static final Logger log = LoggerFactory.getLogger(FolderAccess.class);

    FolderAccess {
        byFolder = Map.copyOf(byFolder);
        refused = Set.copyOf(refused);
    }

    /**
     * The access files in the folders of the shared names {@code names} (relative, '/'-separated) and the folders
     * above them, root included. Only those folders matter: one without a shared file below it serves nothing.
     */
    static FolderAccess read(Path root, Collection<String> names) {
        Map<String, ReaderList> found = new TreeMap<>();
        Set<String> refused = new TreeSet<>();
        Set<String> folders = new TreeSet<>();
        folders.add("");
        for (String name : names) {
            for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
                folders.add(name.substring(0, slash));
            }
        }
        for (String folder : folders) {
            Path file = (folder.isEmpty() ? root : root.resolve(folder)).resolve(FILE_NAME);
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            String source = folder.isEmpty() ? FILE_NAME : folder + "/" + FILE_NAME;
            try {
                found.put(folder, ReaderList.parseAccessFile(ReaderList.read(file, false), source));
            } catch (NoSuchFileException e) {
                // gone since: the next listing sees it gone
            } catch (IOException | IllegalArgumentException e) {
                log.warn("access file {} refused: {}; folder '{}' is readable by nobody until it is fixed", source,
                        e.getMessage(), folder);
                found.put(folder, ReaderList.NOBODY);
                refused.add(folder);
            }
        }
        return new FolderAccess(found, refused);
    }

    /** The folder whose access file governs {@code name} (the nearest above it), or null when none does. */
    String folderOf(String name) {
        if (byFolder.isEmpty()) {
            return null;
        }
        // names never start with '/' (SharedDirectory.checkName), so every slash found has a folder before it
        for (int slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
            String folder = name.substring(0, slash);
            if (byFolder.containsKey(folder)) {
                return folder;
            }
        }
        return byFolder.containsKey("") ? "" : null;
    }

    ReaderList rule(String folder) {
        return byFolder.get(folder);
    }
}
