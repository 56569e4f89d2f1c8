package p2pstream.peer.swarm;

import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which peer addresses are on this host's LANs, for "local traffic first" (PROTOCOL.md section 12): loopback and
 * link-local addresses, and any address inside the on-link prefix of one of this host's interfaces (10.77.1.0/24
 * for an interface 10.77.1.5/24). A private address elsewhere (10.x behind a VPN, a carrier's NAT) is not local:
 * only the prefixes the host is attached to count. Thread-safe (immutable).
 */
public final class LocalNetworks {
    /** None but loopback and link-local: what tests and hosts without interfaces use. */
    public static final LocalNetworks NONE = new LocalNetworks(List.of());

    /** One on-link prefix: the network's address bytes and how many leading bits are the network. */
    public record Prefix(byte[] network, int bits) {
        public Prefix {
            network = network.clone();
            if (network.length != 4 && network.length != 16 || bits < 0 || bits > network.length * 8) {
                throw new IllegalArgumentException("prefix: " + network.length + " bytes, /" + bits
                        + " (expected: 4 or 16 bytes, 0..32 or 0..128 bits)");
            }
        }

        @Override
        public byte[] network() {
            return network.clone();
        }

        /** {@code a.b.c.d/n} or {@code v6/n}. */
        public static Prefix parse(String text) {
            int slash = text.indexOf('/');
            try {
                return new Prefix(InetAddress.getByName(text.substring(0, slash)).getAddress(),
                        Integer.parseInt(text.substring(slash + 1)));
            } catch (UnknownHostException | RuntimeException e) {
                throw new IllegalArgumentException("prefix: " + text + " (expected: ADDRESS/BITS)", e);
            }
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Prefix> prefixes;

    public LocalNetworks(List<Prefix> prefixes) {
        this.prefixes = List.copyOf(prefixes);
    }

    /**
     * The prefixes of this host's interfaces that are up, read now; {@link #NONE} when they cannot be read. Any
     * thread (it asks the operating system: call it once per stream, not per decision).
     */
    public static LocalNetworks ofThisHost() {
        List<Prefix> found = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InterfaceAddress a : ni.getInterfaceAddresses()) {
                    int bits = a.getNetworkPrefixLength();
                    // a /32 or /128 (a point-to-point tunnel's) has no neighbours
                    if (bits > 0 && bits < a.getAddress().getAddress().length * 8) {
                        found.add(new Prefix(a.getAddress().getAddress(), bits));
                    }
                }
            }
        } catch (SocketException e) {
            return NONE;
        }
        return new LocalNetworks(found);
    }

    /** Whether {@code address} is on this host or one of its LANs. */
    public boolean isLocal(InetAddress address) {
        if (address == null) {
            return false;
        }
        if (address.isLoopbackAddress() || address.isLinkLocalAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        for (Prefix p : prefixes) {
            if (p.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        List<String> texts = new ArrayList<>();
        for (Prefix p : prefixes) {
            try {
                texts.add(InetAddress.getByAddress(p.network()).getHostAddress() + "/" + p.bits());
            } catch (UnknownHostException e) {
                texts.add("?");
            }
        }
        return "LocalNetworks" + texts;
    }
}
