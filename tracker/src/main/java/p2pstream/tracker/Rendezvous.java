package p2pstream.tracker;

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.wire.ConnectPeer;
import p2pstream.common.wire.Dial;
import p2pstream.common.wire.PeerId;

/**
 * Arranges the connections viewers ask for (CONNECT) to holders the tracker could not dial back (PROTOCOL.md
 * section 11): a reachable viewer has the holder connect to it (a reversal); two unreachable ones connect to each
 * other at once (a punch), each told when so that both attempts leave together, from the halves of their measured
 * round trips. Only ever to the asker's own address. Sessions register on HELLO and leave on close; any thread.
 */
final class Rendezvous {
    private static final Logger log = LoggerFactory.getLogger(Rendezvous.class);

    private final Tracker tracker;
    /** Open sessions by the peer id their handshake proved; the latest when one identity runs twice. */
    private final ConcurrentHashMap<PeerId, TrackerSession> sessions = new ConcurrentHashMap<>();

    Rendezvous(Tracker tracker) {
        this.tracker = tracker;
    }

    void onHello(TrackerSession s) {
        sessions.put(s.peer().peerId(), s);
    }

    void onClose(TrackerSession s) {
        sessions.remove(s.peer().peerId(), s);
    }

    /** A viewer's CONNECT, already rate-limited by its session. The session's loop. */
    void onConnect(TrackerSession fetcher, ConnectPeer c) {
        TrackerSession holder = sessions.get(c.holder());
        if (holder == null || holder == fetcher) {
            log.debug("session {}: connect to {}: no such session", fetcher.peer().sessionId(), c.holder().text());
            return;
        }
        long holderSession = holder.peer().sessionId();
        // a reversal needs the asker reachable, which its dial-back (run at HELLO) may not have said yet
        fetcher.whenDialedBack(() -> tracker.registryLoop().execute(() -> {
            if (!tracker.registry().holds(holderSession, c.contentId())) {
                log.debug("session {}: connect to {}: it does not hold {}", fetcher.peer().sessionId(),
                        c.holder().text(), c.contentId().shortHex());
                return;
            }
            arrange(fetcher, holder, c);
        }));
    }

    private void arrange(TrackerSession fetcher, TrackerSession holder, ConnectPeer c) {
        long rttF = Math.max(0, fetcher.rttMillis());
        long rttH = Math.max(0, holder.rttMillis());
        Dial toFetcher;
        Dial toHolder;
        if (fetcher.reachable()) {
            // the holder connects once the fetcher has had a round trip to expect it
            toFetcher = dial(Dial.Mode.REVERSAL, true, c, holder, 0);
            toHolder = dial(Dial.Mode.REVERSAL, false, c, fetcher, rttF);
        } else {
            // each DIAL takes half its session's round trip to arrive: the nearer side waits out the difference
            toFetcher = dial(Dial.Mode.PUNCH, true, c, holder, (rttH - rttF) / 2);
            toHolder = dial(Dial.Mode.PUNCH, false, c, fetcher, (rttF - rttH) / 2);
        }
        tracker.metrics().onArranged(toFetcher.mode());
        log.info("session {} -> session {}: {} for {}", fetcher.peer().sessionId(), holder.peer().sessionId(),
                toFetcher.mode(), c.contentId().shortHex());
        fetcher.send(toFetcher);
        holder.send(toHolder);
    }

    private static Dial dial(Dial.Mode mode, boolean fetcher, ConnectPeer c, TrackerSession other, long delayMillis) {
        return new Dial(mode, fetcher, c.contentId(), other.peer().peerId(), other.peer().address(),
                (int) Math.max(0, Math.min(Dial.MAX_DELAY_MILLIS, delayMillis)));
    }
}
