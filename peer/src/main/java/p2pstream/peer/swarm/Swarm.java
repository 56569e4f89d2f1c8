package p2pstream.peer.swarm;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.EventLoop;
import p2pstream.common.noise.Handshake;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.peer.tracker.TrackerClient;

/**
 * The peers one stream fetches from: up to K connected at once, refilled from {@link Candidates} (the tracker's
 * answers, the peers the user named, viewers that connect to us), with failed addresses retried after a back-off,
 * liars banned for the stream's life, handshakes that take too long cut short, and the tracker asked again while
 * peers are lacking. The same for file and live streams; what a link does once ready is its stream's business.
 * Loop thread only.
 *
 * @param <P> the stream's kind of link
 */
public final class Swarm<P extends PeerLink> {
    private static final Logger log = LoggerFactory.getLogger(Swarm.class);
    /** Peers asked of the tracker per lookup. */
    public static final int LOOKUP_PEERS = 50;
    /** From asking the tracker to a punched link's first frames: a CONNECT, a DIAL, a SYN sent again after 1 s. */
    static final long PUNCH_MILLIS = 3_000;

    private final EventLoop loop;
    private final TrackerClient tracker;
    /** Asks the tracker for connections to holders it could not dial back; null when it cannot be asked. */
    private final Arrangements arrangements;
    private final StaticKey key;
    private final ContentId contentId;
    private final int maxPeers;
    /** The peers the user named; when there are any, the tracker is not asked for others. */
    private final List<InetSocketAddress> fixed;
    /** The owner's id the user pinned with some of them (--peer HOST:PORT#ID), or null. */
    private final PeerId owner;
    /** Those of them the owner's id is pinned for. */
    private final Set<InetSocketAddress> pinned;
    /** The last pinned peer that proved another id, said as the user reads it; null while none has. */
    private String wrongIdentity;
    private final Timings timings;
    private final Candidates candidates;
    private final List<P> peers = new ArrayList<>();
    private final DirectPaths<P> directPaths = new DirectPaths<>();
    private Function<InetSocketAddress, P> links;
    private Runnable onChanged = () -> { };
    private boolean stopped;

    /**
     * @param tracker      null when none is asked
     * @param arrangements the tracker's help reaching holders behind NATs; null without it
     * @param key          the static key every link proves this viewer's identity with
     * @param request      K, the peers the user named and the owner's id pinned with them
     * @param links        makes the link to an address (not yet connected)
     */
    public Swarm(EventLoop loop, TrackerClient tracker, Arrangements arrangements, StaticKey key, ContentId contentId,
                 StreamRequest request, Timings timings, Function<InetSocketAddress, P> links) {
        this.loop = loop;
        this.tracker = tracker;
        this.arrangements = arrangements;
        this.key = key;
        this.contentId = contentId;
        this.maxPeers = request.maxPeers();
        this.fixed = request.peers();
        this.owner = request.owner();
        this.pinned = request.pinned().keySet();
        this.timings = timings;
        // read once per stream: which addresses are on this host's LANs, tried first
        this.candidates = new Candidates(timings.retryDelayMillis(), LocalNetworks.ofThisHost());
        this.links = links;
        fixed.forEach(candidates::add);
        request.pinned().forEach(candidates::pin); // their handshakes must prove it, as a tracker's names must
    }

    /** The tracker's first answer about the stream: its peers become candidates (unless the user named them). */
    public void onFirstLookup(Peers found) {
        candidates.lookedUp(loop.nanoTime());
        if (fixed.isEmpty()) {
            candidates.addAll(found, contentId);
        }
    }

    /** From now on new links are made by {@code links} (the stream that takes over from its resolution). */
    public void links(Function<InetSocketAddress, P> links) {
        this.links = links;
    }

    /** Runs after peers left or joined: time to ask the links for more. */
    public void onChanged(Runnable r) {
        this.onChanged = r;
    }

    public List<P> peers() {
        return peers;
    }

    public int readyCount() {
        int n = 0;
        for (P p : peers) {
            n += p.isReady() ? 1 : 0;
        }
        return n;
    }

    public ContentId contentId() {
        return contentId;
    }

    /** Connection attempts so far. */
    public long attempts() {
        return candidates.attempts();
    }

    public int bannedCount() {
        return candidates.bannedCount();
    }

    /** Whether the user named peers and every one of them is banned: nothing is left to try. */
    public boolean namedPeersAllBanned() {
        return !fixed.isEmpty() && fixed.stream().allMatch(candidates::isBanned);
    }

    /**
     * Why the stream cannot be fetched, once every peer the user named is banned and one of them proved another id
     * than the one pinned for it (exit status 6); else null.
     */
    public String wrongIdentity() {
        return namedPeersAllBanned() ? wrongIdentity : null;
    }

    /** Never tries {@code address} again for this stream; false when it was banned already. */
    public boolean ban(InetSocketAddress address) {
        return candidates.ban(address);
    }

    /** {@code address} delivered a verified chunk: its next failure starts the back-off afresh. */
    public void delivered(InetSocketAddress address) {
        candidates.delivered(address);
    }

    /** A peer worth fetching from (a viewer that fetches from us, say): tried when there is room. */
    public void offer(InetSocketAddress address) {
        if (fixed.isEmpty() && !stopped) {
            candidates.add(address);
            connectMore();
        }
    }

    /** Opens links until K are connected or no candidate is worth a try now. */
    public void connectMore() {
        long now = loop.nanoTime();
        while (peers.size() < maxPeers && !stopped) {
            InetSocketAddress a = candidates.next(now, this::isConnected);
            if (a == null) {
                return;
            }
            P p = link(a);
            PeerId id = candidates.expectedId(a);
            if (arrangements != null && id != null && !candidates.reachable(a)) {
                arrangements.request(contentId, id, p, false); // behind a NAT: the tracker arranges the connection
            } else {
                p.connect(loop, key, id, candidates.mapped(a) ? PeerLink.Route.MAPPED : PeerLink.Route.DIRECT);
            }
        }
    }

    /**
     * A link closed: forgets it, bans an address that answered in another protocol, backs the address off, and
     * opens others. Its stream has already taken back what the link owed.
     */
    public void onClosed(P peer, PeerLink.Phase was, String reason) {
        peers.remove(peer);
        if (directPaths.onClosed(peer, was, loop.nanoTime())) {
            // a try for a direct path that did not connect, or the relayed link it replaced: the address is fine
            log.info("{} {}: {}", peer, peer.route() == PeerLink.Route.RELAYED ? "left the relay"
                    : "no direct path yet", reason);
            if (!stopped) {
                connectMore();
                onChanged.run();
            }
            return;
        }
        String proved = pinned.contains(peer.address) ? Handshake.provedInstead(reason) : null;
        if (proved != null && candidates.ban(peer.address)) {
            wrongIdentity = "peer " + peer + " proved peer id " + proved + " (expected: " + owner.text()
                    + ", the id given as --peer " + peer + "#" + owner.text() + ")";
            log.warn("{}: not tried again", wrongIdentity);
        }
        if (was == PeerLink.Phase.AWAIT_HELLO && peer.spokeAnotherProtocol(reason) && candidates.ban(peer.address)) {
            log.info("{} does not speak p2pstream ({}): not tried again", peer, reason);
        }
        if (stopped) {
            return;
        }
        log.info("{} {}: {}", peer, was == PeerLink.Phase.READY ? "left" : "not usable", reason);
        if (peer.route() == PeerLink.Route.PUNCHED && was != PeerLink.Phase.READY) {
            candidates.punchFailed(peer.address, loop.nanoTime());
        } else {
            candidates.failed(peer.address, loop.nanoTime());
        }
        if (fixed.contains(peer.address)) {
            // no lookup brings a named peer back: it stays a candidate, tried again after its back-off (a relay
            // named before it listens, a peer that restarts)
            candidates.add(peer.address);
        }
        connectMore();
        onChanged.run();
    }

    /**
     * Periodic upkeep: links that did not become ready in time are closed, and while fewer than K are connected,
     * more are opened and the tracker is asked again (at most every lookup interval).
     */
    public void tick(long now) {
        for (P p : new ArrayList<>(peers)) {
            // a punch that works does so within a SYN's first retransmit: one that has not is given up sooner
            long deadline = p.route() == PeerLink.Route.PUNCHED ? Math.min(PUNCH_MILLIS, timings.handshakeMillis())
                    : timings.handshakeMillis();
            if (p.handshakeOverdue(now, deadline)) {
                p.close("no handshake within " + deadline + " ms");
            } else if (p.isReady()) {
                p.pingIfQuiet(now, timings.pingIntervalMillis());
            }
        }
        if (arrangements != null && !stopped) {
            directPaths.tick(now, peers, this::tryDirectPath);
        }
        if (peers.size() < maxPeers && !stopped) {
            connectMore();
            if (peers.size() < maxPeers && fixed.isEmpty() && tracker != null) {
                candidates.lookUpIfDue(tracker, loop, contentId, timings.lookupIntervalMillis(), () -> {
                    if (!stopped) {
                        connectMore();
                    }
                });
            }
        }
    }

    /**
     * Opens a second link to the holder {@code relayed} reaches through a relay: dialed when the tracker's latest
     * answer says it can be, else arranged by the tracker as a reversal or a punch, never another relay.
     */
    private P tryDirectPath(P relayed) {
        InetSocketAddress a = relayed.address;
        P p = link(a);
        if (candidates.reachable(a)) {
            PeerLink.Route route = candidates.mapped(a) ? PeerLink.Route.MAPPED : PeerLink.Route.DIRECT;
            p.connect(loop, key, relayed.peerId(), route);
        } else {
            arrangements.request(contentId, relayed.peerId(), p, true);
        }
        log.info("{}: trying for a direct path beside the relay", p);
        return p;
    }

    /** A new link to {@code a}, one of ours from now on. */
    private P link(InetSocketAddress a) {
        P p = links.apply(a);
        p.local(candidates.isLocal(a));
        p.grantOwner(owner);
        peers.add(p);
        return p;
    }

    /** Closes every link; no more are opened. */
    public void stop(String reason) {
        stopped = true;
        for (P p : new ArrayList<>(peers)) {
            p.close(reason);
        }
    }

    public boolean isStopped() {
        return stopped;
    }

    private boolean isConnected(InetSocketAddress a) {
        for (P p : peers) {
            if (p.address.equals(a)) {
                return true;
            }
        }
        return false;
    }
}
