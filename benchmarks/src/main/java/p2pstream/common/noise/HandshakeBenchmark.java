package p2pstream.common.noise;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.ProtocolException;

/**
 * One whole secure-transport handshake, both sides on one thread, in memory: what a connection costs in CPU
 * before its first frame (two ephemeral keys, five X25519 agreements, two Ed25519 verifications; the static keys
 * are signed once per process, outside the measurement). A tracker accepting N connections a second spends about
 * N times half of it. Score: microseconds per handshake.
 *
 * <pre>java -jar dist/benchmarks.jar HandshakeBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HandshakeBenchmark {
    private final StaticKey initiatorKey = StaticKey.of(Identity.generate());
    private final StaticKey responderKey = StaticKey.of(Identity.generate());
    private final ByteBuffer message = ByteBuffer.allocate(2 + Records.MAX_HANDSHAKE_BYTES);

    @Benchmark
    public Object handshake() throws ProtocolException {
        Handshake initiator = Handshake.initiator(initiatorKey, responderKey.peerId());
        Handshake responder = Handshake.responder(responderKey);
        Handshake[] sides = {initiator, responder};
        for (int i = 0; i < 3; i++) {
            message.clear();
            sides[i % 2].writeNext(message);
            sides[(i + 1) % 2].readNext(message.flip());
        }
        return responder.remotePeerId();
    }
}
