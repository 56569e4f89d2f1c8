package p2pstream.common.net;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import p2pstream.common.identity.Identity;
import p2pstream.common.noise.Handshake;
import p2pstream.common.noise.RecordDecoder;
import p2pstream.common.noise.RecordEncoder;
import p2pstream.common.noise.Records;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ProtocolException;

/**
 * A blocking client's side of the secure transport (PROTOCOL.md section 9) for tests that write frames by hand: runs
 * the Noise handshake on a socket's streams, then seals what is written into records and opens what is read. A
 * listener that refuses before the handshake (its ERROR frame in clear) is read in clear. Test thread only.
 */
public final class SecureStreams {
    private static boolean warm;
    public final InputStream in;
    public final OutputStream out;
    /** The listener answered in clear (a refusal) instead of with the handshake. */
    public final boolean refusedInClear;

    private SecureStreams(InputStream in, OutputStream out, boolean refusedInClear) {
        this.in = in;
        this.out = out;
        this.refusedInClear = refusedInClear;
    }

    /** The connecting side's handshake, taking any peer id. */
    public static SecureStreams connect(InputStream socketIn, OutputStream socketOut, StaticKey key)
            throws IOException {
        Handshake h = Handshake.initiator(key, null);
        PushbackInputStream pushback = new PushbackInputStream(socketIn, 2);
        DataInputStream in = new DataInputStream(pushback);
        try {
            write(h, socketOut);
            int first = in.read();
            int second = in.read();
            if (first < 0 || second < 0) {
                throw new EOFException("the listener closed within the handshake");
            }
            if (first == 0 && second == 0) {
                pushback.unread(new byte[2]);
                return new SecureStreams(pushback, socketOut, true);
            }
            int length = first << 8 | second;
            byte[] message = new byte[2 + length];
            message[0] = (byte) first;
            message[1] = (byte) second;
            in.readFully(message, 2, length);
            if (!h.readNext(ByteBuffer.wrap(message))) {
                throw new EOFException("handshake message 2: cut short");
            }
            write(h, socketOut);
        } catch (ProtocolException e) {
            throw new IOException(e.getMessage(), e);
        }
        return new SecureStreams(new Opening(in, h.decoder()), new Sealing(socketOut, h.encoder()), false);
    }

    /** The accepting side's handshake (a fake peer or tracker a viewer connects to). */
    public static SecureStreams accept(InputStream socketIn, OutputStream socketOut, StaticKey key) throws IOException {
        warmUp();
        Handshake h = Handshake.responder(key);
        DataInputStream in = new DataInputStream(socketIn);
        try {
            read(h, in);
            write(h, socketOut);
            read(h, in);
        } catch (ProtocolException e) {
            throw new IOException(e.getMessage(), e);
        }
        return new SecureStreams(new Opening(in, h.decoder()), new Sealing(socketOut, h.encoder()), false);
    }

    private static void read(Handshake h, DataInputStream in) throws IOException, ProtocolException {
        int length = in.readUnsignedShort();
        byte[] message = new byte[2 + length];
        message[0] = (byte) (length >>> 8);
        message[1] = (byte) length;
        in.readFully(message, 2, length);
        if (!h.readNext(ByteBuffer.wrap(message))) {
            throw new EOFException("handshake message: cut short");
        }
    }

    /**
     * Runs a few handshakes in memory, once per JVM, so that a fake peer's first one is not slower than the real
     * servers' beside it by the JIT's cold start (tests that need the fake asked first would otherwise race the
     * honest peers). Fakes call it before they listen; {@link #accept} calls it too.
     */
    public static synchronized void warmUp() {
        if (warm) {
            return;
        }
        warm = true;
        StaticKey a = StaticKey.of(Identity.generate());
        StaticKey b = StaticKey.of(Identity.generate());
        try {
            for (int i = 0; i < 20; i++) {
                Handshake initiator = Handshake.initiator(a, b.peerId());
                Handshake responder = Handshake.responder(b);
                ByteBuffer wire = ByteBuffer.allocate(Records.LENGTH_BYTES + Records.MAX_HANDSHAKE_BYTES);
                for (Handshake from = initiator, to = responder; !initiator.isDone() || !responder.isDone(); ) {
                    wire.clear();
                    from.writeNext(wire);
                    to.readNext(wire.flip());
                    Handshake t = from;
                    from = to;
                    to = t;
                }
            }
        } catch (ProtocolException e) {
            throw new IllegalStateException("warm-up handshake: " + e.getMessage(), e);
        }
    }

    private static void write(Handshake h, OutputStream out) throws IOException, ProtocolException {
        ByteBuffer b = ByteBuffer.allocate(Records.LENGTH_BYTES + Records.MAX_HANDSHAKE_BYTES);
        h.writeNext(b);
        out.write(b.array(), 0, b.position());
        out.flush();
    }

    /**
     * Seals every write into records of at most 16 KiB. Writes from several threads (a fake peer announcing on one
     * and answering on another) are sealed and sent one whole write at a time, in the order of their nonces.
     */
    private static final class Sealing extends OutputStream {
        private final OutputStream socket;
        private final RecordEncoder encoder;
        private final ByteBuffer sealed = ByteBuffer.allocate(Records.MAX_WIRE_BYTES);

        Sealing(OutputStream socket, RecordEncoder encoder) {
            this.socket = socket;
            this.encoder = encoder;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer plain = ByteBuffer.wrap(b, off, len);
            while (plain.hasRemaining()) {
                sealed.clear();
                encoder.encode(plain, sealed);
                socket.write(sealed.array(), 0, sealed.position());
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            socket.flush();
        }
    }

    /** Opens records as their bytes are read; a bad record is an IOException, as the server's would be. */
    private static final class Opening extends InputStream {
        private final DataInputStream socket;
        private final RecordDecoder decoder;
        private final ByteBuffer plain = ByteBuffer.allocate(Records.MAX_PLAINTEXT_BYTES).flip();

        Opening(DataInputStream socket, RecordDecoder decoder) {
            this.socket = socket;
            this.decoder = decoder;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (!plain.hasRemaining()) {
                int first = socket.read();
                if (first < 0) {
                    return -1;
                }
                int length = first << 8 | socket.readUnsignedByte();
                byte[] record = new byte[2 + length];
                record[0] = (byte) first;
                record[1] = (byte) (length & 0xff);
                socket.readFully(record, 2, length);
                plain.clear();
                try {
                    decoder.decode(ByteBuffer.wrap(record), plain);
                } catch (ProtocolException e) {
                    throw new IOException(e.getMessage(), e);
                }
                plain.flip();
            }
            int count = Math.min(len, plain.remaining());
            plain.get(b, off, count);
            return count;
        }

        @Override
        public int available() {
            return plain.remaining();
        }
    }
}
