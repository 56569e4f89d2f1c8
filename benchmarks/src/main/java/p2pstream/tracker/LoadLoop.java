package p2pstream.tracker;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import p2pstream.common.net.EventLoop;

/**
 * One event loop of {@link TrackerLoad} with the sessions it owns: connects them a bounded number at a
 * time, pings them, and records the latencies of the answers they get while a measurement is on. Every method
 * but {@link #call} runs on the loop's thread; the main thread reaches it through {@link #call}.
 */
final class LoadLoop {
    /** Connections being set up at once per loop: well under the tracker's accept backlog. */
    private static final int MAX_CONNECTING = 128;

    final EventLoop loop;
    final List<LoadSession> sessions = new ArrayList<>();
    private final InetSocketAddress tracker;
    private final CountDownLatch settled;
    private int nextToConnect;
    private int connecting;
    private long[] latencies = new long[1 << 16];
    private int latencyCount;
    private boolean recording;
    private long errors;
    private long paced;
    private String firstError;
    int ready;
    int closedAfterReady;
    String firstCloseReason;

    LoadLoop(EventLoop loop, InetSocketAddress tracker, CountDownLatch settled) {
        this.loop = loop;
        this.tracker = tracker;
        this.settled = settled;
    }

    /** Runs {@code task} on the loop and waits for its result. Main thread. */
    <T> T call(Supplier<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(task.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(60, TimeUnit.SECONDS);
    }

    void connectAll() {
        while (connecting < MAX_CONNECTING && nextToConnect < sessions.size()) {
            sessions.get(nextToConnect++).connect(tracker);
            connecting++;
        }
    }

    void onReady(LoadSession s) {
        ready++;
        connecting--;
        settled.countDown();
        connectAll();
    }

    void onClosed(LoadSession s, boolean wasReady, String reason) {
        if (wasReady) {
            ready--;
            closedAfterReady++;
        } else {
            connecting--;
            settled.countDown();
            connectAll();
        }
        if (firstCloseReason == null) {
            firstCloseReason = "session " + s.index + ": " + reason;
        }
    }

    /** PINGs every ready session now and every {@code intervalMillis} after, until the loop closes. */
    void pingEvery(long intervalMillis) {
        for (LoadSession s : sessions) {
            s.ping();
        }
        loop.schedule(intervalMillis, () -> pingEvery(intervalMillis));
    }

    void onCompleted(long latencyNanos, String error) {
        if (error != null) {
            errors++;
            if (firstError == null) {
                firstError = error;
            }
        }
        if (!recording) {
            return;
        }
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencyCount * 2);
        }
        latencies[latencyCount++] = latencyNanos;
    }

    /** A session held back a request to stay under the tracker's frame rate. */
    void onPaced() {
        if (recording) {
            paced++;
        }
    }

    /** Starts recording, clearing what an earlier measurement left. */
    void record(boolean on) {
        if (on) {
            latencyCount = 0;
            paced = 0;
        }
        recording = on;
    }

    long paced() {
        return paced;
    }

    long[] latencies() {
        return Arrays.copyOf(latencies, latencyCount);
    }

    long errors() {
        return errors;
    }

    String firstError() {
        return firstError;
    }

    int inFlight() {
        int n = 0;
        for (LoadSession s : sessions) {
            n += s.inFlight();
        }
        return n;
    }
}
