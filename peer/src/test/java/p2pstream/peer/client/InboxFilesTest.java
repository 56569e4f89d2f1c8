package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.Trial;
import p2pstream.common.wire.ContentId;

/**
 * Where an inbox puts an offered stream: the offered name's last segment, made safe whatever it holds; one file per
 * content (a second content of one name is {@code name (2).ext}); the same content again, or after a restart, goes
 * to the same file.
 */
class InboxFilesTest {
    private static final ContentId A = new ContentId(1, 1, 1, 1);
    private static final ContentId B = new ContentId(2, 2, 2, 2);
    private static final ContentId C = new ContentId(3, 3, 3, 3);

    @TempDir
    Path dir;

    @Test
    void oneFilePerContentTheSameAgainAndAfterARestart() throws Exception {
        InboxFiles files = InboxFiles.open(dir);
        assertEquals(dir.resolve("june.mp4"), files.claim(A, "holiday/june.mp4"));
        assertEquals(dir.resolve("june (2).mp4"), files.claim(B, "june.mp4"), "another content, same name");
        assertEquals(dir.resolve("june.mp4"), files.claim(A, "june.mp4"), "the same content again");
        Files.writeString(dir.resolve("notes"), "mine");
        assertEquals(dir.resolve("notes (2)"), files.claim(C, "notes"), "a file already there is not taken");
        InboxFiles again = InboxFiles.open(dir);
        assertEquals(dir.resolve("june (2).mp4"), again.claim(B, "june.mp4"), "kept across runs");
        assertEquals("mine", Files.readString(dir.resolve("notes")));
    }

    @HostileCase(value = "Hostile names in offers to an inbox: separators, dots, control characters, the inbox's own"
            + " ledger and resume records, over-long names", expect = "every file lands right inside the inbox under"
            + " a visible name of at most 255 bytes; nothing outside it is touched", section = HostileCase.ACCESS)
    void hostileNamesStayInsideTheInbox(Trial trial) throws Exception {
        Path outside = Files.writeString(dir.resolveSibling(dir.getFileName() + "-outside"), "untouched");
        Path inbox = dir.resolve("inbox");
        InboxFiles files = InboxFiles.open(inbox);
        List<String> hostile = List.of("../" + outside.getFileName(), "..", ".", "/etc/passwd", "a\\..\\..\\b",
                "C:evil", ".p2pstream-inbox", ".hidden", "x.p2ps", "tab\there", "nl\nthere", "bell\u0007",
                "line\u2028sep", "", " ", "x".repeat(2000) + ".mp4", "é".repeat(300), "a/b/c/../../..");
        int n = 0;
        for (String name : hostile) {
            Path p = files.claim(new ContentId(9, 9, 9, n++), name);
            assertEquals(inbox.toAbsolutePath().normalize(), p.getParent(), name);
            String saved = p.getFileName().toString();
            assertFalse(saved.startsWith("."), saved);
            assertFalse(saved.endsWith(".p2ps"), saved);
            assertTrue(saved.getBytes(StandardCharsets.UTF_8).length <= InboxFiles.MAX_NAME_BYTES, saved);
            assertTrue(saved.codePoints().noneMatch(c -> c < 0x20 || c == '/' || c == '\\' || c == ':'), saved);
            Files.writeString(p, "x");
        }
        assertEquals("untouched", Files.readString(outside));
        try (Stream<Path> inside = Files.list(inbox)) {
            assertEquals(hostile.size() + 1, inside.count(), "one file each, and the ledger");
        }
        trial.record("hostile names placed inside the inbox", hostile.size());
    }
}
