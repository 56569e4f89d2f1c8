package p2pstream.peer.client;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.LiveEnd;
import p2pstream.peer.server.LiveHolding;
import p2pstream.peer.server.LivePublisher;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.store.LiveChunk;
import p2pstream.peer.store.LiveManifest;
import p2pstream.peer.store.LiveWindow;
import p2pstream.peer.store.PublisherKey;
import p2pstream.tracker.Tracker;

/**
 * A tracker and a live publisher on 127.0.0.1 port 0 in this JVM, fed by a paced generator; every chunk
 * published is recorded so viewers' outputs can be checked against it.
 */
public final class TestLive implements AutoCloseable {
    public final Tracker tracker;
    public final PeerServer server;
    public final LivePublisher publisher;
    public final LiveManifest manifest;
    final LiveWindow window;
    final PublisherKey key;
    public final List<LiveChunk> published = new CopyOnWriteArrayList<>();
    final PacedInput input;

    private TestLive(Tracker tracker, PeerServer server, LivePublisher publisher, LiveManifest manifest,
                     LiveWindow window, PublisherKey key, PacedInput input) {
        this.tracker = tracker;
        this.server = server;
        this.publisher = publisher;
        this.manifest = manifest;
        this.window = window;
        this.key = key;
        this.input = input;
    }

    /**
     * Publishes {@code name} at {@code bytesPerSecond} for {@code millis}, with the publisher's upload capped at
     * {@code uploadLimit} (0: none).
     */
    public static TestLive start(String name, long bytesPerSecond, long millis, long uploadLimit, int fanout)
            throws Exception {
        return start(name, bytesPerSecond, millis, fanout, c -> c.withUploadLimit(uploadLimit));
    }

    /** The same, the publisher's config made by {@code server} from the loopback one (its identity, its access). */
    public static TestLive start(String name, long bytesPerSecond, long millis, int fanout,
                                 UnaryOperator<PeerServer.Config> server) throws Exception {
        return start(name, bytesPerSecond, millis, fanout, server, Tracker.start(Tracker.Config.loopback()));
    }

    private static TestLive start(String name, long bytesPerSecond, long millis, int fanout,
                                  UnaryOperator<PeerServer.Config> configure, Tracker tracker) throws Exception {
        PublisherKey key = PublisherKey.generate();
        LiveManifest manifest = new LiveManifest(name, 64 * 1024, key.publicKey(), System.currentTimeMillis() * 1000);
        LiveWindow window = new LiveWindow(256);
        LiveHolding holding = new LiveHolding(manifest, window, fanout, 1_000);
        PeerServer server;
        try {
            server = PeerServer.startLive(configure.apply(PeerServer.Config.loopback(tracker.address(), null)),
                    holding);
        } catch (Exception e) {
            tracker.close();
            throw e;
        }
        PacedInput input = new PacedInput(bytesPerSecond, millis, 7);
        LivePublisher publisher = new LivePublisher(input, manifest, key, window, 250);
        TestLive live = new TestLive(tracker, server, publisher, manifest, window, key, input);
        window.addListener(new LiveWindow.Listener() {
            @Override
            public void onAdded(LiveChunk chunk) {
                live.published.add(chunk);
            }

            @Override
            public void onEnded(LiveEnd end) {
                // the test waits on the publisher's own future
            }
        });
        server.announced().get(10, TimeUnit.SECONDS);
        publisher.start();
        return live;
    }

    Watch.Config config() {
        return Watch.Config.of(tracker.address(), manifest.name()).withNoPeerTimeoutMillis(5_000)
                .withLatencyMillis(2_000);
    }

    /** Waits until {@code count} chunks are published. */
    public void awaitChunks(int count, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (published.size() < count && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000);
        }
        if (published.size() < count) {
            throw new AssertionError("published " + published.size() + " chunks (expected: " + count + ")");
        }
    }

    /**
     * The index of the chunk a viewer's output starts with, if the output is exactly the stream from there on; else -1.
     */
    public int startOf(byte[] output) {
        List<LiveChunk> all = published;
        long total = 0;
        for (LiveChunk c : all) {
            total += c.length();
        }
        long suffix = total;
        for (int s = 0; s < all.size(); s++) {
            if (suffix == output.length) {
                return matches(all, s, output) ? s : -1;
            }
            suffix -= all.get(s).length();
        }
        return output.length == 0 ? all.size() : -1;
    }

    /** Where a viewer's output departs from the stream: for failure messages. */
    public String explain(byte[] output) {
        List<LiveChunk> all = published;
        ByteBuffer out = ByteBuffer.wrap(output);
        int first = -1;
        for (int i = 0; i < all.size() && first < 0; i++) {
            ByteBuffer c = all.get(i).bytes();
            if (output.length >= c.remaining() && ByteBuffer.wrap(output, 0, c.remaining()).equals(c)) {
                first = i;
            }
        }
        if (first < 0) {
            return "output starts with no published chunk";
        }
        StringBuilder sb = new StringBuilder("starts at chunk " + first);
        int i = first;
        while (out.hasRemaining() && i < all.size()) {
            ByteBuffer c = all.get(i).bytes();
            if (out.remaining() < c.remaining() || !out.slice().limit(c.remaining()).equals(c)) {
                return sb.append(", departs at chunk ").append(i).append(" (byte ").append(out.position())
                        .append(")").toString();
            }
            out.position(out.position() + c.remaining());
            i++;
        }
        return sb.append(", ends at chunk ").append(i).append(" of ").append(all.size())
                .append(out.hasRemaining() ? " with bytes left" : "").toString();
    }

    private static boolean matches(List<LiveChunk> all, int from, byte[] output) {
        ByteBuffer out = ByteBuffer.wrap(output);
        for (int i = from; i < all.size(); i++) {
            ByteBuffer chunk = all.get(i).bytes();
            ByteBuffer slice = out.slice().limit(chunk.remaining());
            if (!slice.equals(chunk)) {
                return false;
            }
            out.position(out.position() + chunk.remaining());
        }
        return !out.hasRemaining();
    }

    long publishedBytes() {
        return publisher.publishedBytes();
    }

    /**
     * For a test peer: HAVE for every chunk published from {@code from} on, as it is published, and {@code ahead}
     * more than there are; then the publisher's LIVE_END if {@code relayEnd}. Returns when the viewer hangs up.
     */
    void announceAsPublished(DataOutputStream out, int from, int ahead, boolean relayEnd) {
        int told = from;
        boolean endSent = false;
        try {
            while (true) {
                LiveEnd end = window.end(); // read first: every chunk is published before the end
                while (told < published.size() + ahead) {
                    RawFrames.write(out, IndexMessage.have(told++));
                }
                if (relayEnd && end != null && !endSent) {
                    RawFrames.write(out, end);
                    endSent = true;
                }
                LockSupport.parkNanos(20_000_000); // mirrors the publisher's pace; nothing to wait on
            }
        } catch (IOException e) {
            // the viewer hung up
        }
    }

    /** Runs a viewer to the end of the stream, writing into memory. */
    static Watched watch(Watch.Config config) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long startMillis = System.currentTimeMillis();
        Stats stats = Watch.run(config, Channels.newChannel(out));
        return new Watched(stats, out.toByteArray(), startMillis);
    }

    record Watched(Stats stats, byte[] output, long startMillis) {
    }

    @Override
    public void close() {
        input.close();
        server.close();
        tracker.close();
    }

    /** Random bytes at a steady rate for a while, then end of input: a stand-in for an encoder's pipe. */
    static final class PacedInput extends InputStream {
        private final long bytesPerSecond;
        private final long endNanos;
        private final long startNanos = System.nanoTime();
        private final Random random;
        private long sent;
        private volatile boolean closed;

        PacedInput(long bytesPerSecond, long millis, long seed) {
            this.bytesPerSecond = bytesPerSecond;
            this.endNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(millis);
            this.random = new Random(seed);
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("read(byte[], int, int) only");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            while (!closed) {
                long now = System.nanoTime();
                if (now >= endNanos) {
                    return -1;
                }
                long due = (now - startNanos) * bytesPerSecond / 1_000_000_000L - sent;
                if (due > 0) {
                    int n = (int) Math.min(len, due);
                    byte[] bytes = new byte[n];
                    random.nextBytes(bytes);
                    System.arraycopy(bytes, 0, b, off, n);
                    sent += n;
                    return n;
                }
                LockSupport.parkNanos(10_000_000); // an encoder's pace, not a wait for a condition
            }
            return -1;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
