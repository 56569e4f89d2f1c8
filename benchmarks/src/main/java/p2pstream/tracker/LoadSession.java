package p2pstream.tracker;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import p2pstream.common.data.BufferData;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.Limits;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;

/**
 * One tracker session of {@link TrackerLoad}: HELLO and one ANNOUNCE on connect, PING when asked, and in a
 * measured phase a pipeline of LOOKUPs (or ANNOUNCE + confirming LOOKUP pairs) with a bounded number in flight,
 * timing each from its send to its answer (answers come in request order). Every answer is checked. Runs on
 * its {@link LoadLoop}'s thread.
 */
final class LoadSession implements ConnectionHandler {
    /** The generator reads every answer at once; its own limits must never be what is measured. */
    static final Limits LIMITS = Limits.CONTROL.withIdleTimeoutMillis(600_000)
            .withMaxFramesPerSecond(Integer.MAX_VALUE);
    static final int MAX_WINDOW = 64;
    /**
     * Frames a session sends per second at most: the tracker closes a session sending more than 2000 in a
     * second, and its second need not line up with ours, so at most half of that in each of ours.
     */
    static final int MAX_FRAMES_PER_SECOND = 1000;

    /** What the session sends in a measured phase. */
    enum Op { NONE, LOOKUP, ANNOUNCE }

    private final LoadLoop owner;
    private final Workload work;
    final int index;
    private final SplittableRandom random;
    private final long[] sentAt = new long[MAX_WINDOW];
    private final int[] sentStream = new int[MAX_WINDOW];
    private Connection connection;
    private boolean ready;
    private boolean closed;
    private Op op = Op.NONE;
    private int window;
    private int head;
    private int inFlight;
    private int announced;
    private boolean fillScheduled;
    private long rateWindowStartNanos;
    private int framesInWindow;
    private CompletableFuture<Streams> listing;

    /**
     * The identity every load session proves (the tracker keys nothing by peer id): each session runs the secure
     * transport's handshake, as every peer does.
     */
    private static final StaticKey KEY = StaticKey.of(Identity.generate());

    LoadSession(LoadLoop owner, Workload work, int index) {
        this.owner = owner;
        this.work = work;
        this.index = index;
        this.random = new SplittableRandom(index);
    }

    void connect(InetSocketAddress tracker) {
        connection = owner.loop.connect(tracker, this, LIMITS, KEY, null);
    }

    boolean isReady() {
        return ready && !closed;
    }

    int inFlight() {
        return inFlight;
    }

    void ping() {
        if (isReady()) {
            connection.send(EmptyMessage.PING);
        }
    }

    /** Starts (or, with Op.NONE, stops) a phase: {@code window} requests in flight, a new one per answer. */
    void run(Op what, int inFlightWanted) {
        this.op = what;
        this.window = Math.min(inFlightWanted, MAX_WINDOW);
        fill();
    }

    /** Sends LIST for the workload's streams; completes with the answer. */
    CompletableFuture<Streams> list() {
        listing = new CompletableFuture<>();
        connection.send(BufferData.of(work.listFrame()));
        return listing;
    }

    @Override
    public void onOpen(Connection c) {
        // the listen port is a label here: nobody connects to it, the tracker only hands it out
        c.send(new Hello(Role.SERVER, KEY.peerId(), 10_000 + index % 50_000, null));
        c.send(BufferData.of(work.announceHoldFrame(work.holdStream(index))));
    }

    @Override
    public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
        MessageType t = MessageType.of(type);
        switch (t) {
            case WELCOME -> {
                ready = true;
                owner.onReady(this);
            }
            case PONG -> {
            }
            case REACH -> {
                // the tracker's dial-back of the listen port HELLO gave (nothing listens there: not reachable); it
                // costs the tracker one outgoing connection per session, as a real peer-server's does
            }
            case PEERS -> onAnswer(payload);
            case STREAMS -> {
                if (listing != null) {
                    listing.complete(Streams.decode(payload));
                }
            }
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t
                    + " (expected: WELCOME, PONG, REACH, PEERS, STREAMS)");
        }
    }

    @Override
    public void onClose(String reason) {
        boolean wasReady = ready;
        closed = true;
        owner.onClosed(this, wasReady, reason);
    }

    /** Tops the pipeline up to the window, all new requests in one write. */
    private void fill() {
        fillScheduled = false;
        int wanted = op == Op.NONE || closed ? 0 : window - inFlight;
        if (wanted <= 0) {
            return;
        }
        long now = owner.loop.nanoTime();
        if (now - rateWindowStartNanos >= 1_000_000_000L) {
            rateWindowStartNanos = now;
            framesInWindow = 0;
        }
        int framesPerOp = op == Op.LOOKUP ? 1 : 2;
        int allowed = (MAX_FRAMES_PER_SECOND - framesInWindow) / framesPerOp;
        if (wanted > allowed) {
            // paced: this session would go past the tracker's frame rate; the rest waits for the next second
            owner.onPaced();
            wanted = allowed;
            fillScheduled = true;
            owner.loop.schedule(1 + (rateWindowStartNanos + 1_000_000_000L - now) / 1_000_000, this::fill);
            if (wanted <= 0) {
                return;
            }
        }
        framesInWindow += wanted * framesPerOp;
        ByteBuffer out = ByteBuffer.allocate(wanted * work.maxOpBytes());
        for (int i = 0; i < wanted; i++) {
            int slot = (head + inFlight) % MAX_WINDOW;
            int stream;
            if (op == Op.LOOKUP) {
                stream = random.nextInt(work.holdStreams());
                out.put(work.lookupFrame(stream));
                sentStream[slot] = stream;
            } else {
                // a small pool per session: the first announcements add entries, the later ones update them
                stream = work.churnStream(index, announced);
                out.put(work.announceChurnFrame(stream, announced / Workload.CHURN_POOL));
                out.put(work.confirmFrame(stream));
                sentStream[slot] = -1 - stream;
                announced++;
            }
            sentAt[slot] = now;
            inFlight++;
        }
        connection.send(BufferData.of(out.flip()));
    }

    private void onAnswer(ByteBuffer payload) throws ProtocolException {
        if (inFlight == 0) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "PEERS: none asked for");
        }
        long latency = owner.loop.nanoTime() - sentAt[head];
        int stream = sentStream[head];
        head = (head + 1) % MAX_WINDOW;
        inFlight--;
        int p = payload.position();
        int count = -1;
        if (payload.get(p) == 1) {
            int nameBytes = payload.getShort(p + 1 + 32) & 0xffff;
            count = payload.getShort(p + 1 + 32 + 2 + nameBytes + 8 + 4) & 0xffff;
        }
        // a LOOKUP gets a full sample of the others; an ANNOUNCE's confirming LOOKUP (max 0) finds the stream
        int expected = stream >= 0 ? Math.min(Workload.LOOKUP_PEERS,
                work.holders(stream) - (work.holdStream(index) == stream ? 1 : 0)) : 0;
        owner.onCompleted(latency, count == expected ? null
                : "session " + index + ": PEERS with " + count + " peers (expected: " + expected + ", -1 = not found)");
        // answers come in bursts (one read, several frames): refill once after the burst, in one write
        if (!fillScheduled) {
            fillScheduled = true;
            owner.loop.execute(this::fill);
        }
    }
}
