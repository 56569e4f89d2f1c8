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
 * session reads in one loop turn goes to the registry loop as one task, and the answers come back as one task
 * and leave in one write: a pipelining peer costs a few hops and system calls per burst, not per request.
 * Bounded: past MAX_QUERIES_IN_FLIGHT queries or MAX_UPDATES_IN_FLIGHT updates read and not yet done, the
 * session stops reading, so a peer that sends faster than the registry applies waits in TCP, not in our heap.
 * Session's loop thread only; the work itself runs on the registry loop.
 */
final class RegistryRequests {
    /** LIST and LOOKUP answers can be up to a control frame (64 KiB) each. */
    static final int MAX_QUERIES_IN_FLIGHT = 8;
    /** An ANNOUNCE holds up to ~1 KiB of name until applied. */
    static final int MAX_UPDATES_IN_FLIGHT = 32;

    private final Tracker tracker;
    private final Connection connection;
    /** Read, not yet handed to the registry loop; a query returns its answer, an update null. */
    private List<Function<Registry, Message>> batch = new ArrayList<>();
    private int batchQueries;
    private int batchUpdates;
    private int queriesInFlight;
    private int updatesInFlight;

    RegistryRequests(Tracker tracker, Connection connection) {
        this.tracker = tracker;
        this.connection = connection;
    }

    /** An ANNOUNCE or WITHDRAW: applied in order with the session's other requests, no answer. */
    void update(Consumer<Registry> change) {
        add(r -> {
            change.accept(r);
            return null;
        });
        batchUpdates++;
        if (++updatesInFlight == MAX_UPDATES_IN_FLIGHT) {
            connection.autoRead(false);
        }
    }

    /** A LIST or LOOKUP: its answer is sent in request order. */
    void query(Function<Registry, Message> answer) {
        add(answer);
        batchQueries++;
        if (++queriesInFlight == MAX_QUERIES_IN_FLIGHT) {
            connection.autoRead(false);
        }
    }

    private void add(Function<Registry, Message> work) {
        if (batch.isEmpty()) {
            // runs after the frames of this read: the whole burst goes in one task
            connection.loop().execute(this::handOver);
        }
        batch.add(work);
    }

    private void handOver() {
        List<Function<Registry, Message>> work = batch;
        int queries = batchQueries;
        int updates = batchUpdates;
        batch = new ArrayList<>();
        batchQueries = 0;
        batchUpdates = 0;
        if (!connection.isOpen()) {
            // the session is gone and its removal is on its way: nothing of it may reach the registry after that
            return;
        }
        if (connection.loop() == tracker.registryLoop()) {
            onDone(apply(work), queries, updates);
            return;
        }
        EventLoop loop = connection.loop();
        tracker.registryLoop().execute(() -> {
            List<Message> answers = apply(work);
            loop.execute(() -> onDone(answers, queries, updates));
        });
    }

    /** Registry loop: runs the work in order, collecting the answers. */
    private List<Message> apply(List<Function<Registry, Message>> work) {
        Registry registry = tracker.registry();
        List<Message> answers = new ArrayList<>(work.size());
        for (Function<Registry, Message> w : work) {
            Message m = w.apply(registry);
            if (m != null) {
                answers.add(m);
            }
        }
        return answers;
    }

    private void onDone(List<Message> answers, int queries, int updates) {
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
    }
}
