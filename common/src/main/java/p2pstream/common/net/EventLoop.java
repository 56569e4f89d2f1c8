package p2pstream.common.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.noise.Handshake;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.PeerId;

/**
 * The reactor: one thread, one {@link Selector}, one task queue, timers and an idle sweep. It owns every
 * connection registered on it. {@link #execute} and {@link #close} may be called from any thread; every
 * other method only on the loop thread (the thread running {@link #run} or, in tests, {@link #runOnce}).
 */
public final class EventLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    private static final int MAX_TASKS_PER_TURN = 4096;
    /**
     * Tasks stop for a select once they have run this long in a turn: work that re-queues itself a step at a
     * time (a long LIST scan) then yields to I/O between steps instead of starving the loop's connections.
     */
    static final long TASK_TIME_PER_TURN_NANOS = 2_000_000;
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final String name;
    private final Clock clock;
    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final PriorityQueue<Timeout> timers = new PriorityQueue<>();
    private final List<Connection> sweepScratch = new ArrayList<>();
    /** Spare record buffers for this loop's secure transports. */
    private final RecordBuffers recordBuffers = new RecordBuffers();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean running;
    private volatile Thread thread;
    private long timerSequence;
    private long nextSweepNanos;
    private long readBufferBytes;

    public EventLoop(String name) {
        this(name, Clock.SYSTEM);
    }

    public EventLoop(String name, Clock clock) {
        this.name = name;
        this.clock = clock;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open selector", e);
        }
        this.nextSweepNanos = clock.nanoTime() + SWEEP_INTERVAL_NANOS;
    }

    /** Starts the loop's own thread. */
    public synchronized EventLoop start() {
        if (running) {
            throw new IllegalStateException("event loop " + name + ": already started");
        }
        running = true;
        Thread t = new Thread(this::run, name);
        t.setDaemon(true);
        thread = t;
        t.start();
        return this;
    }

    public String name() {
        return name;
    }

    public long nanoTime() {
        return clock.nanoTime();
    }

    public Clock clock() {
        return clock;
    }

    /** True on the thread that runs this loop. */
    public boolean inEventLoop() {
        return Thread.currentThread() == thread;
    }

    /** Queues a task for the loop thread and wakes it. Any thread. */
    public void execute(Runnable task) {
        tasks.add(task);
        if (!inEventLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Runs {@code task} on the loop thread after {@code delayMillis}. Loop thread only. */
    public Timeout schedule(long delayMillis, Runnable task) {
        Timeout t = new Timeout(clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis), timerSequence++, task);
        timers.add(t);
        return t;
    }

    /**
     * Capacity of the read buffers its connections hold now: what a flood of length prefixes must not grow. Loop thread
     * only.
     */
    public long readBufferBytes() {
        return readBufferBytes;
    }

    void readBufferBytes(long delta) {
        readBufferBytes += delta;
    }

    RecordBuffers recordBuffers() {
        return recordBuffers;
    }

    /** The transport of a new connection: the secure one when {@code key} is given, else plaintext. */
    Transport transport(StaticKey key, boolean initiator, PeerId expected, InetSocketAddress remote) {
        return transport(key, initiator, expected, remote, null);
    }

    private Transport transport(StaticKey key, boolean initiator, PeerId expected, InetSocketAddress remote,
                                byte[] preamble) {
        if (key == null) {
            return Transport.PLAINTEXT;
        }
        return new SecureTransport(initiator ? Handshake.initiator(key, expected) : Handshake.responder(key, expected),
                remote, recordBuffers, clock, preamble);
    }

    /** Takes ownership of an accepted channel and opens a connection on it. Loop thread only. */
    public Connection register(SocketChannel channel, ConnectionHandler handler, Limits limits) throws IOException {
        return register(channel, handler, limits, Transport.PLAINTEXT);
    }

    /** The same, its bytes carried by {@code transport}. */
    Connection register(SocketChannel channel, ConnectionHandler handler, Limits limits, Transport transport)
            throws IOException {
        Connection c = register(channel, handler, limits, null, null, null, transport);
        c.onOpened();
        return c;
    }

    Connection register(SocketChannel channel, ConnectionHandler handler, Limits limits, Acceptor acceptor,
                        InetAddress acceptedFrom, TokenBucket uploadCap, StaticKey secure, boolean initiator,
                        PeerId expected) throws IOException {
        Connection c = register(channel, handler, limits, acceptor, acceptedFrom, uploadCap,
                transport(secure, initiator, expected, remoteOf(channel)));
        c.onOpened();
        return c;
    }

    private Connection register(SocketChannel channel, ConnectionHandler handler, Limits limits, Acceptor acceptor,
                                InetAddress acceptedFrom, TokenBucket uploadCap, Transport transport)
            throws IOException {
        configure(channel);
        Connection c = new Connection(this, channel, handler, limits, remoteOf(channel), Connection.State.OPEN,
                transport);
        c.acceptor = acceptor;
        c.acceptedFrom = acceptedFrom;
        c.uploadCap(uploadCap);
        c.key = channel.register(selector, SelectionKey.OP_READ, c);
        return c;
    }

    /**
     * Starts connecting to {@code remote}; the handler's onOpen or onClose (never before this method returns)
     * tells how it went. Frames sent before the connection opens are queued. Loop thread only.
     */
    public Connection connect(InetSocketAddress remote, ConnectionHandler handler, Limits limits) {
        return connect(remote, handler, limits, null, null);
    }

    /**
     * The same under the secure transport (PROTOCOL.md section 9) when {@code secure}, this process's Noise static
     * key, is given: the handshake runs first, and the connection fails unless the peer proves {@code expected}
     * (null: any peer id). Loop thread only.
     */
    public Connection connect(InetSocketAddress remote, ConnectionHandler handler, Limits limits, StaticKey secure,
                              PeerId expected) {
        return connect(remote, Dialing.DIRECT, handler, limits, secure, expected);
    }

    /**
     * How a connection the tracker arranged is made (PROTOCOL.md section 11).
     *
     * @param localPort the port to connect from, 0 for any: the port this process listens on for a punch (shared
     *                  with its listener, so a NAT maps the connection as it maps the listener and the other side's
     *                  connection meets it)
     * @param initiator the handshake role the arrangement gives this side, whichever side's TCP connect completes
     * @param preamble  bytes sent in clear before the handshake (a relay's JOIN frame), or null
     */
    public record Dialing(int localPort, boolean initiator, byte[] preamble) {
        /** An ordinary outgoing connection: any local port, the initiator, nothing before the handshake. */
        public static final Dialing DIRECT = new Dialing(0, true, null);
    }

    /** The same, made as {@code how} says. Loop thread only. */
    public Connection connect(InetSocketAddress remote, Dialing how, ConnectionHandler handler, Limits limits,
                              StaticKey secure, PeerId expected) {
        int localPort = how.localPort();
        SocketChannel channel;
        try {
            channel = SocketChannel.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open socket", e);
        }
        Connection c = new Connection(this, channel, handler, limits, remote, Connection.State.CONNECTING,
                transport(secure, how.initiator(), expected, remote, how.preamble()));
        try {
            configure(channel);
            if (localPort != 0) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                channel.bind(new InetSocketAddress(localPort));
            }
            boolean connected = channel.connect(remote);
            c.key = channel.register(selector, SelectionKey.OP_CONNECT, c);
            if (connected) {
                execute(c::onConnectable);
            }
        } catch (IOException | RuntimeException e) {
            execute(() -> c.close("connect failed: " + e.getMessage()));
        }
        return c;
    }

    /**
     * Selects {@code channel} (bound, perhaps joined to groups; made non-blocking here) on this loop: each datagram of
     * at most {@code maxDatagramBytes} that arrives goes to {@code handler}, larger ones are dropped. The endpoint
     * closes with the loop. Loop thread only.
     */
    public DatagramEndpoint register(DatagramChannel channel, int maxDatagramBytes, DatagramHandler handler)
            throws IOException {
        if (maxDatagramBytes < 1 || maxDatagramBytes > 65_507) {
            throw new IllegalArgumentException("datagram: " + maxDatagramBytes + " bytes at most (expected: 1..65507)");
        }
        channel.configureBlocking(false);
        DatagramEndpoint endpoint = new DatagramEndpoint(this, channel, maxDatagramBytes, handler);
        endpoint.key(channel.register(selector, SelectionKey.OP_READ, endpoint));
        return endpoint;
    }

    /** Runs the loop until {@link #close}. Called by the loop's own thread. */
    void run() {
        thread = Thread.currentThread();
        Throwable death = null;
        try {
            while (running) {
                runOnce(SWEEP_INTERVAL_NANOS / 1_000_000);
            }
        } catch (ClosedSelectorException e) {
            // closed under us: nothing more to do
        } catch (Error e) {
            death = e;
            log.error("{}: event loop died", name, e);
            throw e;
        } finally {
            try {
                closeAll();
            } catch (Error | RuntimeException e) {
                // out of memory again while closing: the first death is what owners must hear of, and they must hear
                if (death == null) {
                    death = e;
                    log.error("{}: event loop died while closing", name, e);
                } else {
                    death.addSuppressed(e);
                }
            }
            if (death == null) {
                terminated.complete(null);
            } else {
                terminated.completeExceptionally(death);
            }
        }
    }

    /**
     * Completes when the loop's thread has ended: normally after {@link #close}, exceptionally when an
     * {@link Error} (out of memory, say) killed it, so owners can fail instead of waiting forever. Any thread.
     */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    /**
     * One turn: queued tasks (bounded), select for at most {@code timeoutMillis} or until the next timer,
     * ready keys, due timers, idle sweep. Returns the number of ready keys handled.
     */
    public int runOnce(long timeoutMillis) {
        if (thread == null) {
            thread = Thread.currentThread();
        }
        boolean moreTasks = runTasks();
        long wait = moreTasks ? 0 : millisToNextDeadline(timeoutMillis);
        int handled;
        try {
            handled = wait <= 0 ? selector.selectNow(this::onSelected) : selector.select(this::onSelected, wait);
        } catch (IOException e) {
            throw new IllegalStateException("select failed on " + name, e);
        }
        wakeupPending.set(false);
        runTimers();
        sweepIdle();
        return handled;
    }

    /** Stops the loop and closes every connection on it. Any thread; waits for the loop thread to end. */
    @Override
    public void close() {
        Thread t = thread;
        running = false;
        selector.wakeup();
        if (t != null && t != Thread.currentThread() && t.isAlive()) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (t == null || !t.isAlive() || t == Thread.currentThread()) {
            closeAll();
        }
    }

    private void onSelected(SelectionKey key) {
        Object attachment = key.attachment();
        if (attachment instanceof Acceptor acceptor) {
            acceptor.onAcceptable();
            return;
        }
        if (attachment instanceof DatagramEndpoint datagrams) {
            if (key.isValid()) {
                datagrams.onReadable();
            }
            return;
        }
        Connection c = (Connection) attachment;
        try {
            if (!key.isValid()) {
                return;
            }
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_CONNECT) != 0) {
                c.onConnectable();
                return;
            }
            if ((ready & SelectionKey.OP_WRITE) != 0) {
                c.onWritableEvent();
            }
            if ((ready & SelectionKey.OP_READ) != 0 && key.isValid()) {
                c.onReadable();
            }
        } catch (CancelledKeyException e) {
            c.close("cancelled");
        } catch (RuntimeException e) {
            // one connection's bug must not take down everyone else on this loop
            log.warn("{} closing after unexpected error", c.remoteAddress(), e);
            c.close("internal error: " + e);
        }
    }

    private boolean runTasks() {
        long deadline = clock.nanoTime() + TASK_TIME_PER_TURN_NANOS;
        for (int i = 0; i < MAX_TASKS_PER_TURN; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return false;
            }
            runSafely(task);
            if (clock.nanoTime() - deadline >= 0) {
                break;
            }
        }
        return !tasks.isEmpty();
    }

    private void runTimers() {
        long now = clock.nanoTime();
        Timeout t;
        while ((t = timers.peek()) != null && t.deadlineNanos <= now) {
            timers.poll();
            if (!t.cancelled) {
                runSafely(t.task);
            }
        }
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("{}: task failed", name, e);
        }
    }

    private long millisToNextDeadline(long timeoutMillis) {
        Timeout t = timers.peek();
        while (t != null && t.cancelled) {
            timers.poll();
            t = timers.peek();
        }
        if (t == null) {
            return timeoutMillis;
        }
        long untilTimer = t.deadlineNanos - clock.nanoTime();
        if (untilTimer <= 0) {
            return 0;
        }
        return Math.min(timeoutMillis, Math.max(1, TimeUnit.NANOSECONDS.toMillis(untilTimer + 999_999)));
    }

    private void sweepIdle() {
        long now = clock.nanoTime();
        if (now - nextSweepNanos < 0) {
            return;
        }
        nextSweepNanos = now + SWEEP_INTERVAL_NANOS;
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Connection c) {
                sweepScratch.add(c);
            }
        }
        for (Connection c : sweepScratch) {
            c.closeIfIdle(now);
        }
        sweepScratch.clear();
    }

    private void closeAll() {
        if (!selector.isOpen()) {
            return;
        }
        runTasks();
        List<Object> attachments = new ArrayList<>();
        for (SelectionKey key : selector.keys()) {
            attachments.add(key.attachment());
        }
        for (Object a : attachments) {
            if (a instanceof Connection c) {
                c.close("event loop closed");
            } else if (a instanceof Acceptor acceptor) {
                acceptor.closeChannel();
            } else if (a instanceof DatagramEndpoint datagrams) {
                datagrams.closeChannel();
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("{}: selector close: {}", name, e.toString());
        }
    }

    /** Registers a listening channel's acceptor. Loop thread only. */
    SelectionKey registerAcceptor(ServerSocketChannel server, Acceptor acceptor) throws IOException {
        return server.register(selector, SelectionKey.OP_ACCEPT, acceptor);
    }

    private static void configure(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    private static InetSocketAddress remoteOf(SocketChannel channel) {
        try {
            return (InetSocketAddress) channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + "]";
    }
}
