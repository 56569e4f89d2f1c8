package p2pstream.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class EndpointTest {

    @Test
    void hostWithAndWithoutPort() {
        assertEquals(new InetSocketAddress("127.0.0.1", 2045), Endpoint.parse("127.0.0.1", 2045));
        assertEquals(new InetSocketAddress("127.0.0.1", 9000), Endpoint.parse("127.0.0.1:9000", 2045));
    }

    @Test
    void ipv6BareAndBracketed() {
        assertEquals(new InetSocketAddress("::1", 2045), Endpoint.parse("::1", 2045));
        assertEquals(new InetSocketAddress("::1", 7), Endpoint.parse("[::1]:7", 2045));
    }

    @Test
    void badPortsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("127.0.0.1:70000", 1));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("127.0.0.1:x", 1));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("[::1", 1));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(":80", 1));
    }

    @Test
    void aListenAddressIsLoopbackUnlessAHostIsGiven() {
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), Endpoint.listen("--http", "8080"));
        assertEquals(new InetSocketAddress("127.0.0.1", 0), Endpoint.listen("--http", "0"));
        assertEquals(new InetSocketAddress("0.0.0.0", 8080), Endpoint.listen("--http", "0.0.0.0:8080"));
        assertEquals(new InetSocketAddress("::1", 9), Endpoint.listen("--http", "[::1]:9"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Endpoint.listen("--http", "localhost"));
        assertEquals("--http: localhost (expected: [HOST:]PORT, e.g. 8080 or 0.0.0.0:8080)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.listen("--http", "70000"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.listen("--http", "[::1]"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.listen("--http", "::1"));
    }
}
