package p2pstream.common.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import p2pstream.common.data.BufferData;
import p2pstream.common.data.Data;
import p2pstream.common.data.FileData;
import p2pstream.common.identity.Identity;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;

/**
 * Chunk serving over loopback through the real reactor: an {@link EventLoopGroup} + {@link Acceptor} server
 * on 127.0.0.1 (port 0) answers each REQUEST with a CHUNK frame, a {@link ChunkHeader} {@link BufferData}
 * followed by the body; a client {@link EventLoop} keeps {@code pipeline} requests outstanding and counts the
 * bytes it receives. One invocation moves the whole 64 MiB file once.
 * <p>
 * {@code body}: {@code file} sends a {@link FileData} region of a temp file (transferTo, i.e. sendfile: no copy
 * through the heap); {@code heap} and {@code direct} send a {@link BufferData} slice of the same bytes held in a
 * heap or direct buffer (what a live stream's memory window does).
 * <p>
 * {@code transport}: {@code plaintext} as the programs run today, or {@code secure}: both ends under the secure
 * transport (Noise handshake, 16 KiB AES-GCM records; the file region then goes through a copy, not sendfile).
 * <p>
 * Score: ops/s where one op is one MiB, so <b>the score is MiB/s</b>.
 *
 * <pre>java -jar dist/benchmarks.jar LoopbackTransferBenchmark -p body=file -p pipeline=8</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LoopbackTransferBenchmark {
    static final int FILE_MIB = 64;
    static final long FILE_BYTES = FILE_MIB * 1024L * 1024L;
    private static final long WAIT_SECONDS = 120;

    @Param({"file", "heap", "direct"})
    public String body;

    @Param({"256"})
    public int chunkKiB;

    /** Requests a client keeps outstanding: 1 is one round trip per chunk. */
    @Param({"1", "8"})
    public int pipeline;

    @Param({"plaintext", "secure"})
    public String transport;

    private Path file;
    private FileChannel channel;
    private ByteBuffer memory;
    private int chunkBytes;
    private int chunkCount;
    private EventLoopGroup serverGroup;
    private Acceptor acceptor;
    private EventLoop clientLoop;
    private Client client;

    @Setup(Level.Trial)
    public void setup() throws IOException, InterruptedException, ExecutionException, TimeoutException {
        chunkBytes = chunkKiB * 1024;
        if (chunkBytes < Wire.MIN_CHUNK_BYTES || chunkBytes > Wire.MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunkKiB: " + chunkKiB + " (expected: 16..4096)");
        }
        chunkCount = (int) ((FILE_BYTES + chunkBytes - 1) / chunkBytes);
        file = Files.createTempFile("p2pstream-transfer-", ".bin");
        file.toFile().deleteOnExit(); // also when a failed trial skips tear-down
        writeRandom(file);
        channel = FileChannel.open(file, StandardOpenOption.READ);
        switch (body) {
            case "file" -> memory = null;
            case "heap" -> memory = load(ByteBuffer.allocate((int) FILE_BYTES));
            case "direct" -> memory = load(ByteBuffer.allocateDirect((int) FILE_BYTES));
            default -> throw new IllegalArgumentException("body: " + body + " (expected: file, heap or direct)");
        }

        // a benchmark client may request far more than a viewer's 2000 frames/s: lift that bound only
        Limits serverLimits = Limits.CONTROL.withMaxFramesPerSecond(Integer.MAX_VALUE).withIdleTimeoutMillis(600_000);
        serverGroup = new EventLoopGroup("bench-server", 1);
        if (!transport.equals("secure") && !transport.equals("plaintext")) {
            throw new IllegalArgumentException("transport: " + transport + " (expected: plaintext or secure)");
        }
        boolean secure = transport.equals("secure");
        acceptor = Acceptor.open(serverGroup, new InetSocketAddress("127.0.0.1", 0), Server::new,
                serverLimits, 16, 16, null, Acceptor.ERROR_FRAME, secure ? StaticKey.of(Identity.generate()) : null);

        Limits clientLimits = Limits.CONTROL.withMaxFrameBytes(Wire.MAX_PEER_FRAME_BYTES)
                .withMaxFramesPerSecond(Integer.MAX_VALUE).withIdleTimeoutMillis(600_000);
        clientLoop = new EventLoop("bench-client").start();
        client = new Client();
        InetSocketAddress address = acceptor.localAddress();
        StaticKey key = secure ? StaticKey.of(Identity.generate()) : null;
        clientLoop.execute(() -> clientLoop.connect(address, client, clientLimits, key, null));
        client.opened.get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (clientLoop != null) {
            clientLoop.close();
        }
        if (acceptor != null) {
            acceptor.close();
        }
        if (serverGroup != null) {
            serverGroup.close();
        }
        if (channel != null) {
            channel.close();
        }
        if (file != null) {
            Files.deleteIfExists(file);
        }
        memory = null;
    }

    @Benchmark
    @OperationsPerInvocation(FILE_MIB)
    public long transfer() throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<Long> done = new CompletableFuture<>();
        clientLoop.execute(() -> client.start(chunkCount, done));
        long bytes = done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        if (bytes != FILE_BYTES) {
            throw new IllegalStateException("received " + bytes + " bytes (expected: " + FILE_BYTES + ")");
        }
        return bytes;
    }

    /** Serves chunks of the file; one per accepted connection, on the server loop. */
    private final class Server implements ConnectionHandler {
        private Connection connection;

        @Override
        public void onOpen(Connection c) {
            this.connection = c;
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            MessageType t = MessageType.of(type);
            if (t != MessageType.REQUEST) {
                throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t + " (expected: REQUEST)");
            }
            int index = IndexMessage.decode(t, payload).index();
            if (index >= chunkCount) {
                throw new ProtocolException(ErrorCode.OUT_OF_RANGE, "chunk index: " + index + " (expected: < "
                        + chunkCount + ")");
            }
            long offset = (long) index * chunkBytes;
            int length = (int) Math.min(chunkBytes, FILE_BYTES - offset);
            connection.send(BufferData.of(ChunkHeader.encode(index, length)));
            connection.send(body(offset, length));
        }

        private Data body(long offset, int length) {
            if (memory == null) {
                return new FileData(channel, offset, length);
            }
            return BufferData.of(memory.slice((int) offset, length));
        }

        @Override
        public void onClose(String reason) {
            // the client closes at tear-down
        }
    }

    /** Keeps {@code pipeline} requests outstanding and counts chunk bytes; on the client loop. */
    private final class Client implements ConnectionHandler {
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        private Connection connection;
        private CompletableFuture<Long> done;
        private int total;
        private int requested;
        private int received;
        private long bytes;

        void start(int chunks, CompletableFuture<Long> whenDone) {
            if (connection == null || !connection.isOpen()) {
                whenDone.completeExceptionally(new IOException("connection closed: "
                        + (connection == null ? "never opened" : connection.closeReason())));
                return;
            }
            done = whenDone;
            total = chunks;
            requested = 0;
            received = 0;
            bytes = 0;
            while (requested < Math.min(pipeline, total)) {
                connection.send(IndexMessage.request(requested++));
            }
        }

        @Override
        public void onOpen(Connection c) {
            connection = c;
            opened.complete(null);
        }

        @Override
        public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
            MessageType t = MessageType.of(type);
            if (t == MessageType.ERROR) {
                ErrorMessage e = ErrorMessage.decode(payload);
                fail(new IOException("server error " + e.codeName() + ": " + e.message()));
                return;
            }
            if (t != MessageType.CHUNK) {
                throw new ProtocolException(ErrorCode.UNEXPECTED, "message: " + t + " (expected: CHUNK)");
            }
            ChunkHeader.decodeIndex(payload);
            bytes += payload.remaining();
            received++;
            if (requested < total) {
                connection.send(IndexMessage.request(requested++));
            }
            if (received == total && done != null) {
                CompletableFuture<Long> d = done;
                done = null;
                d.complete(bytes);
            }
        }

        @Override
        public void onClose(String reason) {
            IOException e = new IOException("connection closed: " + reason);
            opened.completeExceptionally(e);
            fail(e);
        }

        private void fail(IOException e) {
            if (done != null) {
                CompletableFuture<Long> d = done;
                done = null;
                d.completeExceptionally(e);
            }
        }
    }

    private static void writeRandom(Path path) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        ByteBuffer block = ByteBuffer.allocate(1024 * 1024);
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long written = 0; written < FILE_BYTES; written += block.capacity()) {
                block.clear();
                while (block.hasRemaining()) {
                    block.putLong(random.nextLong());
                }
                block.flip();
                while (block.hasRemaining()) {
                    out.write(block);
                }
            }
        }
    }

    private ByteBuffer load(ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into, into.position()) < 0) {
                throw new IOException(file + ": ended at " + into.position() + " (expected: " + FILE_BYTES + " bytes)");
            }
        }
        return into.clear();
    }
}
