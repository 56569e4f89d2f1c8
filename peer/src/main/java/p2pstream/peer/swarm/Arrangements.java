package p2pstream.peer.swarm;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.EventLoop;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ConnectPeer;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Dial;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Join;
import p2pstream.common.wire.PeerId;
import p2pstream.peer.tracker.TrackerClient;

/**
 * The links a viewer's streams wait to have the tracker arrange (PROTOCOL.md section 11), by stream and holder: a
 * link to a holder the tracker could not dial back asks for a connection (CONNECT), and the tracker's DIAL for the
 * fetching side finds it here. A reversal claims the holder's coming connection at the viewer's listener for the
 * link; a punch connects the link from the listening port at the time the tracker gave; a relay connects it to
 * the relay, which joins it to the holder's. Loop thread only.
 */
public final class Arrangements implements TrackerClient.Arrivals {
    private static final Logger log = LoggerFactory.getLogger(Arrangements.class);

    private final EventLoop loop;
    private final TrackerClient tracker;
    private final Acceptor acceptor;
    private final StaticKey key;
    private final Map<Waiting, PeerLink> waiting = new HashMap<>();

    private record Waiting(ContentId contentId, PeerId holder) {
    }

    /** @param acceptor the viewer's listener: a holder connects to it; arrangements need one */
    public Arrangements(EventLoop loop, TrackerClient tracker, Acceptor acceptor, StaticKey key) {
        this.loop = loop;
        this.tracker = tracker;
        this.acceptor = acceptor;
        this.key = key;
    }

    /**
     * Asks the tracker for a connection from {@code link} to {@code holder}, which it could not dial back;
     * {@code directOnly}: a reversal or a punch, not a relay (the link is a try for a direct path beside one).
     */
    void request(ContentId contentId, PeerId holder, PeerLink link, boolean directOnly) {
        Waiting w = new Waiting(contentId, holder);
        PeerLink before = waiting.put(w, link);
        if (before != null && before != link) {
            before.close("replaced by a newer arrangement");
        }
        link.awaitArrangement(() -> waiting.remove(w, link));
        tracker.connectPeer(new ConnectPeer(contentId, holder, directOnly));
    }

    @Override
    public void onDial(Dial d) {
        Waiting w = new Waiting(d.contentId(), d.other());
        PeerLink link = waiting.remove(w);
        if (link == null || link.phase() != PeerLink.Phase.CONNECTING) {
            log.debug("DIAL for {} from {}: no link waits for it", d.contentId().shortHex(), d.other().text());
            return;
        }
        if (d.mode() == Dial.Mode.REVERSAL) {
            Acceptor.Claim claim = new Acceptor.Claim(link, PeerLink.LIMITS, d.other());
            acceptor.claim(d.otherAddress().getAddress(), claim);
            link.arriving(PeerLink.Route.REVERSED, () -> acceptor.unclaim(d.otherAddress().getAddress(), claim));
            log.info("{}: the holder connects to us (reversal)", link);
        } else {
            boolean punch = d.mode() == Dial.Mode.PUNCH;
            EventLoop.Dialing how = punch ? new EventLoop.Dialing(acceptor.localAddress().getPort(), true, null)
                    : new EventLoop.Dialing(0, true, Frames.encode(new Join(d.token(), true)).array());
            link.awaitArrangement(() -> { });
            loop.schedule(d.delayMillis(), () -> {
                if (link.phase() == PeerLink.Phase.CONNECTING && link.connection() == null) {
                    link.connect(loop, key, d.other(), punch ? PeerLink.Route.PUNCHED : PeerLink.Route.RELAYED,
                            d.otherAddress(), how);
                    log.info("{}: {}", link, punch ? "punching through both NATs" : "through the relay at "
                            + Acceptor.hostPort(d.otherAddress()));
                }
            });
        }
    }
}
