package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import p2pstream.common.data.BufferData;
import p2pstream.common.tools.Tools;

/**
 * The server against a real client, curl (installed with scripts/ensure-tools.sh where missing; skipped, saying
 * why, only where it cannot be): keep-alive, HEAD, ranges, a large sendfile body, chunks, HTTP/1.0, refusals.
 */
class CurlTest extends HttpFixture {
    private static final List<String> PIECES = List.of("one ", "two ", "three");

    private String base;

    @BeforeEach
    void startWithCurl() throws Exception {
        Tools.ensure(dir, "curl:curl");
        Files.writeString(dir.resolve("clip.webm"), "0123456789");
        Router router = DemoRoutes.router(dir).exact("/pieces", ex -> {
            ex.respond(200, new HttpHeaders().add("Content-Type", "text/plain"), -1);
            for (int i = 0; i < PIECES.size(); i++) {
                String piece = PIECES.get(i);
                boolean last = i == PIECES.size() - 1;
                ex.loop().schedule(10L * (i + 1), () -> {
                    ex.send(BufferData.of(ByteBuffer.wrap(piece.getBytes(StandardCharsets.US_ASCII))));
                    if (last) {
                        ex.end();
                    }
                });
            }
        });
        start(router);
        base = "http://127.0.0.1:" + server.localAddress().getPort();
    }

    /** Runs curl with {@code args}, returns its standard output (raw bytes); fails unless it exits 0. */
    private byte[] curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        Path err = dir.resolve("curl.err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl did not finish");
        assertEquals(0, p.exitValue(), () -> cmd + ": " + read(err));
        return out;
    }

    private String curlText(String... args) throws IOException, InterruptedException {
        return new String(curl(args), StandardCharsets.UTF_8);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void curlReusesTheKeptAliveConnectionForSeveralUrls() throws Exception {
        String out = curlText("-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-w",
                "%{http_code} %{num_connects}\\n", base + "/hello", base + "/files/clip.webm", base + "/nowhere");
        assertEquals("200 1\n200 0\n404 0\n", out, "one connection, then reused");
    }

    @Test
    void curlHeadShowsTheHeadersOfGet() throws Exception {
        String out = curlText("-I", base + "/files/clip.webm");
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
        assertTrue(out.contains("Content-Length: 10\r\n"), out);
        assertTrue(out.contains("Content-Type: video/webm\r\n"), out);
        assertTrue(out.contains("X-Content-Type-Options: nosniff\r\n"), out);
        assertTrue(out.contains("Accept-Ranges: bytes\r\n"), out);
    }

    @Test
    void curlRangesGetExactlyTheBytesAskedFor() throws Exception {
        assertEquals("01 206", curlText("-r", "0-1", "-w", " %{http_code}", base + "/files/clip.webm"));
        assertEquals("789 206", curlText("-r", "-3", "-w", " %{http_code}", base + "/files/clip.webm"));
        assertEquals("416", curlText("-r", "10-", "-o", "/dev/null", "-w", "%{http_code}", base + "/files/clip.webm"));
    }

    @Test
    void curlDownloadsALargeFileBodyByteForByte() throws Exception {
        byte[] content = new byte[32 * 1024 * 1024 + 7];
        new Random(7).nextBytes(content);
        Files.write(dir.resolve("big.bin"), content);
        Path got = dir.resolve("got.bin");
        curl("-o", got.toString(), base + "/files/big.bin");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertArrayEquals(sha.digest(content), sha.digest(Files.readAllBytes(got)), "SHA-256 of the download");
    }

    @Test
    void curlTakesAChunkedBody() throws Exception {
        String out = curlText("-D", "-", base + "/pieces");
        assertTrue(out.contains("Transfer-Encoding: chunked\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\none two three"), out);
        assertEquals("4\r\none \r\n4\r\ntwo \r\n5\r\nthree\r\n0\r\n\r\n", curlText("--raw", base + "/pieces"));
    }

    @Test
    void curlOverHttp10GetsTheBodyAndAClose() throws Exception {
        String out = curlText("-0", "-D", "-", base + "/hello");
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
        assertTrue(out.contains("Connection: close\r\n"), out);
        assertTrue(out.endsWith(DemoRoutes.HELLO), out);
    }

    @Test
    void curlIsRefusedEscapesForeignHostsAndOtherMethods() throws Exception {
        for (String path : List.of("/files/../x", "/files/%2e%2e/x", "/files/a%2fb")) {
            assertEquals("400", curlText("--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", base + path), path);
        }
        assertEquals("403", curlText("-H", "Host: evil.example", "-o", "/dev/null", "-w", "%{http_code}",
                base + "/hello"));
        assertEquals("405 GET, HEAD", curlText("-X", "DELETE", "-o", "/dev/null", "-w", "%{http_code} %header{allow}",
                base + "/hello"));
    }
}
