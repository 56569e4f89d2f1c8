package p2pstream.tracker;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import p2pstream.common.data.BufferData;
import p2pstream.common.net.Connection;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Message;

/**
 * One session's registry work: ANNOUNCE/WITHDRAW updates and LIST/LOOKUP queries, in the order read. What a
 * session reads in one loop turn goes to the registry loop as one batch, and the answers come back as one task
 * and leave in one write: a pipelining peer costs a few hops and system calls per burst, not per request. One
 * batch at a time per session, so a LIST that spans several registry turns ({@link ListScan}) keeps the
 * session's order while other sessions' work runs between its steps.
 * Bounded: past MAX_QUERIES_IN_FLIGHT queries or MAX_UPDATES_IN_FLIGHT updates read and not yet done, the
 * session stops reading, so a peer that sends faster than the registry applies waits in TCP, not in our heap.
 * Session's loop thread only, but for {@link #close}; the work itself runs on the registry loop.
 */
final class RegistryRequests {
    /** LIST and LOOKUP answers can be up to a control frame (64 KiB) each. */
    static final int MAX_QUERIES_IN_FLIGHT = 8;
    /** An ANNOUNCE holds up to ~1 KiB of name until applied. */
    static final int MAX_UPDATES_IN_FLIGHT = 32;
    private static final double NANOS_PER_SECOND = 1e9;

    /** Registry work; false asks to be run again on a later turn of the registry loop (a long LIST). */
    private interface Work {
        boolean run(Registry registry, List<Message> answers);
    }

    private final Tracker tracker;
    private final Connection connection;
    /** Read, not yet handed to the registry loop. */
    private List<Work> batch = new ArrayList<>();
    private int batchQueries;
    private int batchUpdates;
    private int queriesInFlight;
    private int updatesInFlight;
    private boolean handOverQueued;
    /** A batch is at the registry loop; the next waits for its answers. */
    private boolean atRegistry;
    /** Set before the session's removal is queued: a batch still stepping then stops, so nothing follows it. */
    private volatile boolean closed;

    RegistryRequests(Tracker tracker, Connection connection) {
        this.tracker = tracker;
        this.connection = connection;
    }

    /** An ANNOUNCE or WITHDRAW: applied in order with the session's other requests, no answer. */
    void update(Consumer<Registry> change) {
        add((r, answers) -> {
            change.accept(r);
            return true;
        });
        batchUpdates++;
        if (++updatesInFlight == MAX_UPDATES_IN_FLIGHT) {
            connection.autoRead(false);
        }
    }

    /** A LOOKUP: its answer is sent in request order. */
    void query(Function<Registry, Message> answer) {
        query((r, answers) -> {
            answers.add(answer.apply(r));
            return true;
        });
    }

    /** A LIST: scanned a step per registry turn, its answer sent in request order. */
    void list(ListScan scan) {
        query((r, answers) -> {
            if (!r.step(scan)) {
                return false;
            }
            answers.add(scan.answer());
            return true;
        });
    }

    /** The session ended: work not yet applied is dropped. Any thread; before the session's removal is queued. */
    void close() {
        closed = true;
    }

    private void query(Work work) {
        add(work);
        batchQueries++;
        if (++queriesInFlight == MAX_QUERIES_IN_FLIGHT) {
            connection.autoRead(false);
        }
    }

    private void add(Work work) {
        batch.add(work);
        if (!handOverQueued && !atRegistry) {
            // runs after the frames of this read: the whole burst goes in one batch
            handOverQueued = true;
            connection.loop().execute(this::handOver);
        }
    }

    private void handOver() {
        handOverQueued = false;
        if (atRegistry || batch.isEmpty()) {
            return;
        }
        List<Work> work = batch;
        int queries = batchQueries;
        int updates = batchUpdates;
        batch = new ArrayList<>();
        batchQueries = 0;
        batchUpdates = 0;
        if (!connection.isOpen()) {
            // the session is gone and its removal is on its way: nothing of it may reach the registry after that
            return;
        }
        atRegistry = true;
        EventLoop loop = connection.loop();
        long handedNanos = loop.nanoTime();
        Runnable apply = new Runnable() {
            private final List<Message> answers = new ArrayList<>(work.size());
            private int next;

            @Override
            public void run() {
                Registry registry = tracker.registry();
                while (next < work.size()) {
                    if (closed) {
                        return;
                    }
                    if (!work.get(next).run(registry, answers)) {
                        tracker.registryLoop().execute(this); // behind whatever other sessions queued meanwhile
                        return;
                    }
                    next++;
                }
                if (loop == tracker.registryLoop()) {
                    onDone(answers, queries, updates, handedNanos);
                } else {
                    loop.execute(() -> onDone(answers, queries, updates, handedNanos));
                }
            }
        };
        if (loop == tracker.registryLoop()) {
            apply.run();
        } else {
            tracker.registryLoop().execute(apply);
        }
    }

    private void onDone(List<Message> answers, int queries, int updates, long handedNanos) {
        atRegistry = false;
        long waitedNanos = connection.loop().nanoTime() - handedNanos;
        tracker.metrics().registryBatchSeconds.observe(waitedNanos / NANOS_PER_SECOND);
        if (!answers.isEmpty()) {
            int bytes = 0;
            for (Message m : answers) {
                bytes += Frames.HEADER_BYTES + m.payloadLength();
            }
            ByteBuffer out = ByteBuffer.allocate(bytes);
            for (Message m : answers) {
                Frames.encode(m, out);
            }
            connection.send(BufferData.of(out.flip()));
        }
        queriesInFlight -= queries;
        updatesInFlight -= updates;
        if (queriesInFlight < MAX_QUERIES_IN_FLIGHT && updatesInFlight < MAX_UPDATES_IN_FLIGHT) {
            connection.autoRead(true); // a no-op unless a bound had paused reading
        }
        if (!batch.isEmpty()) {
            handOver();
        }
    }
}
