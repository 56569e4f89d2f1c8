package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static p2pstream.common.net.Await.await;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import p2pstream.common.net.EventLoopGroup;

/** The server tells its listener every response's status: the handlers' and its own refusals alike. */
class ResponseCountTest extends HttpFixture {

    @Test
    void everyResponseStatusIsToldHandlersAndRefusalsAlike() throws Exception {
        Files.writeString(dir.resolve("clip.webm"), "0123456789");
        List<Integer> told = new CopyOnWriteArrayList<>();
        group = new EventLoopGroup("http", 2);
        server = HttpServer.open(group, LOOPBACK, DemoRoutes.router(dir), HttpLimits.DEFAULTS, told::add);
        try (RawHttpClient c = connect()) {
            assertEquals(200, c.get("/hello").status());
            assertEquals(404, c.get("/nowhere").status());
            c.send("POST / HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(405, c.read(false).status());
        }
        await("three statuses told", () -> told.size() == 3);
        assertEquals(List.of(200, 404, 405), told);
    }
}
