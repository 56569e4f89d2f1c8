package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.net.EventLoopGroup;

/** A test's HTTP server on two loops and a loopback port, and its files; closed after each test. */
@Timeout(60)
abstract class HttpFixture {
    static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @TempDir
    Path dir;
    EventLoopGroup group;
    HttpServer server;

    /** The {@link DemoRoutes} over {@link #dir}, which holds clip.webm, ten bytes "0123456789". */
    HttpServer startDemo() throws IOException {
        Files.writeString(dir.resolve("clip.webm"), "0123456789");
        return start(DemoRoutes.router(dir));
    }

    static void assertStandardHeaders(RawHttpClient.Response r) {
        assertEquals("nosniff", r.header("X-Content-Type-Options"), "every response says nosniff");
        assertEquals("p2pstream", r.header("Server"));
    }

    HttpServer start(HttpHandler handler) throws IOException {
        return start(handler, HttpLimits.DEFAULTS);
    }

    HttpServer start(HttpHandler handler, HttpLimits limits) throws IOException {
        return start(LOOPBACK, handler, limits);
    }

    HttpServer start(InetSocketAddress bind, HttpHandler handler, HttpLimits limits) throws IOException {
        if (group == null) {
            group = new EventLoopGroup("http", 2);
        }
        server = HttpServer.open(group, bind, handler, limits);
        return server;
    }

    RawHttpClient connect() throws IOException {
        return RawHttpClient.connect(server.localAddress());
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
        if (group != null) {
            group.close();
        }
    }
}
