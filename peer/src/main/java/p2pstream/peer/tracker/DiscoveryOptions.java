package p2pstream.peer.tracker;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import p2pstream.common.cli.Endpoint;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Beacon;
import p2pstream.common.wire.PeerId;
import picocli.CommandLine.Option;

/**
 * {@code --discover} and {@code --beacon-to} of peer-client and peer-server as a picocli mixin: finding the tracker on
 * the LAN by its beacon, and naming it {@code HOST:PORT#ID} so that the handshake demands the id the beacon gave.
 * Main thread only.
 */
public final class DiscoveryOptions {
    @Option(names = "--discover", description = "find the tracker on the LAN: ask the trackers' beacon (UDP "
            + Beacon.GROUP + ":" + Beacon.PORT + ") for 1 s, once more if none answered, print those that answer,"
            + " and use the one that did (--tracker-id ID picks one of several), pinned to the id it gave")
    boolean discover;

    @Option(names = "--beacon-to", paramLabel = "HOST[:PORT]", description = "with --discover (peer-client: or no"
            + " TRACKER): send the query here instead of to the LAN's group, e.g. a broadcast address such as"
            + " 192.168.1.255 where multicast is filtered; repeatable (default port " + Beacon.PORT + ")")
    List<String> beaconTo = new ArrayList<>();

    /** Whether the tracker is to be found on the LAN. */
    public boolean discover() {
        return discover;
    }

    /**
     * The --beacon-to addresses; a usage error when given without discovering ({@code discovering}: --discover, or a
     * command that finds its tracker on the LAN when none is named).
     */
    public List<InetSocketAddress> targets(boolean discovering) {
        if (!beaconTo.isEmpty() && !discovering) {
            throw new IllegalArgumentException("--beacon-to: without --discover (expected: --discover --beacon-to"
                    + " HOST)");
        }
        List<InetSocketAddress> targets = new ArrayList<>();
        for (String t : beaconTo) {
            try {
                targets.add(Endpoint.parse(t, Beacon.PORT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--beacon-to: " + e.getMessage(), e);
            }
        }
        return targets;
    }

    /**
     * Finds the tracker on the LAN, prints each that answered on {@code err}, and returns the one to use as
     * {@code HOST:PORT#ID}: the one whose id is {@code trackerId} when given (a peer id's text), else the only one.
     */
    public String tracker(String trackerId, PrintStream err)
            throws TrackerDiscovery.NotChosen, IOException, InterruptedException {
        PeerId wanted = trackerId == null ? null : parseId(trackerId);
        List<TrackerDiscovery.Found> found;
        try (EventLoop loop = new EventLoop("discovery").start()) {
            found = TrackerDiscovery.find(loop, targets(true));
        }
        for (TrackerDiscovery.Found f : found) {
            err.println("tracker on the LAN: " + f.text());
        }
        String chosen = TrackerDiscovery.choose(found, wanted).text();
        err.println("using tracker " + chosen);
        err.flush();
        return chosen;
    }

    private static PeerId parseId(String text) {
        try {
            return PeerId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tracker-id: " + e.getMessage(), e);
        }
    }
}
