package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.metrics.Scrape;
import p2pstream.common.tools.Tools;

/**
 * Issue 13: {@code tracker --http} and {@code peer-server --http} as a user starts them: each prints where its pages
 * are ({@code http listening on http://HOST:PORT/}, after its own address), and curl fetches {@code /metrics}, whose
 * figures show a download that went through both.
 */
class MetricsE2ETest {
    private static final Pattern HTTP_LINE = Pattern.compile("^http listening on (http://127\\.0\\.0\\.1:(\\d+)/)$");
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private final Processes processes = new Processes();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    /** The port of a server's "... listening on" line and the URL of its "http listening on" line, in that order. */
    private record Started(int port, String http) {
    }

    private Started start(String jar, String... args) throws IOException {
        Process p = processes.start(jar, args);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        int port = -1;
        for (String line; (line = out.readLine()) != null; ) {
            lines.add(line);
            Matcher http = HTTP_LINE.matcher(line);
            Matcher listening = LISTENING.matcher(line);
            if (http.matches()) {
                assertTrue(port > 0, "the server's own address comes first: " + lines);
                return new Started(port, http.group(1));
            } else if (port < 0 && listening.find()) {
                port = Integer.parseInt(listening.group(1));
            }
        }
        throw new IOException(jar + " ended without printing where it serves http: " + lines + "\n"
                + Processes.stderr(p));
    }

    private String curl(String url) throws IOException, InterruptedException {
        Path headers = dir.resolve("headers.txt");
        Process p = new ProcessBuilder("curl", "-sS", "--max-time", "20", "-D", headers.toString(), url)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String body = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl did not finish");
        assertEquals(0, p.exitValue(), "curl " + url);
        String head = Files.readString(headers);
        assertTrue(head.startsWith("HTTP/1.1 200 "), head);
        assertTrue(head.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), head);
        return body;
    }

    @Test
    @Timeout(120)
    void bothServersPrintTheirHttpAddressAndCurlScrapesADownloadsFigures() throws Exception {
        Tools.ensure(dir, "curl:curl");
        Path media = dir.resolve("media");
        int bytes = 3 * 256 * 1024 + 1000;
        Processes.randomFile(media, "clip.bin", bytes, 7);
        Started tracker = start("tracker.jar", "127.0.0.1", "--port", "0", "--http", "127.0.0.1:0");
        String trackerAddress = "127.0.0.1:" + tracker.port();
        Started server = start("peer-server.jar", "127.0.0.1", "--port", "0", "--tracker", trackerAddress, "--dir",
                media.toString(), "--http", "0");
        processes.awaitListed(trackerAddress, "clip.bin");
        Processes.Ended download = processes.client(trackerAddress, "clip.bin", "-o", dir.resolve("out.bin")
                .toString());
        assertEquals(0, download.status(), download.stderr());

        String t = curl(tracker.http() + "metrics");
        assertEquals(1, Scrape.value(t, "p2pstream_tracker_streams"));
        assertTrue(Scrape.value(t, "p2pstream_tracker_lookups_total") >= 1, t);
        assertTrue(Scrape.value(t, "p2pstream_tracker_sessions_opened_total") >= 3, "server, lister, viewer: " + t);
        String s = curl(server.http() + "metrics");
        assertEquals(1, Scrape.value(s, "p2pstream_peer_server_ready"));
        assertEquals(4, Scrape.value(s, "p2pstream_peer_server_chunks_served_total"), "every chunk, once: " + s);
        assertTrue(Scrape.value(s, "p2pstream_peer_server_sent_bytes_total") > bytes, s);
        assertTrue(Scrape.body(tracker.http()).contains("clip.bin"), "the dashboard lists the stream");
        assertTrue(Scrape.body(server.http()).contains("clip.bin"), "the server's page lists its file");
    }
}
