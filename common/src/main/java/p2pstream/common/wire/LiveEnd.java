package p2pstream.common.wire;

import java.nio.ByteBuffer;

/**
 * The publisher ended a live stream after {@code chunkCount} chunks (indexes 0..chunkCount-1), signed like a
 * chunk so that no relay can end a stream early. Relayed as received. Thread-safe (immutable).
 *
 * <pre>LIVE_END: &lt;len=77&gt;&lt;type=0x29&gt;&lt;chunk count:u32&gt;&lt;end time micros:i64&gt;
 *           &lt;signature:64&gt;</pre>
 */
public record LiveEnd(int chunkCount, long endMicros, byte[] signature) implements Message {

    public LiveEnd {
        if (chunkCount < 0 || signature.length != LiveChunkHeader.SIGNATURE_BYTES) {
            throw new IllegalArgumentException("chunk count " + chunkCount + ", signature " + signature.length
                    + " bytes (expected: count >= 0, " + LiveChunkHeader.SIGNATURE_BYTES + "-byte signature)");
        }
    }

    @Override
    public MessageType type() {
        return MessageType.LIVE_END;
    }

    @Override
    public int payloadLength() {
        return 4 + 8 + LiveChunkHeader.SIGNATURE_BYTES;
    }

    @Override
    public void encodePayload(ByteBuffer out) {
        out.putInt(chunkCount).putLong(endMicros).put(signature);
    }

    public static LiveEnd decode(ByteBuffer in) throws ProtocolException {
        int count = Wire.getU31(in, "chunk count");
        long time = Wire.getI64(in, "end time");
        Wire.need(in, LiveChunkHeader.SIGNATURE_BYTES, "signature");
        byte[] signature = new byte[LiveChunkHeader.SIGNATURE_BYTES];
        in.get(signature);
        Wire.end(in, MessageType.LIVE_END);
        return new LiveEnd(count, time, signature);
    }
}
