package p2pstream.peer.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;
import p2pstream.common.access.AccountName;
import p2pstream.common.wire.PeerId;

/**
 * Who one list lets read, as an {@code --allow-file} or a folder's {@code .p2paccess} says it (README, PROTOCOL.md
 * section 10): peer ids, account names (which only tracker accounts turn into ids), or anyone. Both files are
 * bounded ({@value #MAX_BYTES} bytes, {@value #MAX_ENTRIES} entries) and read strictly: a line that is neither is an
 * error naming its number. Thread-safe (immutable).
 */
record ReaderList(Set<PeerId> ids, Set<String> names, boolean anyone) {
    /** Lets nobody in: what a folder whose access file cannot be read gets (fail closed). */
    static final ReaderList NOBODY = new ReaderList(Set.of(), Set.of(), false);
    static final ReaderList ANYONE = new ReaderList(Set.of(), Set.of(), true);
    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_ENTRIES = 1024;
    /** An account name (tracker accounts): what a line that is not a peer id may be. */
    static final Pattern NAME = Pattern.compile("[a-z0-9_.-]{1,32}");
    private static final String ENTRY = "a peer id (peer-client --whoami) or an account name [a-z0-9_.-]{1,32}";

    ReaderList {
        ids = Set.copyOf(ids);
        names = Set.copyOf(names);
    }

    boolean isEmpty() {
        return !anyone && ids.isEmpty() && names.isEmpty();
    }

    /** An {@code --allow-file}: one peer id or account name a line, {@code #} comments, blank lines. */
    static ReaderList parseAllowFile(String text, String source) {
        Set<PeerId> ids = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        int n = 0;
        for (String raw : text.split("\n", -1)) {
            n++;
            String line = content(raw);
            if (!line.isEmpty()) {
                entry(line, source, n, ids, names);
            }
        }
        return new ReaderList(ids, names, false);
    }

    /**
     * A folder's {@code .p2paccess}: lines {@code allow ID|NAME} (one entry each) or {@code public} alone (anyone
     * reads the folder); {@code #} comments, blank lines. An empty file lets nobody in.
     */
    static ReaderList parseAccessFile(String text, String source) {
        Set<PeerId> ids = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        int publicLine = 0;
        int allowLine = 0;
        int n = 0;
        for (String raw : text.split("\n", -1)) {
            n++;
            String line = content(raw);
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("[ \t]+");
            if (words[0].equals("public") && words.length == 1) {
                publicLine = n;
            } else if (words[0].equals("allow") && words.length == 2) {
                allowLine = allowLine == 0 ? n : allowLine;
                entry(words[1], source, n, ids, names);
            } else {
                throw new IllegalArgumentException(source + " line " + n + ": " + shown(line)
                        + " (expected: 'allow ID|NAME' or 'public')");
            }
        }
        if (publicLine > 0 && allowLine > 0) {
            throw new IllegalArgumentException(source + " line " + Math.max(publicLine, allowLine)
                    + ": 'public' and 'allow' in one file (expected: 'public' alone, or 'allow' lines)");
        }
        return publicLine > 0 ? ANYONE : new ReaderList(ids, names, false);
    }

    private static void entry(String word, String source, int line, Set<PeerId> ids, Set<String> names) {
        if (ids.size() + names.size() >= MAX_ENTRIES) {
            throw new IllegalArgumentException(source + " line " + line + ": more than " + MAX_ENTRIES
                    + " entries (expected: at most " + MAX_ENTRIES + ")");
        }
        if (idLike(word)) {
            try {
                ids.add(PeerId.parse(word));
                return;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + " line " + line + ": " + e.getMessage());
            }
        }
        if (!NAME.matcher(word).matches()) {
            throw new IllegalArgumentException(source + " line " + line + ": " + shown(word) + " (expected: "
                    + ENTRY + ")");
        }
        names.add(word);
    }

    /** Text meant as a peer id (28 base32 characters, dashes anywhere): a typo in it is an error, not a name. */
    static boolean idLike(String word) {
        return AccountName.idLike(word);
    }

    /** The line without its comment and surrounding blanks (and a CR of a Windows line end). */
    private static String content(String line) {
        int hash = line.indexOf('#');
        return (hash >= 0 ? line.substring(0, hash) : line).strip();
    }

    private static String shown(String text) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < Math.min(text.length(), 64); i++) {
            char c = text.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.append(text.length() > 64 ? "...'" : "'").toString();
    }

    /**
     * The text of {@code file}: a regular file (a link to one only when {@code followLinks}) of at most
     * {@value #MAX_BYTES} bytes, valid UTF-8. Blocking I/O; the caller's thread.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    static String read(Path file, boolean followLinks) throws IOException {
        LinkOption[] links = followLinks ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, links);
        if (!attrs.isRegularFile()) {
            throw new IOException(file + ": " + (attrs.isSymbolicLink() ? "a symbolic link" : "not a regular file")
                    + " (expected: a regular file)");
        }
        if (attrs.size() > MAX_BYTES) {
            throw new IOException(file + ": " + attrs.size() + " bytes (expected: at most " + MAX_BYTES + ")");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, links)) {
            bytes = in.readNBytes(MAX_BYTES + 1); // it may have grown since
        }
        if (bytes.length > MAX_BYTES) {
            throw new IOException(file + ": more than " + MAX_BYTES + " bytes (expected: at most " + MAX_BYTES + ")");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text (expected: one entry a line)", e);
        }
    }
}
