package p2pstream.peer.tracker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.AccountAnswer;
import p2pstream.common.access.AccountRequest;
import p2pstream.common.access.Devices;
import p2pstream.common.access.GrantBudget;
import p2pstream.common.access.Offer;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.Limits;
import p2pstream.common.net.Timeout;
import p2pstream.common.noise.Handshake;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.CircuitOrder;
import p2pstream.common.wire.ConnectPeer;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Dial;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.Mapped;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reach;
import p2pstream.common.wire.RelayOffer;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Welcome;
import p2pstream.common.wire.Withdraw;

/**
 * A peer's session with the tracker: says HELLO, keeps its announcements registered (again after every
 * reconnect, so a restarted tracker learns them back), pings, and runs LOOKUP and LIST queries. Public
 * methods may be called from any thread; the session itself lives on one loop.
 */
public final class TrackerClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrackerClient.class);
    private static final String PEER_ERROR = ErrorCode.PEER_ERROR_REASON;
    static final long PING_INTERVAL_MILLIS = 20_000;
    static final long SESSION_IDLE_MILLIS = 90_000;
    static final long REQUEST_TIMEOUT_MILLIS = 10_000;
    static final long MIN_BACKOFF_MILLIS = 250;
    static final long MAX_BACKOFF_MILLIS = 5_000;
    /** A session that lasted this long was a good one: the next reconnect starts from the shortest backoff. */
    static final long STABLE_SESSION_MILLIS = 5_000;
    /** A tracker answers HELLO at once; silence this long after connecting means something else listens there. */
    static final long WELCOME_TIMEOUT_MILLIS = 5_000;
    /** ERROR codes that refuse one request (its content), not the session: see docs/PROTOCOL.md section 4. */
    private static final Set<String> REFUSALS = Set.of(ErrorCode.BAD_NAME.name(),
            ErrorCode.MALFORMED.name(), ErrorCode.OUT_OF_RANGE.name(), ErrorCode.NOT_FOUND.name());
    /** How a failed handshake's close reason names what failed. */
    private static final String HANDSHAKE = "handshake message";
    static final int ANNOUNCES_PER_BATCH = 500;
    static final long BATCH_INTERVAL_MILLIS = 500;

    private final EventLoop loop;
    private final InetSocketAddress tracker;
    /** The tracker's address as the user gave it. */
    private final String trackerName;
    private final Security security;
    private final Hello hello;
    private final boolean failUntilWelcomed;
    private boolean everWelcomed;
    /** What this peer holds, as it announces it: an ANNOUNCE, or a PRIVATE_ANNOUNCE with its grants. */
    private final Map<ContentId, Message> announcements = new LinkedHashMap<>();
    /** The tracker checks a session's grant signatures within a budget: PRIVATE_ANNOUNCEs are paced under it. */
    private final GrantBudget grantBudget;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private final ArrayDeque<Pending> inflight = new ArrayDeque<>();
    private Connection connection;
    private boolean welcomed;
    private boolean closed;
    /** Why the client closed itself (the address is not a tracker), for queries made afterwards; null otherwise. */
    private IOException closedBecause;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    private long welcomedAtNanos;
    /** Announcements still to send to a new session, or private ones waiting for their grant budget; else null. */
    private ArrayDeque<Message> replay;
    private Timeout pingTimer;
    private String lastFailure = "not connected yet";
    private volatile Consumer<TrackerIdentityException> onIdentityRefused = e -> { };
    /** The id the current connection's handshake demands of the tracker; null for any. */
    private PeerId expected;
    /** Who hears of the connections the tracker arranges (DIAL); loop only. */
    private Arrivals arrivals = d -> log.debug("DIAL ignored: nobody here makes arranged connections");
    /** What the tracker's dial-back found: null before it told. */
    private volatile Reach reach;
    /** This peer relays circuits (sent after every WELCOME), and who takes the tracker's orders; null: it does not. */
    private RelayOffer relayOffer;
    /** The port this peer's router maps to its listener (sent after every WELCOME); null: none. */
    private Mapped mapped;
    private Consumer<CircuitOrder> circuits = o -> log.debug("CIRCUIT ignored: this peer does not relay");
    /** The offers this peer makes and takes (section 10). */
    private final TrackerOffers offers;

    /** Who makes the connections the tracker arranges with this peer (PROTOCOL.md section 11). Loop thread. */
    @FunctionalInterface
    public interface Arrivals {
        /** The tracker asks for a connection: to make (the holder's side, or a punch) or to expect. */
        void onDial(Dial d);
    }

    private record Pending(Message request, MessageType answer, CompletableFuture<Object> result, long deadlineNanos) {
    }

    /**
     * The session reconnects after every failure with backoff.
     *
     * @param failUntilWelcomed fail queries at once while the tracker has never been reached (a viewer wants a
     *                          clear error now, a server wants to keep trying)
     */
    public TrackerClient(EventLoop loop, InetSocketAddress tracker, Security security, Role role, int listenPort,
                         boolean failUntilWelcomed) {
        this.loop = loop;
        this.tracker = tracker;
        this.trackerName = tracker.getHostString() + ":" + tracker.getPort();
        this.security = security;
        this.hello = new Hello(role, security.key().peerId(), listenPort, null);
        this.failUntilWelcomed = failUntilWelcomed;
        this.grantBudget = GrantBudget.forPeer(loop.clock());
        this.offers = new TrackerOffers(security.key().peerId());
    }

    /**
     * Offers a private stream this peer announced to the reader its grant names, through the tracker (PROTOCOL.md
     * section 10): sent after the announcements, and again after every reconnect, until the stream is withdrawn or
     * offered again. The tracker's answers go to {@link #onOfferAnswers}. Any thread.
     */
    public void offer(Offer o) {
        loop.execute(() -> {
            offers.add(o);
            if (welcomed && replay == null) {
                sendOffers(connection);
            }
        });
    }

    /** From now on the tracker's answers to this peer's offers go to {@code listener}, on the loop. Any thread. */
    public void onOfferAnswers(Consumer<Offer.Answer> listener) {
        loop.execute(() -> offers.onAnswers(listener));
    }

    /**
     * Takes the offers made to this peer's id (SUBSCRIBE now and after every reconnect): each, its grant checked to
     * verify and name this peer, goes to {@code listener} on the loop; the tracker's reason goes to {@code refused}
     * when it refuses the subscription (this id has as many sessions taking offers as it keeps). Any thread.
     */
    public void takeOffers(Consumer<Offer> listener, Consumer<String> refused) {
        loop.execute(() -> {
            if (offers.subscribe(listener, refused) && welcomed) {
                connection.send(new Offer.Subscribe());
            }
        });
    }

    private void sendOffers(Connection c) {
        if (c != connection || !welcomed) {
            return;
        }
        long waitMillis = offers.send(c, grantBudget);
        if (waitMillis > 0) {
            loop.schedule(waitMillis, () -> sendOffers(c));
        }
    }

    /**
     * Told, on the loop, when the tracker proved another id than the one pinned: the client has given up. Told at
     * once (on the loop) when that happened before. Any thread.
     */
    public void onIdentityRefused(Consumer<TrackerIdentityException> listener) {
        this.onIdentityRefused = listener;
        loop.execute(() -> {
            if (closedBecause instanceof TrackerIdentityException e) {
                listener.accept(e);
            }
        });
    }

    /** From now on the tracker's DIALs go to {@code a}. Any thread. */
    public void arrivals(Arrivals a) {
        loop.execute(() -> this.arrivals = a);
    }

    /**
     * This peer's router forwards {@code externalPort} to its listening port: the tracker is told (now, and after
     * every reconnect) and dials it back there. Any thread.
     */
    public void mapped(int externalPort) {
        loop.execute(() -> {
            mapped = new Mapped(externalPort);
            if (welcomed && connection != null) {
                connection.send(mapped);
            }
        });
    }

    /**
     * Offers the tracker to relay circuits on {@code port} (now, and after every reconnect); its CIRCUIT orders go to
     * {@code orders}. Any thread.
     */
    public void offerRelay(int port, Consumer<CircuitOrder> orders) {
        loop.execute(() -> {
            relayOffer = new RelayOffer(port);
            circuits = orders;
            if (welcomed && connection != null) {
                connection.send(relayOffer);
            }
        });
    }

    /** Whether the tracker could dial this peer back: null until it said (or when the peer does not listen). */
    public Reach reach() {
        return reach;
    }

    /**
     * Asks the tracker to arrange a connection to {@code c}'s holder, which it could not dial back (section 11);
     * dropped while no session is up (the swarm tries again). Loop thread.
     */
    public void connectPeer(ConnectPeer c) {
        if (welcomed && connection != null) {
            connection.send(c);
        }
    }

    private void onReach(Reach r) {
        reach = r;
        if (r.reachable()) {
            log.info("reachable from outside at {}", Acceptor.hostPort(r.address()));
        } else {
            log.info("not reachable from outside at {} (a NAT or firewall lets no one in): peers will connect through"
                    + " the tracker's arrangements", Acceptor.hostPort(r.address()));
        }
    }

    public void start() {
        loop.execute(() -> {
            connect();
            loop.schedule(1_000, this::expireRequests);
        });
    }

    /** Registers (or updates) a holding; it is sent now and after every reconnect. */
    public void announce(Announce a) {
        announce(a.contentId(), a);
    }

    /**
     * Registers (or updates) a holding of a private stream with its grants (the owner's, or the one naming this
     * peer); sent as soon as the tracker's grant budget allows, and after every reconnect.
     */
    public void announce(PrivateAnnounce p) {
        announce(p.announce().contentId(), p);
    }

    private void announce(ContentId id, Message m) {
        loop.execute(() -> {
            announcements.put(id, m);
            if (welcomed && replay == null && !(m instanceof PrivateAnnounce)) {
                connection.send(m);
            } else if (welcomed && replay == null) {
                replay = new ArrayDeque<>(List.of(m));
                replayBatch(connection);
            } else if (welcomed) {
                // the latest replaces one still queued: an access change must not be undone by a stale one
                replay.removeIf(queued -> contentIdOf(queued).equals(id));
                replay.add(m);
            }
        });
    }

    /** Withdraws a holding; an announcement of it still queued (paced, or replayed) is dropped too. */
    public void withdraw(ContentId id) {
        loop.execute(() -> {
            if (replay != null) {
                replay.removeIf(queued -> contentIdOf(queued).equals(id));
            }
            offers.withdraw(id);
            if (announcements.remove(id) != null && welcomed) {
                connection.send(new Withdraw(id));
            }
        });
    }

    private static ContentId contentIdOf(Message announcement) {
        return announcement instanceof PrivateAnnounce p ? p.announce().contentId()
                : ((Announce) announcement).contentId();
    }

    public CompletableFuture<Peers> lookup(Lookup lookup) {
        return query(lookup, MessageType.PEERS).thenApply(Peers.class::cast);
    }

    public CompletableFuture<Streams> list(ListStreams list) {
        return query(list, MessageType.STREAMS).thenApply(Streams.class::cast);
    }

    /**
     * Registers an account or logs in to one (PROTOCOL.md section 10): completes with the tracker's yes, or fails
     * with its refusal (never sent again: a password try is the user's to repeat). Any thread.
     */
    public CompletableFuture<AccountAnswer> account(AccountRequest request) {
        return query(request, MessageType.ACCOUNT).thenApply(AccountAnswer.class::cast);
    }

    /**
     * The peer ids of the account {@code name}'s devices, as the tracker answers DEVICES; fails when the answer names
     * another account (answers are matched by order: its devices must not be taken for this name's). Any thread.
     */
    public CompletableFuture<Devices> devices(String name) {
        return query(new Devices.Ask(name), MessageType.DEVICES).thenApply(m -> {
            Devices d = (Devices) m;
            if (!d.name().equals(name)) {
                throw new CompletionException(new IOException("tracker " + tracker + " answered DEVICES: account "
                        + d.name() + " (expected: " + name + ", the one asked)"));
            }
            return d;
        });
    }

    /** Completes once the tracker has processed everything sent before (a LIST round trip behind them). */
    public CompletableFuture<Void> synced() {
        return list(new ListStreams("", 0)).thenApply(s -> null);
    }

    @Override
    public void close() {
        loop.execute(() -> {
            closed = true;
            if (connection != null) {
                connection.close("tracker client closed");
            }
            failAll(new IOException("tracker client closed"));
        });
    }

    private CompletableFuture<Object> query(Message request, MessageType answer) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        loop.execute(() -> {
            if (closed) {
                // a query made after the address turned out not to be a tracker gets that reason, not "closed"
                f.completeExceptionally(closedBecause != null ? closedBecause
                        : new IOException("tracker client closed"));
                return;
            }
            Pending p = new Pending(request, answer, f, loop.nanoTime() + REQUEST_TIMEOUT_MILLIS * 1_000_000);
            if (welcomed && replay == null) {
                inflight.add(p);
                connection.send(request);
            } else {
                waiting.add(p);
            }
        });
        return f;
    }

    private void connect() {
        if (closed) {
            return;
        }
        expected = security.trackerTrust().expected(tracker);
        connection = loop.connect(tracker, new Session(), Limits.CONTROL.withIdleTimeoutMillis(SESSION_IDLE_MILLIS),
                security.key(), expected);
    }

    private void onWelcome(Welcome w) {
        security.trackerTrust().proved(tracker, connection.remotePeerId());
        welcomed = true;
        everWelcomed = true;
        welcomedAtNanos = loop.nanoTime();
        log.info("tracker {} session {}: serving as {}", tracker, w.sessionId(), w.observedAddress());
        replay = new ArrayDeque<>(announcements.values());
        offers.onWelcome(connection);
        if (relayOffer != null) {
            connection.send(relayOffer);
        }
        if (mapped != null) {
            connection.send(mapped);
        }
        replayBatch(connection);
        schedulePing();
    }

    /**
     * Re-announces in batches well under the tracker's frame-rate limit (a peer-server may share thousands of
     * files), then sends the queries that waited, so a query answered means every announcement was registered.
     */
    private void replayBatch(Connection c) {
        if (!welcomed || c != connection) {
            return;
        }
        for (int i = 0; i < ANNOUNCES_PER_BATCH && !replay.isEmpty(); i++) {
            int grants = replay.peek() instanceof PrivateAnnounce p ? p.grants().size() : 0;
            if (grants > 0 && !c.isEncrypted()) {
                // the tracker would refuse it and close the session, for every other announcement too
                log.warn("tracker {}: private {} not announced: the session is in plaintext (a private stream never"
                        + " travels in plaintext)", tracker, ((PrivateAnnounce) replay.poll()).announce().name());
                continue;
            }
            if (grants > 0 && !grantBudget.take(grants)) {
                loop.schedule(grantBudget.millisUntil(grants), () -> replayBatch(c));
                return;
            }
            c.send(replay.poll());
        }
        if (!replay.isEmpty()) {
            loop.schedule(BATCH_INTERVAL_MILLIS, () -> replayBatch(c));
            return;
        }
        replay = null;
        sendOffers(c);
        for (Pending p; (p = waiting.poll()) != null; ) {
            inflight.add(p);
            c.send(p.request);
        }
    }

    private void schedulePing() {
        pingTimer = loop.schedule(PING_INTERVAL_MILLIS, () -> {
            if (welcomed) {
                connection.send(EmptyMessage.PING);
                schedulePing();
            }
        });
    }

    private void onSessionClosed(String reason, String notTracker) {
        boolean wasWelcomed = welcomed;
        Pending accountQuery = wasWelcomed && reason.startsWith(PEER_ERROR) ? accountQuery(reason) : null;
        boolean refused = accountQuery != null || wasWelcomed && !inflight.isEmpty() && isRefusal(reason);
        if (refused) {
            // the tracker closed the session over the oldest unanswered query (or the account question its ERROR
            // names, answered apart from the rest): that one fails, the rest go on
            Pending p = accountQuery != null ? accountQuery : inflight.peek();
            inflight.remove(p);
            p.result.completeExceptionally(new IOException("tracker " + tracker + " refused " + p.request.type() + ": "
                    + reason.substring(PEER_ERROR.length())));
        }
        welcomed = false;
        replay = null;
        if (wasWelcomed && loop.nanoTime() - welcomedAtNanos > STABLE_SESSION_MILLIS * 1_000_000) {
            backoffMillis = MIN_BACKOFF_MILLIS;
        }
        if (pingTimer != null) {
            pingTimer.cancel();
        }
        lastFailure = reason;
        // queries sent but unanswered go out again on the next session
        for (Pending p; (p = inflight.pollLast()) != null; ) {
            waiting.addFirst(p);
        }
        if (closed) {
            return;
        }
        // our own handshake's verdict only: an ERROR frame (a "peer error", in clear before the handshake) is
        // anybody's word, and must not end the client as if the tracker had proved another id
        String proved = expected == null ? null : Handshake.provedInstead(reason);
        if (proved != null) {
            // another key answers at the pinned address: nothing was sent to it, and nothing will be
            closed = true;
            TrackerIdentityException e = new TrackerIdentityException("tracker " + trackerName + " proved peer id "
                    + proved + " (expected: " + expected.text() + ", " + security.trackerTrust().source(tracker)
                    + ")");
            closedBecause = e;
            log.error(e.getMessage());
            failAll(e);
            onIdentityRefused.accept(e);
            return;
        }
        if (failUntilWelcomed && !everWelcomed && notTracker != null) {
            // something else listens there: retrying would only ask it again
            closed = true;
            closedBecause = new IOException("TRACKER: " + tracker.getHostString() + ":" + tracker.getPort()
                    + " is not a p2pstream tracker (it answered " + notTracker + ")");
            failAll(closedBecause);
            return;
        }
        if (failUntilWelcomed && !everWelcomed) {
            failAll(new IOException("tracker " + tracker + ": " + reason));
        }
        if (refused) {
            log.info("tracker {} refused a query ({}); reconnecting for the rest", tracker, reason);
            backoffMillis = MIN_BACKOFF_MILLIS; // the link is fine: a refusal is no reason to wait longer
        } else if (wasWelcomed) {
            log.warn("tracker {} session lost: {}; reconnecting", tracker, reason);
        } else {
            log.debug("tracker {}: {}; retrying in {} ms", tracker, reason, backoffMillis);
        }
        loop.schedule(backoffMillis, this::connect);
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    }

    /**
     * The ACCOUNT or DEVICES an ERROR about accounts ends: an ACCOUNT is refused by any ERROR (a wrong password is not
     * sent again), a DEVICES by one whose message is about accounts. Null for none.
     */
    private Pending accountQuery(String reason) {
        for (Pending p : inflight) {
            if (p.answer == MessageType.ACCOUNT || p.answer == MessageType.DEVICES && reason.contains(": account")) {
                return p;
            }
        }
        return null;
    }

    private static boolean isRefusal(String reason) {
        int colon = reason.indexOf(':');
        return reason.startsWith(PEER_ERROR) && colon > 0
                && REFUSALS.contains(reason.substring(PEER_ERROR.length(), colon));
    }

    /**
     * What a first answer that is no WELCOME was, for the user: an undecodable length is shown as the bytes
     * it was made of ({@code "HTTP"} from a web server).
     */
    private static String describe(String reason) {
        Matcher answered = Pattern.compile("\\(it answered \"([^\"]*)\"\\)").matcher(reason);
        if (answered.find()) { // the handshake kept what came instead of its second message
            return "bytes \"" + answered.group(1) + "\" that are not a p2pstream handshake";
        }
        Matcher m = Pattern.compile("(frame|handshake message) length: (\\d+)").matcher(reason);
        if (m.find()) {
            long n = Long.parseLong(m.group(2));
            StringBuilder text = new StringBuilder();
            for (int shift = m.group(1).equals("frame") ? 24 : 8; shift >= 0; shift -= 8) {
                char ch = (char) ((n >>> shift) & 0xff);
                text.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
            }
            return "bytes \"" + text + "...\" that are not a p2pstream frame";
        }
        return reason;
    }

    private void expireRequests() {
        long now = loop.nanoTime();
        for (ArrayDeque<Pending> q : List.of(waiting, inflight)) {
            while (!q.isEmpty() && q.peek().deadlineNanos - now < 0) {
                Pending p = q.poll();
                p.result.completeExceptionally(new TimeoutException("tracker " + tracker + ": no answer to "
                        + p.request.type() + " within " + REQUEST_TIMEOUT_MILLIS + " ms (" + lastFailure + ")"));
            }
        }
        if (!closed) {
            loop.schedule(1_000, this::expireRequests);
        }
    }

    private void failAll(Exception e) {
        for (ArrayDeque<Pending> q : List.of(waiting, inflight)) {
            for (Pending p; (p = q.poll()) != null; ) {
                p.result.completeExceptionally(e);
            }
        }
    }

    /** The handler of one connection to the tracker. */
    private final class Session implements ConnectionHandler {
        private Connection c;

        /** Why the other end is no tracker, once its first answer showed it; null while it may be one. */
        private String notTracker;

        @Override
        public void onOpen(Connection c) {
            this.c = c;
            c.send(hello);
            loop.schedule(WELCOME_TIMEOUT_MILLIS, () -> {
                if (connection == c && !welcomed && c.isOpen()) {
                    notTracker = "nothing within " + WELCOME_TIMEOUT_MILLIS + " ms";
                    c.close("no WELCOME within " + WELCOME_TIMEOUT_MILLIS + " ms");
                }
            });
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            MessageType t = MessageType.of(type);
            if (!welcomed && t != MessageType.WELCOME) {
                notTracker = "a " + t + " frame";
                throw new ProtocolException(ErrorCode.UNEXPECTED, "first frame: " + t + " (expected: WELCOME)");
            }
            switch (t) {
                case WELCOME -> onWelcome(Welcome.decode(payload));
                case STREAMS -> answer(t, Streams.decode(payload));
                case PEERS -> answer(t, Peers.decode(payload));
                case ACCOUNT -> answer(t, AccountAnswer.decode(payload));
                case DEVICES -> answer(t, Devices.decode(payload));
                case PING -> c.send(EmptyMessage.PONG);
                case PONG -> EmptyMessage.decode(t, payload);
                case REACH -> onReach(Reach.decode(payload));
                case DIAL -> arrivals.onDial(Dial.decode(payload));
                case CIRCUIT -> circuits.accept(CircuitOrder.decode(payload));
                case OFFER -> offers.onFrame(payload);
                default -> throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t
                        + " (expected: a tracker answer)");
            }
        }

        /**
         * The oldest unanswered query of the answer's type: the tracker answers LIST and LOOKUP in order, and
         * ACCOUNT and DEVICES in order apart from them (the account store answers those, PROTOCOL.md section 10).
         */
        private void answer(MessageType t, Message m) throws ProtocolException {
            for (Pending p : inflight) {
                boolean registry = t == MessageType.STREAMS || t == MessageType.PEERS;
                if (p.answer == t) {
                    inflight.remove(p);
                    p.result.complete(m);
                    return;
                }
                if (registry && (p.answer == MessageType.STREAMS || p.answer == MessageType.PEERS)) {
                    break; // out of order
                }
            }
            Pending p = inflight.peek();
            throw new ProtocolException(ErrorCode.UNEXPECTED, "answer: " + t + " (expected: "
                    + (p == null ? "none" : p.answer) + ")");
        }

        @Override
        public void onClose(String reason) {
            // bytes that are no frame at all, or a peer's ERROR to our HELLO (a tracker's UNEXPECTED never comes
            // before WELCOME; its BAD_HELLO, TIMEOUT, TOO_MANY_CONNECTIONS may, and are a tracker's answers)
            boolean peerError = reason.startsWith(PEER_ERROR);
            // (bytes that were no handshake message count too: the transport consumed them, none reached a frame)
            if (notTracker == null && !welcomed && c != null && (c.bytesRead() > 0 || reason.contains(HANDSHAKE))
                    && (!peerError || reason.startsWith(PEER_ERROR + ErrorCode.UNEXPECTED.name() + ":"))) {
                notTracker = peerError ? "ERROR " + reason.substring(PEER_ERROR.length()) : describe(reason);
            }
            if (connection == c || c == null) {
                onSessionClosed(reason, notTracker);
            }
        }
    }
}
