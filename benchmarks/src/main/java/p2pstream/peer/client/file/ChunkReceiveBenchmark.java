package p2pstream.peer.client.file;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.Limits;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.MemoryStore;

/**
 * A viewer's receive path for one chunk, as {@link FilePeer} and {@link FileFetcher} take it: a CHUNK frame read
 * from a loopback socket by a real {@link Connection} on an {@link EventLoop} this benchmark's thread drives (a
 * writer thread keeps sending 16 distinct 256 KiB chunks, pre-encoded, so it allocates nothing), framed, put in a
 * pooled {@link ChunkBuffers} buffer, hashed and checked against the manifest by {@link ChunkVerifier} (its pool
 * runs the task on this thread, its verdict comes back through the loop) and handed to a store: none, or a
 * {@link MemoryStore} (what {@code -o -} uses), which gives the previous buffer of the same index back.
 * <p>
 * One op is one chunk; the score is chunks/s (x 0.262 = MB/s); {@code -prof gc} gives the bytes allocated per
 * chunk (gc.alloc.rate.norm), {@code cpuNanos / chunks} the receiving thread's CPU time per chunk. {@code receive}
 * says whether the payload is read straight into its pooled buffer or copied there from the read buffer,
 * {@code verify} whether it is hashed. {@link ChunkStepsBenchmark} takes the hash and the copy apart, from memory.
 *
 * <pre>java -jar dist/benchmarks.jar ChunkReceiveBenchmark -prof gc</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ChunkReceiveBenchmark {
    static final int CHUNK_BYTES = Wire.DEFAULT_CHUNK_BYTES;
    static final int CHUNKS = 16;
    /** Chunks one {@code socket} invocation receives. */
    static final int BATCH = 64;
    private static final long TURN_MILLIS = 100;

    /** What a good chunk is handed to: nothing (a file store is the same write with a copy), or memory. */
    @Param({"none", "memory"})
    public String store;

    /**
     * How a CHUNK payload reaches its pooled buffer: read from the socket straight into it ({@code direct}, what
     * {@link FilePeer} asks for), or gathered in the connection's read buffer and copied ({@code copy}).
     */
    @Param({"direct", "copy"})
    public String receive;

    /**
     * {@code sha256}: every chunk hashed and checked before it is stored (what a viewer does); {@code none}: stored
     * unchecked, to see the receive path without the hash that dominates it.
     */
    @Param({"sha256", "none"})
    public String verify;

    private Manifest manifest;
    private ByteBuffer frames;
    private ChunkBuffers buffers;
    private ChunkVerifier verifier;
    private MemoryStore chunkStore;
    private EventLoop loop;
    private ServerSocketChannel listener;
    private SocketChannel writerSide;
    private Thread writer;
    private volatile boolean writing;
    private Receiver receiver;
    private long target;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        SplittableRandom random = new SplittableRandom(12);
        byte[] hashes = new byte[CHUNKS * Manifest.HASH_BYTES];
        frames = ByteBuffer.allocateDirect(CHUNKS * (ChunkHeader.BYTES + CHUNK_BYTES));
        byte[] chunk = new byte[CHUNK_BYTES];
        for (int i = 0; i < CHUNKS; i++) {
            random.nextBytes(chunk);
            System.arraycopy(Manifest.sha256().digest(chunk), 0, hashes, i * Manifest.HASH_BYTES,
                    Manifest.HASH_BYTES);
            frames.put(ChunkHeader.encode(i, CHUNK_BYTES)).put(chunk);
        }
        frames.flip();
        manifest = new Manifest("bench.bin", (long) CHUNKS * CHUNK_BYTES, CHUNK_BYTES, hashes);
        buffers = new ChunkBuffers(CHUNK_BYTES);
        chunkStore = store.equals("memory") ? new MemoryStore(manifest, buffers::recycle) : null;
        loop = new EventLoop("bench-receive");
        verifier = new ChunkVerifier(Runnable::run, loop);

        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        SocketChannel readerSide = SocketChannel.open(listener.getLocalAddress());
        writerSide = listener.accept();
        writing = true;
        writer = new Thread(this::write, "bench-writer");
        writer.setDaemon(true);
        writer.start();
        receiver = new Receiver();
        Limits limits = Limits.CONTROL.withMaxFrameBytes(Wire.MAX_PEER_FRAME_BYTES)
                .withMaxFramesPerSecond(Integer.MAX_VALUE).withIdleTimeoutMillis(600_000);
        loop.register(readerSide, receiver, limits);
        target = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        writing = false;
        if (writerSide != null) {
            writerSide.close();
        }
        if (writer != null) {
            writer.join(5_000);
        }
        if (loop != null) {
            loop.close(); // never started: closes its connection on this thread
        }
        if (listener != null) {
            listener.close();
        }
        if (chunkStore != null) {
            chunkStore.close();
        }
    }

    /**
     * CPU time of the receiving thread and the chunks it took, summed over the iterations (JMH sums events):
     * cpuNanos / chunks is what one chunk costs whatever else runs on the machine, where the throughput is what
     * the path got of the cores meanwhile.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Cpu {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        public long cpuNanos;
        public long chunks;

        @Setup(Level.Iteration)
        public void reset() {
            cpuNanos = 0;
            chunks = 0;
        }
    }

    /** Read, frame, (copy,) hash, store: one op per chunk. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long socket(Cpu cpu) throws IOException {
        long start = Cpu.THREADS.getCurrentThreadCpuTime();
        target += BATCH;
        while (receiver.verified < target) {
            loop.runOnce(TURN_MILLIS);
            if (receiver.failure != null) {
                throw new IOException(receiver.failure);
            }
        }
        cpu.cpuNanos += Cpu.THREADS.getCurrentThreadCpuTime() - start;
        cpu.chunks += BATCH;
        return receiver.verified;
    }

    private void write() {
        ByteBuffer out = frames.duplicate();
        try {
            while (writing) {
                out.clear();
                while (out.hasRemaining()) {
                    writerSide.write(out);
                }
            }
        } catch (IOException e) {
            // closed at tear-down
        }
    }

    /** What FilePeer and FileFetcher do with a CHUNK frame, on the loop (this benchmark's thread). */
    private final class Receiver implements ConnectionHandler {
        long verified;
        String failure;
        private ByteBuffer receiving;
        private final ArrayDeque<ChunkVerifier.Check<Void>> checks = new ArrayDeque<>();

        @Override
        public ByteBuffer payloadBuffer(int type, int payloadBytes) {
            receiving = receive.equals("direct") ? buffers.acquire() : null;
            return receiving;
        }

        @Override
        public void onOpen(Connection c) {
            // registered open
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            if (type != MessageType.CHUNK.code()) {
                throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + type + " (expected: CHUNK)");
            }
            int index = ChunkHeader.decodeIndex(payload);
            ByteBuffer chunk = payload;
            if (payload != receiving) {
                chunk = buffers.acquire();
                chunk.put(payload).flip();
            }
            receiving = null;
            if (verify.equals("none")) {
                stored(index, chunk);
                return;
            }
            ChunkVerifier.Check<Void> check = checks.poll();
            if (check == null) {
                check = verifier.check(this::onVerified);
            }
            check.submit(manifest, index, chunk, chunkStore, null);
        }

        private void stored(int index, ByteBuffer chunk) {
            if (chunkStore == null) {
                buffers.recycle(chunk);
            } else {
                chunkStore.write(index, chunk);
            }
            verified++;
        }

        private void onVerified(ChunkVerifier.Check<Void> check) {
            if (chunkStore == null || !check.good()) {
                buffers.recycle(check.chunk());
            }
            if (!check.good()) {
                failure = "chunk " + check.index() + " did not match its hash";
            }
            check.clear();
            checks.add(check);
            verified++;
        }

        @Override
        public void onClose(String reason) {
            if (writing) {
                failure = "connection closed: " + reason;
            }
        }
    }
}
