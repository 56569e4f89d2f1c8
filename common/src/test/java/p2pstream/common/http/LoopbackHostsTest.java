package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The Host names a loopback server answers, against DNS rebinding. */
class LoopbackHostsTest {

    @Test
    void loopbackNamesWithOrWithoutAPort() {
        for (String host : new String[] {"localhost", "LocalHost", "localhost:8080", "127.0.0.1", "127.0.0.1:1",
                "[::1]", "[::1]:65535", null}) {
            assertTrue(LoopbackHosts.accepts(host), host);
        }
    }

    @Test
    void everyOtherNameIsRefused() {
        for (String host : new String[] {"", "evil.example", "evil.example:80", "localhost.evil.example",
                "evil.localhost", "127.0.0.2", "127.1", "0.0.0.0", "[::1", "::1", "[::2]", "localhost:", "localhost:x",
                "localhost:123456", "localhost:80:80", "[::1]:", "localhost.", "127.0.0.1.nip.io"}) {
            assertFalse(LoopbackHosts.accepts(host), host);
        }
    }
}
