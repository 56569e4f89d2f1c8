package p2pstream.peer.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The watch page's link for another device, from the address bound and the Host a browser sent; its QR code. */
class WatchLinkTest {
    private static final String PATH = "/watch/films/clip.webm";

    @Test
    void aLoopbackGatewaysLinkUsesTheNameTheBrowserUsedAndWorksOnThisMachineOnly() {
        WatchLink l = WatchLink.of(new InetSocketAddress("127.0.0.1", 8080), "localhost:8080", PATH);
        assertEquals("http://localhost:8080" + PATH, l.url());
        assertTrue(l.thisMachineOnly());
        WatchLink hostile = WatchLink.of(new InetSocketAddress("127.0.0.1", 8080), "a\"><script>:80", PATH);
        assertEquals("http://127.0.0.1:8080" + PATH, hostile.url(), "a Host that is no plain name is not used");
    }

    @Test
    void aGatewayOnOneAddressLinksToIt() {
        WatchLink l = WatchLink.of(new InetSocketAddress("192.0.2.7", 8080), "example.org", PATH);
        assertEquals("http://192.0.2.7:8080" + PATH, l.url());
        assertFalse(l.thisMachineOnly());
    }

    @Test
    void aGatewayOnEveryInterfaceLinksToTheNameTheBrowserUsedUnlessItIsLoopback() {
        InetSocketAddress any = new InetSocketAddress("0.0.0.0", 8080);
        WatchLink lan = WatchLink.of(any, "192.168.1.20:8080", PATH);
        assertEquals("http://192.168.1.20:8080" + PATH, lan.url());
        assertFalse(lan.thisMachineOnly());
        // asked by localhost: this machine's private address if it has one, else the page says this machine only
        WatchLink local = WatchLink.of(any, "localhost:8080", PATH);
        assertEquals(local.url().startsWith("http://localhost:"), local.thisMachineOnly(), local.toString());
        assertTrue(local.url().endsWith(":8080" + PATH), local.url());
    }

    @Test
    void theQrCodeIsASquareWithItsThreeFinderPatterns() {
        boolean[][] m = WatchLink.of(new InetSocketAddress("127.0.0.1", 8080), null, PATH).qrModules();
        int n = m.length;
        assertTrue(n >= 21 && (n - 17) % 4 == 0, "a QR code is 17 + 4 * version modules wide: " + n);
        for (int[] corner : new int[][] {{0, 0}, {n - 7, 0}, {0, n - 7}}) {
            for (int i = 0; i < 7; i++) {
                assertTrue(m[corner[1]][corner[0] + i] && m[corner[1] + 6][corner[0] + i]
                        && m[corner[1] + i][corner[0]] && m[corner[1] + i][corner[0] + 6], "finder ring");
            }
            assertFalse(m[corner[1] + 1][corner[0] + 1], "finder pattern's light ring");
            assertTrue(m[corner[1] + 3][corner[0] + 3], "finder pattern's dark centre");
        }
    }
}
