package p2pstream.common.noise;

import java.nio.ByteBuffer;
import java.util.function.UnaryOperator;
import p2pstream.common.wire.ProtocolException;

/** Runs two {@link Handshake}s against each other in memory, optionally altering the messages on the way. */
final class Handshakes {
    private Handshakes() {
    }

    /** Runs them until both are done; every message passes through {@code path} (index 0..2, bytes) on its way. */
    static void run(Handshake initiator, Handshake responder, Path path) throws ProtocolException {
        Handshake[] sides = {initiator, responder};
        int index = 0;
        while (!initiator.isDone() || !responder.isDone()) {
            Handshake from = sides[index % 2];
            Handshake to = sides[(index + 1) % 2];
            ByteBuffer wire = ByteBuffer.allocate(Records.LENGTH_BYTES + Records.MAX_HANDSHAKE_BYTES);
            from.writeNext(wire);
            wire.flip();
            ByteBuffer arrived = path.carry(index, wire);
            if (!to.readNext(arrived)) {
                throw ProtocolException.malformed("handshake message " + (index + 1) + ": cut short");
            }
            index++;
        }
    }

    static void run(Handshake initiator, Handshake responder) throws ProtocolException {
        run(initiator, responder, (index, bytes) -> bytes);
    }

    /** What the path between the two does to message {@code index}. */
    @FunctionalInterface
    interface Path {
        ByteBuffer carry(int index, ByteBuffer bytes);

        static Path onMessage(int which, UnaryOperator<ByteBuffer> change) {
            return (index, bytes) -> index == which ? change.apply(bytes) : bytes;
        }
    }
}
