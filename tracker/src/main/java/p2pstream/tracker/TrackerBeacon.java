package p2pstream.tracker;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.DatagramEndpoint;
import p2pstream.common.net.DatagramHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Beacon;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * The tracker's side of the LAN beacon (PROTOCOL.md section 12): a UDP socket on the tracker's registry loop, joined to
 * {@link Beacon#GROUP} on the LAN interfaces chosen, that answers each well-formed query with where the tracker listens
 * and its id, within {@link BeaconLimit}; anything else is dropped without an answer. {@link #open} and {@link #close}
 * from any thread; the rest runs on the loop.
 */
final class TrackerBeacon implements DatagramHandler {
    private static final Logger log = LoggerFactory.getLogger(TrackerBeacon.class);
    /** Datagrams taken at most: a query is {@link Beacon#QUERY_BYTES}; anything larger is no query. */
    private static final int MAX_DATAGRAM_BYTES = Beacon.QUERY_BYTES;

    /**
     * Where the beacon listens: {@code bind} (the wildcard and {@link Beacon#PORT} on a LAN; a loopback address and
     * port 0 in tests, which send their queries there by unicast) and the interfaces it joins the group on (none:
     * unicast only).
     */
    record Settings(InetSocketAddress bind, List<NetworkInterface> interfaces) {
        Settings {
            interfaces = List.copyOf(interfaces);
        }
    }

    private final EventLoop loop;
    private final PeerId trackerId;
    private final InetAddress advertised;
    private final int port;
    private final BeaconLimit limit = new BeaconLimit();
    private DatagramEndpoint endpoint;
    private long answered;
    private long malformed;

    private TrackerBeacon(EventLoop loop, PeerId trackerId, InetAddress advertised, int port) {
        this.loop = loop;
        this.trackerId = trackerId;
        this.advertised = advertised;
        this.port = port;
    }

    /**
     * Starts answering for the tracker listening on {@code tracker} with id {@code trackerId}: its address in the
     * answers, or none (the answer's source) when it listens on every address.
     */
    static TrackerBeacon open(EventLoop loop, Settings settings, InetSocketAddress tracker, PeerId trackerId)
            throws IOException {
        InetAddress advertised = tracker.getAddress().isAnyLocalAddress() ? null : tracker.getAddress();
        TrackerBeacon beacon = new TrackerBeacon(loop, trackerId, advertised, tracker.getPort());
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            // several listeners on one host (a tracker and a test, two trackers on two addresses) all get the group
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(settings.bind());
            InetAddress group = InetAddress.getByName(Beacon.GROUP);
            for (NetworkInterface ni : settings.interfaces()) {
                channel.join(group, ni);
            }
            CompletableFuture<DatagramEndpoint> registered = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    registered.complete(loop.register(channel, MAX_DATAGRAM_BYTES, beacon));
                } catch (IOException | RuntimeException e) {
                    registered.completeExceptionally(e);
                }
            });
            beacon.endpoint = registered.get(10, TimeUnit.SECONDS);
            return beacon;
        } catch (IOException e) {
            channel.close();
            throw new IOException("beacon on " + settings.bind() + ": " + e.getMessage(), e);
        } catch (ExecutionException | TimeoutException e) {
            channel.close();
            throw new IOException("beacon on " + settings.bind() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            channel.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening the beacon", e);
        }
    }

    /** The UDP address the beacon is bound to (the real port when 0 was asked for). */
    InetSocketAddress address() {
        return endpoint.localAddress();
    }

    @Override
    public void onDatagram(ByteBuffer datagram, InetSocketAddress from) {
        Beacon.Query query;
        try {
            query = Beacon.decodeQuery(datagram);
        } catch (ProtocolException e) {
            malformed++;
            log.debug("beacon: {} from {}: dropped", e.getMessage(), from);
            return;
        }
        if (!limit.allow(from.getAddress(), loop.nanoTime())) {
            log.debug("beacon: query from {} over the limit: not answered", from);
            return;
        }
        if (endpoint.send(new Beacon.Answer(query.nonce(), trackerId, advertised, port).encode(), from)) {
            answered++;
            log.debug("beacon: answered {}", from);
        }
    }

    /** Answers sent. Loop thread only. */
    long answered() {
        return answered;
    }

    /** Datagrams dropped as no query: malformed, or longer than one. Loop thread only. */
    long malformed() {
        return malformed + endpoint.oversized();
    }

    /** Queries the limit left unanswered. Loop thread only. */
    long limited() {
        return limit.refused();
    }

    void close() {
        endpoint.close();
    }

    /**
     * The interfaces a tracker bound to {@code bind} answers on: those {@code names} names (each must be up, able to
     * multicast and have an IPv4 address), else the one holding {@code bind}, else (the wildcard) every such
     * interface but loopback. Empty for a tracker on a loopback address: nobody on a LAN could reach it.
     */
    static List<NetworkInterface> interfaces(InetAddress bind, List<String> names) throws SocketException {
        List<NetworkInterface> chosen = new ArrayList<>();
        if (!names.isEmpty()) {
            for (String name : names) {
                NetworkInterface ni = NetworkInterface.getByName(name);
                if (ni == null || !usable(ni)) {
                    throw new IllegalArgumentException("--beacon-interface: " + name + " (expected: an interface"
                            + " that is up, can multicast and has an IPv4 address: " + usableNames() + ")");
                }
                chosen.add(ni);
            }
            return chosen;
        }
        if (bind.isLoopbackAddress()) {
            return chosen;
        }
        if (!bind.isAnyLocalAddress()) {
            NetworkInterface ni = NetworkInterface.getByInetAddress(bind);
            if (ni != null && usable(ni)) {
                chosen.add(ni);
            }
            return chosen;
        }
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isLoopback() && usable(ni)) {
                chosen.add(ni);
            }
        }
        return chosen;
    }

    private static boolean usable(NetworkInterface ni) throws SocketException {
        return ni.isUp() && ni.supportsMulticast()
                && Collections.list(ni.getInetAddresses()).stream().anyMatch(a -> a instanceof Inet4Address);
    }

    private static String usableNames() throws SocketException {
        List<String> names = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isLoopback() && usable(ni)) {
                names.add(ni.getName());
            }
        }
        return names.isEmpty() ? "none here" : String.join(", ", names);
    }
}
