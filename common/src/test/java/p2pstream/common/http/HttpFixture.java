package p2pstream.common.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import p2pstream.common.net.EventLoopGroup;

/** A test's HTTP server on two loops and a loopback port; closed after each test. */
@Timeout(60)
abstract class HttpFixture {
    static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    EventLoopGroup group;
    HttpServer server;

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
