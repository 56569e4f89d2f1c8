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
}
