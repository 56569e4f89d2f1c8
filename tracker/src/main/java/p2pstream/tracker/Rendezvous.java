package p2pstream.tracker;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.wire.CircuitOrder;
import p2pstream.common.wire.ConnectPeer;
import p2pstream.common.wire.Dial;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Token;

/**
 * Arranges the connections viewers ask for (CONNECT) to holders the tracker could not dial back (PROTOCOL.md
 * section 11): a reachable viewer has the holder connect to it (a reversal); two unreachable ones connect to each
 * other at once (a punch), each told when so that both attempts leave together, from the halves of their measured
 * round trips; asked again for the same pair soon after a punch, a relay that offered itself carries the circuit.
 * Only ever to the asker's own address. Sessions register on HELLO and leave on close; any thread.
 */
final class Rendezvous {
    private static final Logger log = LoggerFactory.getLogger(Rendezvous.class);

    /** A CONNECT for the same pair within this long of a punch means the punch failed. */
    static final long PUNCH_MEMORY_MILLIS = 60_000;
    static final int MAX_PUNCHES_REMEMBERED = 4_096;

    private final Tracker tracker;
    /** Open sessions by the peer id their handshake proved; the latest when one identity runs twice. */
    private final ConcurrentHashMap<PeerId, TrackerSession> sessions = new ConcurrentHashMap<>();
    /** Reachable sessions that carry circuits, and where they take them. */
    private final ConcurrentHashMap<TrackerSession, InetSocketAddress> relays = new ConcurrentHashMap<>();
    /**
     * When a punch was last arranged between an asker (by session) and a holder: asked again soon after, the punch
     * failed (a NAT that changes ports), and a relay is tried. Registry loop only; the least recent go first.
     */
    private final Map<Pair, Long> punched = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Pair, Long> eldest) {
            return size() > MAX_PUNCHES_REMEMBERED;
        }
    };
    private final SplittableRandom random = new SplittableRandom();

    private record Pair(long askerSession, PeerId holder) {
    }

    Rendezvous(Tracker tracker) {
        this.tracker = tracker;
    }

    void onHello(TrackerSession s) {
        sessions.put(s.peer().peerId(), s);
    }

    void onClose(TrackerSession s) {
        sessions.remove(s.peer().peerId(), s);
        relays.remove(s);
    }

    /** A session offered to relay on {@code port}: taken once its dial-back reached it. The session's loop. */
    void onRelayOffer(TrackerSession s, int port) {
        s.whenDialedBack(() -> {
            if (!s.reachable()) {
                log.info("session {}: relay offer ignored: the tracker cannot reach it", s.peer().sessionId());
                return;
            }
            relays.put(s, new InetSocketAddress(s.peer().address().getAddress(), port));
            log.info("session {}: relays circuits on port {}", s.peer().sessionId(), port);
        });
    }

    /** A viewer's CONNECT, already rate-limited by its session. The session's loop. */
    void onConnect(TrackerSession fetcher, ConnectPeer c) {
        TrackerSession holder = sessions.get(c.holder());
        if (holder == null || holder == fetcher) {
            log.debug("session {}: connect to {}: no such session", fetcher.peer().sessionId(), c.holder().text());
            return;
        }
        if (holder.reachable()) {
            // anyone can dial it: an arrangement would only let the asker make it open connections at will
            log.debug("session {}: connect to {}: it is reachable", fetcher.peer().sessionId(), c.holder().text());
            return;
        }
        long holderSession = holder.peer().sessionId();
        PeerId reader = fetcher.reader();
        // a reversal needs the asker reachable, which its dial-back (run at HELLO) may not have said yet
        fetcher.whenDialedBack(() -> tracker.registryLoop().execute(() -> {
            // a private stream's holders are arranged only for those who may know of it (PROTOCOL.md section 10)
            long now = tracker.registryLoop().clock().epochMicros() / 1000;
            if (!tracker.registry().holds(holderSession, c.contentId())
                    || !tracker.registry().visible(c.contentId(), reader, now)) {
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
        Map.Entry<TrackerSession, InetSocketAddress> relay;
        if (fetcher.reachable()) {
            // the holder connects once the fetcher has had a round trip to expect it
            toFetcher = dial(Dial.Mode.REVERSAL, true, c, holder, 0);
            toHolder = dial(Dial.Mode.REVERSAL, false, c, fetcher, rttF);
        } else if (!c.directOnly() && punchedLately(fetcher, c.holder())
                && (relay = pickRelay(fetcher, holder)) != null) {
            // the punch arranged a moment ago failed (a NAT that changes ports): the relay carries it
            Token token = Token.random();
            relay.getKey().send(new CircuitOrder(token, fetcher.peer().peerId(), holder.peer().peerId()));
            // the relay hears of the circuit before the ends arrive
            long rttR = Math.max(0, relay.getKey().rttMillis());
            InetSocketAddress at = relay.getValue();
            toFetcher = new Dial(Dial.Mode.RELAY, true, c.contentId(), holder.peer().peerId(), at, delay(rttR), token);
            toHolder = new Dial(Dial.Mode.RELAY, false, c.contentId(), fetcher.peer().peerId(), at, delay(rttR), token);
        } else {
            // each DIAL takes half its session's round trip to arrive: the nearer side waits out the difference
            toFetcher = dial(Dial.Mode.PUNCH, true, c, holder, (rttH - rttF) / 2);
            toHolder = dial(Dial.Mode.PUNCH, false, c, fetcher, (rttF - rttH) / 2);
            punched.put(new Pair(fetcher.peer().sessionId(), c.holder()), tracker.registryLoop().nanoTime());
        }
        tracker.metrics().onArranged(toFetcher.mode());
        log.info("session {} -> session {}: {} for {}", fetcher.peer().sessionId(), holder.peer().sessionId(),
                toFetcher.mode(), c.contentId().shortHex());
        fetcher.send(toFetcher);
        holder.send(toHolder);
    }

    private boolean punchedLately(TrackerSession fetcher, PeerId holder) {
        Long at = punched.get(new Pair(fetcher.peer().sessionId(), holder));
        return at != null && tracker.registryLoop().nanoTime() - at < PUNCH_MEMORY_MILLIS * 1_000_000;
    }

    /**
     * A relay that is neither end, at random, with where it takes circuits (taken together: a relay closing on its
     * session's loop meanwhile leaves no address missing); null when there is none.
     */
    private Map.Entry<TrackerSession, InetSocketAddress> pickRelay(TrackerSession fetcher, TrackerSession holder) {
        List<Map.Entry<TrackerSession, InetSocketAddress>> candidates = new ArrayList<>();
        relays.forEach((r, at) -> {
            if (r != fetcher && r != holder) {
                candidates.add(Map.entry(r, at));
            }
        });
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
    }

    private static Dial dial(Dial.Mode mode, boolean fetcher, ConnectPeer c, TrackerSession other, long delayMillis) {
        return new Dial(mode, fetcher, c.contentId(), other.peer().peerId(), other.peer().address(),
                delay(delayMillis));
    }

    private static int delay(long millis) {
        return (int) Math.max(0, Math.min(Dial.MAX_DELAY_MILLIS, millis));
    }
}
