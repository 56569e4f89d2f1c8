package p2pstream.common.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import p2pstream.common.net.FrameDecoder;

/**
 * One control frame's round trip through the codecs, as a connection does it: encode the message into a
 * reused (direct, like a connection's read buffer) buffer with {@link Frames#encode(Message, ByteBuffer)},
 * split it off again with a {@link FrameDecoder}, look up its {@link MessageType} and decode the payload.
 * Score: ns per round trip; run with {@code -prof gc} for bytes allocated per round trip.
 *
 * <pre>java -jar dist/benchmarks.jar FrameCodecBenchmark -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 5, time = 1) // PEERS needs ~5 s before C2 settles: earlier iterations swing 2-40 us/op
@Measurement(iterations = 5, time = 1)
public class FrameCodecBenchmark {

    /** Entries in the PEERS answer (a lookup returns at most {@link Wire#MAX_PEERS_PER_LOOKUP}). */
    @Param({"50"})
    public int peers;

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(Wire.LENGTH_FIELD_BYTES + Wire.MAX_CONTROL_FRAME_BYTES);
    private final FrameDecoder decoder = new FrameDecoder(Wire.MAX_CONTROL_FRAME_BYTES);
    private IndexMessage request;
    private IndexMessage have;
    private Announce announce;
    private Peers peersMessage;

    @Setup
    public void setup() throws UnknownHostException {
        SplittableRandom random = new SplittableRandom(42);
        ContentId id = new ContentId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
        request = IndexMessage.request(1234);
        have = IndexMessage.have(98_765);
        long size = 4L * 1024 * 1024 * 1024 + 12_345;
        int chunkSize = Wire.DEFAULT_CHUNK_BYTES;
        int chunkCount = (int) ((size + chunkSize - 1) / chunkSize);
        announce = new Announce(id, "films/2024/big-buck-bunny-1080p.mp4", size, chunkSize, chunkCount, chunkCount);
        List<Peers.Entry> entries = new ArrayList<>(peers);
        for (int i = 0; i < peers; i++) {
            InetAddress ip = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, (byte) (1 + i % 250)});
            entries.add(new Peers.Entry(new InetSocketAddress(ip, 20_000 + i),
                    new PeerId(random.nextLong(), random.nextLong()), i % 3 == 0));
        }
        peersMessage = new Peers(id, announce.name(), size, chunkSize, entries);
    }

    @Benchmark
    public IndexMessage request() throws ProtocolException {
        ByteBuffer payload = roundTrip(request);
        return IndexMessage.decode(MessageType.of(decoder.type()), payload);
    }

    @Benchmark
    public IndexMessage have() throws ProtocolException {
        ByteBuffer payload = roundTrip(have);
        return IndexMessage.decode(MessageType.of(decoder.type()), payload);
    }

    @Benchmark
    public Announce announce() throws ProtocolException {
        ByteBuffer payload = roundTrip(announce);
        check(MessageType.ANNOUNCE);
        return Announce.decode(payload);
    }

    @Benchmark
    public Peers peers() throws ProtocolException {
        ByteBuffer payload = roundTrip(peersMessage);
        check(MessageType.PEERS);
        return Peers.decode(payload);
    }

    /** The header a server writes before every chunk body, and the index the client reads back. */
    @Benchmark
    public int chunkHeader() throws ProtocolException {
        ByteBuffer header = ChunkHeader.encode(1234, Wire.DEFAULT_CHUNK_BYTES);
        header.position(Frames.HEADER_BYTES);
        return ChunkHeader.decodeIndex(header);
    }

    private ByteBuffer roundTrip(Message message) throws ProtocolException {
        buffer.clear();
        Frames.encode(message, buffer);
        buffer.flip();
        ByteBuffer payload = decoder.next(buffer);
        if (payload == null) {
            throw new IllegalStateException(message.type() + ": frame incomplete after encoding");
        }
        return payload;
    }

    private void check(MessageType expected) throws ProtocolException {
        MessageType actual = MessageType.of(decoder.type());
        if (actual != expected) {
            throw new IllegalStateException("type: " + actual + " (expected: " + expected + ")");
        }
    }
}
