package p2pstream.peer.tracker;

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
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.DatagramEndpoint;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Beacon;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * Finds trackers on the LAN (PROTOCOL.md section 12): sends a beacon query to the group on every interface that can
 * multicast (or to the addresses given), collects the answers that carry its nonce for {@link #ROUND_MILLIS}, and asks
 * once more when none came. The socket lives on the caller's {@link EventLoop} for that time. {@link #find} from any
 * thread but the loop's; {@link #choose} is pure.
 */
public final class TrackerDiscovery {
    private static final Logger log = LoggerFactory.getLogger(TrackerDiscovery.class);
    /** How long each round of the query waits for answers. */
    public static final long ROUND_MILLIS = 1_000;
    /** Rounds at most: the second only when the first found nothing (a lost datagram). */
    public static final int ROUNDS = 2;
    /** Trackers remembered from the answers at most: the rest of a flood of answers is dropped. */
    static final int MAX_FOUND = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A tracker that answered: where it listens, and the id its handshake must prove. */
    public record Found(InetSocketAddress address, PeerId id) {
        /** {@code HOST:PORT#ID}: how a tracker is named pinned on a command line. */
        public String text() {
            return Acceptor.hostPort(address) + "#" + id.text();
        }
    }

    /** Why no one tracker was chosen: none answered, not the one named, or several and none named. */
    public static final class NotChosen extends Exception {
        private static final long serialVersionUID = 1L;

        NotChosen(String message) {
            super(message, null, false, false);
        }
    }

    private final EventLoop loop;
    private final List<InetSocketAddress> targets;
    private final long nonce = RANDOM.nextLong();
    private final Map<PeerId, Found> found = new LinkedHashMap<>();
    private final CompletableFuture<List<Found>> done = new CompletableFuture<>();
    private DatagramEndpoint endpoint;
    private int round;

    private TrackerDiscovery(EventLoop loop, List<InetSocketAddress> targets) {
        this.loop = loop;
        this.targets = targets;
    }

    /**
     * The trackers that answered, in the order they did, one entry per id. {@code targets}: where to send the query
     * by unicast or broadcast; empty for the beacon's group on every interface that can multicast.
     */
    public static List<Found> find(EventLoop loop, List<InetSocketAddress> targets)
            throws IOException, InterruptedException {
        TrackerDiscovery d = new TrackerDiscovery(loop, List.copyOf(targets));
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_BROADCAST, true); // --beacon-to a LAN's broadcast address
            channel.bind(new InetSocketAddress(0));
            loop.execute(() -> d.start(channel));
            return d.done.get(ROUND_MILLIS * ROUNDS + 10_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("discovery: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("discovery: no result (the event loop is stuck)", e);
        } finally {
            loop.execute(() -> {
                if (d.endpoint != null) {
                    d.endpoint.close();
                }
            });
            channel.close();
        }
    }

    private void start(DatagramChannel channel) {
        try {
            endpoint = loop.register(channel, Beacon.MAX_ANSWER_BYTES, (datagram, from) -> onAnswer(datagram, from));
            ask();
        } catch (IOException | RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    /** One round: the query out on every way asked for, then a wait. */
    private void ask() {
        round++;
        ByteBuffer query = new Beacon.Query(nonce).encode();
        int sent = 0;
        try {
            endpoint.channel().setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1); // never past a router
            if (targets.isEmpty()) {
                InetSocketAddress group = new InetSocketAddress(InetAddress.getByName(Beacon.GROUP), Beacon.PORT);
                for (NetworkInterface ni : multicastInterfaces()) {
                    sent += sendOn(ni, query, group);
                }
            }
        } catch (IOException e) {
            log.debug("discovery: {}", e.toString());
        }
        for (InetSocketAddress to : targets) {
            sent += endpoint.send(query.duplicate(), to) ? 1 : 0;
        }
        log.debug("discovery: round {}: query sent {} times", round, sent);
        loop.schedule(ROUND_MILLIS, () -> {
            if (found.isEmpty() && round < ROUNDS) {
                ask();
            } else {
                done.complete(List.copyOf(found.values()));
            }
        });
    }

    /**
     * Sends the query out of {@code ni}: each interface in turn, as a host's default route may lead elsewhere than
     * its LANs (a VPN). One that fails does not keep the query from the others. Returns 1 when sent.
     */
    private int sendOn(NetworkInterface ni, ByteBuffer query, InetSocketAddress group) {
        try {
            endpoint.channel().setOption(StandardSocketOptions.IP_MULTICAST_IF, ni);
        } catch (IOException e) {
            log.debug("discovery: not on {}: {}", ni.getName(), e.toString());
            return 0;
        }
        return endpoint.send(query.duplicate(), group) ? 1 : 0;
    }

    private void onAnswer(ByteBuffer datagram, InetSocketAddress from) {
        Beacon.Answer answer;
        try {
            answer = Beacon.decodeAnswer(datagram);
        } catch (ProtocolException e) {
            log.debug("discovery: {} from {}: dropped", e.getMessage(), from);
            return;
        }
        if (answer.nonce() != nonce || found.size() >= MAX_FOUND) {
            return; // an answer to someone else's query, or a flood
        }
        found.putIfAbsent(answer.trackerId(), new Found(answer.tracker(from), answer.trackerId()));
    }

    /**
     * The tracker to use: the one with id {@code wanted} when given, else the only one found.
     *
     * @throws NotChosen none answered, the one wanted did not, or several did and none was named
     */
    public static Found choose(List<Found> found, PeerId wanted) throws NotChosen {
        if (found.isEmpty()) {
            throw new NotChosen("no tracker answered on the LAN (UDP " + Beacon.GROUP + ":" + Beacon.PORT + ", "
                    + ROUNDS + " queries in " + ROUNDS * ROUND_MILLIS / 1000 + " s) (expected: a tracker on this"
                    + " LAN with its beacon on, or the tracker named: HOST[:PORT][#ID])");
        }
        if (wanted != null) {
            for (Found f : found) {
                if (f.id().equals(wanted)) {
                    return f;
                }
            }
            throw new NotChosen("no tracker with id " + wanted.text() + " answered on the LAN (expected: it, among "
                    + names(found) + ")");
        }
        if (found.size() > 1) {
            throw new NotChosen("several trackers answered on the LAN: " + names(found) + " (expected: one; choose"
                    + " with --tracker-id ID)");
        }
        return found.get(0);
    }

    private static String names(List<Found> found) {
        List<String> names = new ArrayList<>();
        found.forEach(f -> names.add(f.text()));
        return String.join(", ", names);
    }

    /** Interfaces a query can go out on: up, not loopback, able to multicast, with an IPv4 address. */
    static List<NetworkInterface> multicastInterfaces() throws SocketException {
        List<NetworkInterface> all = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (ni.isUp() && !ni.isLoopback() && ni.supportsMulticast()
                    && Collections.list(ni.getInetAddresses()).stream().anyMatch(a -> a instanceof Inet4Address)) {
                all.add(ni);
            }
        }
        return all;
    }
}
