package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.wire.PeerId;

/**
 * The allow file's and the access files' formats: ids (with or without dashes, any case), account names, comments,
 * blank lines, Windows line ends; every malformed line an error naming its number; the bounds; reading refuses what is
 * not a small regular UTF-8 file.
 */
class ReaderListTest {
    private static final PeerId A = PeerId.random();
    private static final PeerId B = PeerId.random();

    @TempDir
    Path dir;

    @Test
    void anAllowFileTakesIdsNamesCommentsAndBlankLines() {
        String text = "# friends\n" + A.text() + "   # Ann's laptop\n\n  " + B.text().toLowerCase().replace("-", "")
                + "\r\ncarol.smith\n" + A.text() + "\n";
        ReaderList r = ReaderList.parseAllowFile(text, "allow.txt");
        assertEquals(Set.of(A, B), r.ids());
        assertEquals(Set.of("carol.smith"), r.names());
        assertFalse(r.anyone());
        assertTrue(ReaderList.parseAllowFile("# nobody yet\n\n", "allow.txt").isEmpty());
    }

    /** The code block of the README that starts with {@code first}. */
    private static String readmeBlock(String first) throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("p2pstream.scripts", "../scripts"))
                .resolve("../README.md"));
        int start = readme.indexOf("```\n" + first);
        assertTrue(start >= 0, "README: no block starting " + first);
        return readme.substring(start + 4, readme.indexOf("```", start + 4));
    }

    @Test
    void theReadmesExamplesRead() throws IOException {
        ReaderList allow = ReaderList.parseAllowFile(readmeBlock("# ~/club-friends.txt"), "README");
        assertEquals(2, allow.ids().size());
        assertEquals(Set.of("carol"), allow.names());
        ReaderList family = ReaderList.parseAccessFile(readmeBlock("# ~/club/family/.p2paccess"), "README");
        assertEquals(1, family.ids().size());
        assertEquals(Set.of("carol"), family.names());
        assertTrue(ReaderList.parseAccessFile(readmeBlock("# ~/club/trailers/.p2paccess"), "README").anyone());
    }

    @Test
    void aBadLineIsAnErrorNamingItsNumber() {
        String typo = A.text().substring(0, 5) + (A.text().charAt(5) == 'A' ? 'B' : 'A') + A.text().substring(6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReaderList.parseAllowFile(A.text() + "\n# ok\n" + typo + "\n", "allow.txt"));
        assertTrue(e.getMessage().startsWith("allow.txt line 3: peer id: "), e.getMessage());
        for (String bad : List.of("Carol", "a b", "x".repeat(33), "dave!", "allow " + A.text())) {
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                    () -> ReaderList.parseAllowFile("\n" + bad, "f"));
            assertTrue(e2.getMessage().startsWith("f line 2: "), e2.getMessage());
            assertTrue(e2.getMessage().contains("(expected: a peer id"), e2.getMessage());
        }
    }

    @Test
    void anAccessFileTakesAllowLinesOrPublicAlone() {
        ReaderList r = ReaderList.parseAccessFile("# folder a\nallow " + A.text() + "\nallow\tbob\n", ".p2paccess");
        assertEquals(Set.of(A), r.ids());
        assertEquals(Set.of("bob"), r.names());
        assertTrue(ReaderList.parseAccessFile("public # anyone\n", "f").anyone());
        assertTrue(ReaderList.parseAccessFile("", "f").isEmpty(), "an empty file lets nobody in");
        for (String bad : List.of("allow", "allow a b", "deny " + A.text(), A.text(), "public now", "allow Bob")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ReaderList.parseAccessFile("# x\n" + bad, "a/.p2paccess"));
            assertTrue(e.getMessage().startsWith("a/.p2paccess line 2: "), e.getMessage());
        }
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> ReaderList.parseAccessFile("public\nallow bob\n", "f"));
        assertTrue(both.getMessage().contains("'public' and 'allow' in one file"), both.getMessage());
    }

    @Test
    void randomTextIsReadOrRefusedWithAnErrorNamingALineNeverAnythingElse() {
        String[] pieces = {"allow", "public", " ", "\t", "#", "\n", "\r\n", "-", A.text(), A.text().substring(3),
                "bob", "B0B", "\u0000", "\u00e9", "\ud83d\ude00", "..", "a/b", "x".repeat(40)};
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            for (boolean access : new boolean[] {false, true}) {
                try {
                    ReaderList r = access ? ReaderList.parseAccessFile(text.toString(), "f")
                            : ReaderList.parseAllowFile(text.toString(), "f");
                    assertTrue(r.ids().size() + r.names().size() <= ReaderList.MAX_ENTRIES);
                    r.names().forEach(name -> assertTrue(ReaderList.NAME.matcher(name).matches(), name));
                } catch (IllegalArgumentException e) {
                    assertTrue(e.getMessage().startsWith("f line "), e.getMessage());
                }
            }
        }
    }

    @Test
    void moreThanTheEntryBoundIsRefused() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i <= ReaderList.MAX_ENTRIES; i++) {
            sb.append("n").append(i).append('\n');
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReaderList.parseAllowFile(sb.toString(), "f"));
        assertTrue(e.getMessage().startsWith("f line 1025: more than 1024 entries"), e.getMessage());
    }

    @Test
    void readingRefusesOversizedBinaryAndNonRegularFiles() throws IOException {
        Path big = Files.writeString(dir.resolve("big"), "#".repeat(ReaderList.MAX_BYTES + 1));
        IOException e = assertThrows(IOException.class, () -> ReaderList.read(big, true));
        assertTrue(e.getMessage().contains("65537 bytes (expected: at most 65536)"), e.getMessage());
        Path binary = Files.write(dir.resolve("bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 'a'});
        e = assertThrows(IOException.class, () -> ReaderList.read(binary, true));
        assertTrue(e.getMessage().contains("not UTF-8 text"), e.getMessage());
        e = assertThrows(IOException.class, () -> ReaderList.read(dir, true));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        Path link = Files.createSymbolicLink(dir.resolve("link"), Files.writeString(dir.resolve("ok"), "public\n"));
        assertEquals("public\n", ReaderList.read(link, true));
        e = assertThrows(IOException.class, () -> ReaderList.read(link, false));
        assertTrue(e.getMessage().contains("a symbolic link"), e.getMessage());
    }
}
