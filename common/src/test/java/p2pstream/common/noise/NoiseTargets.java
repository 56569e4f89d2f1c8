package p2pstream.common.noise;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import p2pstream.common.fuzz.FuzzTarget;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.ProtocolException;

/**
 * The secure transport's decoders as {@link FuzzTarget}s: the record decoder (records sealed under a fixed key),
 * the responder reading an initiator's messages 1 and 3, and the initiator reading a responder's message 2, with
 * fixed keys on both sides so a valid handshake is the same bytes every time and a damaged one must fail. Made
 * once (a handshake is milliseconds); any thread may read them.
 */
public final class NoiseTargets {
    private static final byte[] RECORD_KEY = HexFormat.of().parseHex(
            "8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0");
    /** Records one fuzz input may carry: three full ones. */
    static final int MAX_RECORD_INPUT_BYTES = 3 * Records.MAX_WIRE_BYTES;

    private static final Keys INITIATOR = new Keys(Identity.generate());
    private static final Keys RESPONDER = new Keys(Identity.generate());
    private static final Transcript TRANSCRIPT = transcript();
    /**
     * A handshake's fixed work, whatever its input: three or four X25519 agreements, an Ed25519 verification, the
     * JDK's key factories and ciphers. Measured on the seeded run: up to 140 KB for the initiator's side, 310 KB for
     * the responder's (two messages read, one written). A length trusted from the input could add at most the 1 KiB
     * bound of a handshake message, which HandshakeTest shows is refused before the bytes arrive.
     */
    static final long HANDSHAKE_FIXED_BYTES = 512 * 1024;

    private NoiseTargets() {
    }

    public static List<FuzzTarget<?>> all() {
        return List.of(records(), responder(), initiator());
    }

    /** One side's fixed keys. */
    private record Keys(StaticKey key, X25519.KeyPair ephemeral) {
        Keys(Identity identity) {
            this(StaticKey.of(identity, X25519.generate()), X25519.generate());
        }

        Handshake handshake(boolean initiator) {
            return Handshake.of(key, initiator, null, ephemeral);
        }
    }

    /** The three messages of the fixed handshake, each with its length. */
    private record Transcript(byte[] first, byte[] second, byte[] third) {
    }

    private static Transcript transcript() {
        try {
            Handshake initiator = INITIATOR.handshake(true);
            Handshake responder = RESPONDER.handshake(false);
            byte[][] messages = new byte[3][];
            Handshake[] sides = {initiator, responder};
            for (int i = 0; i < 3; i++) {
                ByteBuffer wire = ByteBuffer.allocate(2 + Records.MAX_HANDSHAKE_BYTES);
                sides[i % 2].writeNext(wire);
                messages[i] = Arrays.copyOf(wire.array(), wire.position());
                sides[(i + 1) % 2].readNext(wire.flip());
            }
            return new Transcript(messages[0], messages[1], messages[2]);
        } catch (ProtocolException e) {
            throw new IllegalStateException("the fixed handshake failed: " + e.getMessage(), e);
        }
    }

    /** A run of plaintext, sealed as the encoder cuts it: records of the largest size, the last one shorter. */
    record Plaintext(byte[] bytes) {
        @Override
        public String toString() {
            return "plaintext of " + bytes.length + " bytes";
        }
    }

    static FuzzTarget<Plaintext> records() {
        return FuzzTarget.of("records", MAX_RECORD_INPUT_BYTES,
                draw -> new Plaintext(draw.fork().bytes(draw.oneIn(8)
                        ? draw.between(1, 2 * Records.MAX_PLAINTEXT_BYTES + 100) : draw.between(1, 300))),
                p -> seal(p.bytes()),
                (base, in) -> {
                    RecordDecoder decoder = new RecordDecoder(keyed());
                    ByteBuffer out = ByteBuffer.allocate(in.remaining());
                    decoder.decode(in, out);
                    decoder.onEndOfStream(in);
                    return new Plaintext(Arrays.copyOf(out.array(), out.position()));
                });
    }

    static byte[] seal(byte[] plaintext) {
        RecordEncoder encoder = new RecordEncoder(keyed());
        ByteBuffer in = ByteBuffer.wrap(plaintext);
        ByteBuffer out = ByteBuffer.allocate(MAX_RECORD_INPUT_BYTES);
        while (in.hasRemaining()) {
            encoder.encode(in, out);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    private static CipherState keyed() {
        CipherState cipher = new CipherState(Handshake.CIPHER);
        cipher.initializeKey(RECORD_KEY);
        return cipher;
    }

    /** What a side read: the bytes that made it (the one valid handshake's), once it is done. */
    record Heard(byte[] bytes) {
        @Override
        public String toString() {
            return bytes.length + " bytes of handshake";
        }
    }

    /** The responder reading messages 1 and 3 (and writing 2 between them). */
    static FuzzTarget<Heard> responder() {
        byte[] valid = concat(TRANSCRIPT.first(), TRANSCRIPT.third());
        return FuzzTarget.of("handshake responder", 2 * (2 + Records.MAX_HANDSHAKE_BYTES),
                draw -> new Heard(valid), Heard::bytes,
                (base, in) -> {
                    int start = in.position();
                    Handshake responder = RESPONDER.handshake(false);
                    need(responder.readNext(in), 1);
                    responder.writeNext(ByteBuffer.allocate(2 + Records.MAX_HANDSHAKE_BYTES));
                    need(responder.readNext(in), 3);
                    return heard(responder, in, start);
                }).withFixedBytes(HANDSHAKE_FIXED_BYTES);
    }

    /** The initiator reading message 2 (having written 1, and writing 3 after it). */
    static FuzzTarget<Heard> initiator() {
        return FuzzTarget.of("handshake initiator", 2 + Records.MAX_HANDSHAKE_BYTES,
                draw -> new Heard(TRANSCRIPT.second()), Heard::bytes,
                (base, in) -> {
                    int start = in.position();
                    Handshake initiator = INITIATOR.handshake(true);
                    initiator.writeNext(ByteBuffer.allocate(2 + Records.MAX_HANDSHAKE_BYTES));
                    need(initiator.readNext(in), 2);
                    initiator.writeNext(ByteBuffer.allocate(2 + Records.MAX_HANDSHAKE_BYTES));
                    return heard(initiator, in, start);
                }).withFixedBytes(HANDSHAKE_FIXED_BYTES);
    }

    private static void need(boolean whole, int message) throws ProtocolException {
        if (!whole) {
            throw ProtocolException.malformed("handshake message " + message + ": cut short by the end of the input");
        }
    }

    /** A side done with the handshake, having proved the other's id; bytes after it are records, not its business. */
    private static Heard heard(Handshake side, ByteBuffer in, int start) throws ProtocolException {
        if (!side.isDone() || side.remotePeerId() == null) {
            throw new AssertionError("a handshake read without error must be done and know the peer");
        }
        if (in.hasRemaining()) {
            throw ProtocolException.malformed("handshake: " + in.remaining() + " bytes after it (expected: records)");
        }
        byte[] bytes = new byte[in.position() - start];
        in.get(start, bytes);
        return new Heard(bytes);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
