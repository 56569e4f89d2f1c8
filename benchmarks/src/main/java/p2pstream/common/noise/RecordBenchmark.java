package p2pstream.common.noise;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.ProtocolException;

/**
 * One 256 KiB chunk through the record layer after a real handshake: sealed into 16 KiB records by a
 * {@link RecordEncoder}, then opened by the other side's {@link RecordDecoder}, direct buffers throughout. Compare
 * with {@link AeadBenchmark} at 16 KiB: the difference is the record layer's own cost. Score: ns per chunk;
 * MB/s = 262144 / score * 1000 (both directions' work on one thread).
 *
 * <pre>java -jar dist/benchmarks.jar RecordBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RecordBenchmark {
    private static final int CHUNK_BYTES = 256 * 1024;

    private RecordEncoder encoder;
    private RecordDecoder decoder;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
    private final ByteBuffer wire = ByteBuffer.allocateDirect(CHUNK_BYTES + 16 * Records.MAX_WIRE_BYTES);
    private final ByteBuffer opened = ByteBuffer.allocateDirect(CHUNK_BYTES);

    @Setup
    public void setup() throws ProtocolException {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < CHUNK_BYTES; i++) {
            chunk.put(i, (byte) random.nextInt());
        }
        Handshake initiator = Handshake.initiator(StaticKey.of(Identity.generate()), null);
        Handshake responder = Handshake.responder(StaticKey.of(Identity.generate()));
        Handshake[] sides = {initiator, responder};
        for (int i = 0; i < 3; i++) {
            ByteBuffer message = ByteBuffer.allocate(2 + Records.MAX_HANDSHAKE_BYTES);
            sides[i % 2].writeNext(message);
            sides[(i + 1) % 2].readNext(message.flip());
        }
        encoder = initiator.encoder();
        decoder = responder.decoder();
    }

    @Benchmark
    public int sealAndOpenOneChunk() throws ProtocolException {
        ByteBuffer in = chunk.duplicate();
        wire.clear();
        while (in.hasRemaining()) {
            encoder.encode(in, wire);
        }
        opened.clear();
        return decoder.decode(wire.flip(), opened);
    }
}
