package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: {@code peer-client TRACKER --list} as a user reads it (human sizes, aligned columns) and as a script does
 * ({@code --json}).
 */
class ListE2ETest {
    private static final String LONG_NAME =
            "series/season-01/episode-01-the-one-where-the-name-is-longer-than-forty.bin";
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    /** A tracker and a peer-server sharing two files; returns the tracker once it lists both. */
    private String swarm() throws Exception {
        Path media = dir.resolve("media");
        Processes.randomFile(media, "clip.bin", 1536 * 1024, 1);
        Processes.randomFile(media.resolve("series/season-01"), LONG_NAME.substring(LONG_NAME.lastIndexOf('/') + 1),
                5000, 2);
        String tracker = "127.0.0.1:" + processes.startTracker();
        processes.startAndAwaitPort("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", tracker, "--dir",
                media.toString());
        processes.awaitListed(tracker, "clip.bin", LONG_NAME);
        return tracker;
    }

    @Test
    @Timeout(120)
    void theTableHasHumanSizesAndColumnsThatStayAlignedPastALongName() throws Exception {
        Processes.Ended r = processes.client(swarm(), "--list");
        assertEquals(0, r.status(), r.stderr());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.get(0).matches("NAME +SIZE  PEERS +CONTENT ID"), r.out());
        int column = lines.get(0).indexOf("CONTENT ID");
        for (String line : lines.subList(1, 3)) {
            assertTrue(line.substring(column).matches("[0-9a-f]{64}"), "content ids start in one column:\n" + r.out());
        }
        String clip = lines.stream().filter(l -> l.startsWith("clip.bin ")).findFirst().orElseThrow();
        assertTrue(clip.contains(" 1.5 MiB  1 (1 complete)  "), clip);
        String episode = lines.stream().filter(l -> l.startsWith(LONG_NAME + "  ")).findFirst().orElseThrow();
        assertTrue(episode.contains("  4.9 KiB  1 (1 complete)  "), episode);
    }

    @Test
    @Timeout(120)
    void jsonIsOneDocumentWithEveryStream() throws Exception {
        Processes.Ended r = processes.client(swarm(), "--list", "--json");
        assertEquals(0, r.status(), r.stderr());
        assertTrue(r.out().startsWith("{\n  \"streams\": [\n") && r.out().endsWith("\n  ]\n}\n"), r.out());
        Matcher clip = Pattern.compile("\\{\"name\": \"clip.bin\", \"contentId\": \"[0-9a-f]{64}\", \"live\": false,"
                + " \"size\": 1572864, \"chunkSize\": 262144, \"peers\": 1, \"completePeers\": 1, \"private\": false}")
                .matcher(r.out());
        assertTrue(clip.find(), r.out());
        assertTrue(r.out().contains("{\"name\": \"" + LONG_NAME + "\", "), r.out());

        Processes.Ended misplaced = processes.client("127.0.0.1:1", "a.bin", "--json");
        assertEquals(2, misplaced.status(), misplaced.stderr());
        assertTrue(misplaced.stderr().contains("--json: without --list (expected: --list --json"), misplaced.stderr());
    }
}
