package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access changed while the built peer-server runs, with separate identities: an id written into {@code --allow-file}
 * lists and fetches the file identical; taken off, it no longer lists it and a fetch straight from the server is
 * refused (status 7); a folder's {@code .p2paccess} lets its id read that folder only. A bad allow file line stops the
 * start with status 2, naming the line.
 */
class AccessFileE2ETest {
    private static final Pattern PRIVATE_LINE =
            Pattern.compile("^private (\\S+): .*peer-client - ([0-9a-f]{64}) --peer (\\S+)\\)$");
    private static final Pattern LISTENING = Pattern.compile("listening on \\S+?:(\\d+)");

    @TempDir
    Path dir;

    private String id(Processes processes, String key) throws Exception {
        Processes.Ended who = processes.runToEnd(Processes.java("peer-client.jar", "--whoami", "--identity", key));
        assertEquals(0, who.status(), who.stderr());
        return who.out().strip();
    }

    private static String list(Processes processes, String tracker, String key) {
        try {
            Processes.Ended e = processes.client(tracker, "--list", "--identity", key);
            assertEquals(0, e.status(), e.stderr());
            return e.out();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Timeout(180)
    void anAllowedIdFetchesOnceAddedIsRefusedOnceRemovedAndAFolderFileLetsItsIdReadThatFolderOnly() throws Exception {
        try (Processes processes = new Processes()) {
            String reader = dir.resolve("reader.key").toString();
            String folder = dir.resolve("folder.key").toString();
            String readerId = id(processes, reader);
            String folderId = id(processes, folder);
            byte[] top = Processes.randomFile(dir.resolve("share"), "top.bin", 2 << 20, 81);
            byte[] inA = Processes.randomFile(dir.resolve("share/a"), "x.bin", 1 << 20, 82);
            Files.writeString(dir.resolve("share/a/.p2paccess"), "# folder a: one friend\nallow " + folderId + "\n");
            Path allow = Files.writeString(dir.resolve("allow.txt"), "# nobody yet\n");
            String tracker = "127.0.0.1:" + processes.startTracker();
            Process server = processes.start(Processes.java("peer-server.jar", "127.0.0.1", "--port", "0",
                    "--tracker", tracker, "--dir", dir.resolve("share").toString(), "--private", "--allow-file",
                    allow.toString(), "--identity", dir.resolve("owner.key").toString())
                    .redirectError(dir.resolve("server.log").toFile()));
            Map<String, String> ids = new HashMap<>();
            Map<String, String> pinned = new HashMap<>();
            String serverAddress = "127.0.0.1:" + readStart(server, ids, pinned);

            assertEquals("no streams\n", list(processes, tracker, reader));
            Files.writeString(allow, "# friends\n" + readerId + "\n");
            await("the reader lists top.bin once added", () -> list(processes, tracker, reader)
                    .contains("top.bin (private)"));
            Path out = dir.resolve("top.out");
            Processes.Ended fetched = processes.client(tracker, "top.bin", "-o", out.toString(), "--identity", reader);
            assertEquals(0, fetched.status(), fetched.stderr());
            assertArrayEquals(top, Files.readAllBytes(out));
            // straight from the server with no tracker, as it printed: its id pinned, so its grant is taken
            String ownerId = id(processes, dir.resolve("owner.key").toString());
            assertEquals(serverAddress + "#" + ownerId, pinned.get("top.bin"));
            Path direct = dir.resolve("direct.out");
            Processes.Ended straight = processes.client("-", ids.get("top.bin"), "--peer", pinned.get("top.bin"), "-o",
                    direct.toString(), "--identity", reader);
            assertEquals(0, straight.status(), straight.stderr());
            assertArrayEquals(top, Files.readAllBytes(direct));
            // pinned to another id (the reader's own), the server is refused: status 6, and why
            Processes.Ended wrongId = processes.client("-", ids.get("top.bin"), "--peer", serverAddress + "#"
                    + readerId, "-o", dir.resolve("wrong.bin").toString(), "--identity", reader);
            assertEquals(6, wrongId.status(), wrongId.stderr());
            assertTrue(wrongId.stderr().contains("proved peer id ") && wrongId.stderr().contains("(expected: "
                    + readerId + ", the id given as --peer " + serverAddress + "#" + readerId + ")"), wrongId.stderr());

            Files.writeString(allow, "# friends\n");
            await("the reader no longer lists top.bin", () -> list(processes, tracker, reader).equals("no streams\n"));
            Processes.Ended refused = processes.client("-", ids.get("top.bin"), "--peer", serverAddress, "-o",
                    dir.resolve("refused.bin").toString(), "--identity", reader);
            assertEquals(7, refused.status(), refused.stderr());
            assertTrue(refused.stderr().contains("may not read it"), refused.stderr());

            String folderList = list(processes, tracker, folder);
            assertTrue(folderList.contains("a/x.bin (private)") && !folderList.contains("top.bin"), folderList);
            Path x = dir.resolve("x.out");
            Processes.Ended inFolder = processes.client(tracker, "a/x.bin", "-o", x.toString(), "--identity", folder);
            assertEquals(0, inFolder.status(), inFolder.stderr());
            assertArrayEquals(inA, Files.readAllBytes(x));
            Processes.Ended outside = processes.client("-", ids.get("top.bin"), "--peer", serverAddress, "-o",
                    dir.resolve("outside.bin").toString(), "--identity", folder);
            assertEquals(7, outside.status(), outside.stderr());
        }
    }

    /**
     * Reads the server's stdout up to its private lines: their content ids, and the --peer they print, by name; returns
     * its port.
     */
    private static int readStart(Process server, Map<String, String> ids, Map<String, String> pinned)
            throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        int port = -1;
        for (String line; ids.size() < 2 && (line = out.readLine()) != null; ) {
            Matcher listening = LISTENING.matcher(line);
            if (port < 0 && listening.find()) {
                port = Integer.parseInt(listening.group(1));
            }
            Matcher m = PRIVATE_LINE.matcher(line);
            if (m.find()) {
                ids.put(m.group(1), m.group(2));
                pinned.put(m.group(1), m.group(3));
            }
        }
        assertTrue(port > 0 && ids.size() == 2, "the server's start: port " + port + ", private lines " + ids);
        return port;
    }

    @Test
    @Timeout(60)
    void aBadLineInTheAllowFileStopsTheStartNamingIt() throws Exception {
        try (Processes processes = new Processes()) {
            Files.createDirectories(dir.resolve("share"));
            Path allow = Files.writeString(dir.resolve("allow.txt"), "# ok\nNot An Id\n");
            Processes.Ended e = processes.runToEnd(Processes.java("peer-server.jar", "127.0.0.1", "--port", "0",
                    "--dir", dir.resolve("share").toString(), "--private", "--allow-file", allow.toString(),
                    "--identity", dir.resolve("owner.key").toString()));
            assertEquals(2, e.status(), e.stderr());
            assertTrue(e.stderr().contains("--allow-file: " + allow + " line 2: 'Not An Id'"), e.stderr());
            assertTrue(Files.notExists(dir.resolve("owner.key")), "a usage error before the identity is made");
        }
    }
}
