package p2pstream.peer.relay;

import java.nio.ByteBuffer;
import p2pstream.common.data.BufferData;
import p2pstream.common.net.Acceptor;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.Inbound;
import p2pstream.common.wire.Join;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.ProtocolException;

/**
 * One end's connection to a relay: its first frame must be JOIN; from then on every byte it sends goes to the other
 * end unread, paced by the other end's backlog (reading stops while the other side cannot take more). Relay loop.
 */
final class CircuitEnd implements ConnectionHandler, Inbound {
    /** Bytes read from one end at a time, at most: the read buffer grows to this while bytes keep coming. */
    static final int SPLICE_BYTES = 64 * 1024;

    private final Relay relay;
    private Connection connection;
    private Circuit circuit;
    private CircuitEnd other;

    CircuitEnd(Relay relay) {
        this.relay = relay;
    }

    @Override
    public void onOpen(Connection c) {
        this.connection = c;
    }

    @Override
    public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
        MessageType.of(type).expect(MessageType.JOIN);
        Join j = Join.decode(payload);
        circuit = relay.onJoin(this, j);
        connection.helloAccepted();
        connection.inbound(this); // what follows JOIN is the ends' own bytes: carried, not framed
        if (other == null) {
            connection.autoRead(false); // held until the other end joins
        }
    }

    /** The other end joined: bytes flow both ways from now on. */
    void splice(CircuitEnd to) {
        this.other = to;
        connection.autoRead(true);
    }

    @Override
    public boolean next(ByteBuffer in) {
        if (other == null || !in.hasRemaining()) {
            return false;
        }
        int n = in.remaining();
        ByteBuffer copy = ByteBuffer.allocate(n);
        copy.put(in).flip();
        other.connection.send(BufferData.of(copy));
        if (!circuit.carried(n)) {
            return false;
        }
        if (!other.connection.isWritable()) {
            connection.autoRead(false); // the other end's backlog waits in TCP, not here
            other.connection.onDrainedBelow(Math.max(1, other.connection.pendingBytes() / 2));
        }
        return true;
    }

    @Override
    public int nextUnitBytes(ByteBuffer in) {
        return SPLICE_BYTES;
    }

    @Override
    public void onWritable() {
        if (other != null && other.connection.isOpen()) {
            other.connection.autoRead(true); // our backlog went down: the other end may send again
        }
    }

    /** The circuit ends: what is queued goes out, then the connection closes. */
    void end(String reason) {
        if (connection != null && connection.isOpen()) {
            connection.closeAfterFlush(reason);
        }
    }

    @Override
    public void onClose(String reason) {
        if (circuit != null) {
            relay.onEnded(circuit);
            circuit.close("an end closed: " + reason);
        }
    }

    @Override
    public String toString() {
        return connection == null ? "end" : Acceptor.hostPort(connection.remoteAddress());
    }
}
