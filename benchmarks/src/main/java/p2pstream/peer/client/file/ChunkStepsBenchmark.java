package p2pstream.peer.client.file;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import p2pstream.common.net.FrameDecoder;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.Manifest;

/**
 * The steps of {@link ChunkReceiveBenchmark} apart, on one 256 KiB chunk already in memory: the hash and the manifest
 * check (what the verifier pool does), and the framing with the copy into a pooled buffer that a payload read
 * straight into its buffer saves. One op is one chunk.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ChunkStepsBenchmark {
    private static final int CHUNK_BYTES = Wire.DEFAULT_CHUNK_BYTES;

    private Manifest manifest;
    private ByteBuffer frame;
    private ByteBuffer single;
    private ChunkBuffers buffers;
    private final FrameDecoder decoder = new FrameDecoder(Wire.MAX_PEER_FRAME_BYTES);
    private final MessageDigest digest = Manifest.sha256();

    @Setup(Level.Trial)
    public void setup() {
        byte[] chunk = new byte[CHUNK_BYTES];
        new SplittableRandom(12).nextBytes(chunk);
        manifest = new Manifest("bench.bin", CHUNK_BYTES, CHUNK_BYTES, Manifest.sha256().digest(chunk));
        frame = ByteBuffer.allocateDirect(ChunkHeader.BYTES + CHUNK_BYTES);
        frame.put(ChunkHeader.encode(0, CHUNK_BYTES)).put(chunk).flip();
        single = ByteBuffer.allocateDirect(CHUNK_BYTES).put(chunk).flip();
        buffers = new ChunkBuffers(CHUNK_BYTES);
    }

    /** The hash and the manifest check of one chunk in a direct buffer. */
    @Benchmark
    public boolean hash() {
        digest.update(single.duplicate());
        return manifest.matches(0, digest.digest());
    }

    /** Framing and the copy into a pooled buffer of one chunk. */
    @Benchmark
    public int frame() throws ProtocolException {
        frame.rewind();
        ByteBuffer payload = decoder.next(frame);
        int index = ChunkHeader.decodeIndex(payload);
        ByteBuffer copy = buffers.acquire();
        copy.put(payload).flip();
        buffers.recycle(copy);
        return index;
    }
}
