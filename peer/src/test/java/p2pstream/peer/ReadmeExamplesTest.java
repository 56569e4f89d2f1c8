package p2pstream.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import p2pstream.peer.server.PeerServer;

/**
 * The README's "Using it" commands run together as written: issue 9 found its live example starting a publisher on
 * the port its earlier peer-server already had (2050), so the second failed with "Address already in use".
 */
class ReadmeExamplesTest {
    private static final Pattern PORT = Pattern.compile("--port (\\d+)");

    /** The first code block after "## Using it". */
    private static List<String> usingIt() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("p2pstream.scripts", "../scripts"))
                .resolve("../README.md"));
        int section = readme.indexOf("## Using it");
        assertTrue(section >= 0, "README: no \"## Using it\"");
        int open = readme.indexOf("```\n", section) + 4;
        return List.of(readme.substring(open, readme.indexOf("```", open)).split("\n"));
    }

    @Test
    void everyPeerServerInTheExamplesHasAPortOfItsOwn() throws Exception {
        Map<Integer, String> byPort = new HashMap<>();
        List<String> servers = new ArrayList<>();
        for (String line : usingIt()) {
            String command = line.replaceAll("\\s+#.*", ""); // the comment is not the command
            if (!command.contains("peer-server.jar")) {
                continue;
            }
            servers.add(command);
            Matcher m = PORT.matcher(command.substring(command.indexOf("peer-server.jar")));
            int port = m.find() ? Integer.parseInt(m.group(1)) : PeerServer.DEFAULT_PORT;
            String earlier = byPort.putIfAbsent(port, command);
            assertEquals(null, earlier, "port " + port + " twice:\n  " + earlier + "\n  " + command);
        }
        assertTrue(servers.size() >= 2, "the examples start a file server and a live publisher: " + servers);
    }
}
