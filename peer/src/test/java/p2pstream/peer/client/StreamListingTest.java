package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Streams;

/** {@code --list}: the table people read (human sizes, aligned whatever the names) and the JSON scripts read. */
class StreamListingTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);

    private static Streams.Entry entry(String hex, String name, long size, int peers, int seeds) {
        return new Streams.Entry(ContentId.parse(hex), name, size, 262_144, peers, seeds);
    }

    @Test
    void sizesAreHumanAndColumnsAreAsWideAsTheirWidestCell() {
        String table = StreamListing.table(List.of(
                entry(A, "movie.mp4", 1_572_864_000L, 3, 2),
                entry(B, "a.bin", 512, 1, 1),
                entry(C, "cam", -1, 12, 0)));
        assertEquals(""
                + "NAME           SIZE  PEERS           CONTENT ID\n"
                + "movie.mp4  1.46 GiB  3 (2 complete)  " + A + "\n"
                + "a.bin         512 B  1 (1 complete)  " + B + "\n"
                + "cam            live  12              " + C + "\n", table);
    }

    @Test
    void aLongNameWidensItsColumnInsteadOfPushingOneRowOutOfLine() {
        String longName = "series/season-01/episode-01-the-one-with-a-very-long-title.mkv";
        String table =
                StreamListing.table(List.of(entry(A, longName, 20L * 1024 * 1024, 1, 1), entry(B, "x", 2048, 2, 0)));
        String[] lines = table.split("\n");
        int column = lines[0].indexOf("CONTENT ID");
        assertEquals(longName.length() + 2 + "20.0 MiB".length() + 2 + "1 (1 complete)".length() + 2, column);
        for (int i = 1; i < lines.length; i++) {
            assertEquals(column + 64, lines[i].length(), lines[i]);
        }
        assertEquals("x" + " ".repeat(longName.length() - 1) + "   2.0 KiB  2 (0 complete)  " + B, lines[2]);
    }

    @Test
    void noStreamsSaysSo() {
        assertEquals("no streams\n", StreamListing.table(List.of()));
        assertEquals("{\n  \"streams\": []\n}\n", StreamListing.json(List.of()));
    }

    @Test
    void jsonIsOneDocumentWithStableFieldNamesAndEscapedNames() {
        String json = StreamListing.json(List.of(entry(A, "say \"hi\".mp4", 1000, 3, 2), entry(C, "cam", -1, 1, 0)));
        assertEquals("{\n  \"streams\": [\n"
                + "    {\"name\": \"say \\\"hi\\\".mp4\", \"contentId\": \"" + A + "\", \"live\": false,"
                + " \"size\": 1000, \"chunkSize\": 262144, \"peers\": 3, \"completePeers\": 2, \"private\": false},\n"
                + "    {\"name\": \"cam\", \"contentId\": \"" + C + "\", \"live\": true, \"size\": -1,"
                + " \"chunkSize\": 262144, \"peers\": 1, \"completePeers\": 0, \"private\": false}\n"
                + "  ]\n}\n", json);
    }
}
