package p2pstream.peer.swarm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which addresses count as on this host's LANs, on prefixes the test gives. */
class LocalNetworksTest {
    private static final LocalNetworks HOME = new LocalNetworks(List.of(LocalNetworks.Prefix.parse("10.77.1.5/24"),
            LocalNetworks.Prefix.parse("192.168.8.200/21"), LocalNetworks.Prefix.parse("fd12:3456::1/64")));

    @Test
    void addressesInsideAnInterfacesPrefixAreLocal() throws Exception {
        assertTrue(local("10.77.1.2"));
        assertTrue(local("10.77.1.254"));
        assertFalse(local("10.77.2.2"), "another /24 of the same private range");
        assertTrue(local("192.168.15.1"), "a /21: 192.168.8.0 to 192.168.15.255");
        assertFalse(local("192.168.16.1"));
        assertFalse(local("192.168.7.255"));
        assertTrue(local("fd12:3456::99"));
        assertFalse(local("fd12:3457::1"));
        assertFalse(local("198.18.0.3"), "a public address");
    }

    @Test
    void loopbackAndLinkLocalAreAlwaysLocalAndNothingElseWithoutPrefixes() throws Exception {
        for (String a : List.of("127.0.0.1", "::1", "169.254.3.4", "fe80::1")) {
            assertTrue(LocalNetworks.NONE.isLocal(InetAddress.getByName(a)), a);
        }
        assertFalse(LocalNetworks.NONE.isLocal(InetAddress.getByName("10.0.0.1")));
        assertFalse(LocalNetworks.NONE.isLocal(null));
    }

    @Test
    void anIpv4AddressNeverMatchesAnIpv6PrefixAndTheOtherWayRound() throws Exception {
        LocalNetworks everything = new LocalNetworks(List.of(LocalNetworks.Prefix.parse("::/0")));
        assertFalse(everything.isLocal(InetAddress.getByName("10.0.0.1")));
        assertTrue(everything.isLocal(InetAddress.getByName("2001:db8::1")));
    }

    @Test
    void aPrefixIsCheckedWhenMade() {
        assertThrows(IllegalArgumentException.class, () -> LocalNetworks.Prefix.parse("10.0.0.1/33"));
        assertThrows(IllegalArgumentException.class, () -> LocalNetworks.Prefix.parse("10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new LocalNetworks.Prefix(new byte[5], 8));
    }

    private static boolean local(String address) throws Exception {
        return HOME.isLocal(InetAddress.getByName(address));
    }
}
