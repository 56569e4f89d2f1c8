package p2pstream.peer.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.peer.client.TestLive;
import p2pstream.peer.swarm.StreamRequest;
import p2pstream.peer.swarm.Timings;
import p2pstream.peer.viewer.Viewer;

/** A live stream through the gateway: an endless body that is the published stream from some chunk on. */
@Timeout(60)
class GatewayLiveTest {
    @TempDir
    Path dir;

    @Test
    void aLiveStreamIsAnEndlessChunkedBodyOfThePublishedStreamFromAChunkOn() throws Exception {
        try (TestLive live = TestLive.start("cam", 200_000, 4_000, 0, 1)) {
            live.awaitChunks(2, 10_000);
            Viewer.Config viewer = new Viewer.Config(live.tracker.address(), true, 0, 0,
                    InetAddress.getLoopbackAddress(), Timings.DEFAULT);
            StreamRequest streams = new StreamRequest("-", List.of(), 8, 64, 10_000, 2_000, null, 0, 0, 2_000, null);
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            Gateway.Config config = new Gateway.Config(viewer, any, streams, dir.resolve("cache"), 1 << 30);
            try (Gateway gateway = Gateway.start(config)) {
                HttpClient http = HttpClient.newBuilder().build();
                URI uri = URI.create("http://127.0.0.1:" + gateway.address().getPort() + "/stream/cam");
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build();
                HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, r.statusCode());
                assertEquals("video/mp2t", r.headers().firstValue("Content-Type").orElse(""));
                assertTrue(r.headers().firstValue("Content-Length").isEmpty(), "an endless body has no length");
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                try (InputStream in = r.body()) {
                    in.transferTo(body); // the body ends when the publisher ends the stream
                }
                live.publisher.ended().get(30, TimeUnit.SECONDS);
                byte[] bytes = body.toByteArray();
                int start = live.startOf(bytes);
                assertTrue(bytes.length > 0 && start >= 0, "the body is the stream from a chunk to its end: "
                        + live.explain(bytes));
            }
        }
    }
}
