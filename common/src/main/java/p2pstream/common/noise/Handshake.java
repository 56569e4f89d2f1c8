package p2pstream.common.noise;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * One connection's secure-transport handshake: Noise_XX_25519_AESGCM_SHA256 with the prologue
 * {@value #PROLOGUE}, each side's identity payload ({@link StaticKey}) in its encrypted message, and the remote
 * peer id checked against the one expected (the id the tracker named, a pinned tracker's). Pure: it is handed
 * received messages and asked for the next to send; no socket. Then {@link #encoder()} and {@link #decoder()}
 * carry the frames. Confined to the thread of its connection.
 *
 * <pre>
 * -> e                        message 1: &lt;len:u16=32&gt;&lt;e:32&gt;
 * &lt;- e, ee, s, es + payload   message 2: &lt;len:u16=194&gt;&lt;e:32&gt;&lt;s:48&gt;&lt;identity payload:98+16&gt;
 * -> s, se + payload          message 3: &lt;len:u16=162&gt;&lt;s:48&gt;&lt;identity payload:98+16&gt;
 * </pre>
 */
public final class Handshake {
    /** Mixed into the handshake hash: a peer of another protocol or version fails at the first encrypted message. */
    public static final String PROLOGUE = "p2pstream/1 noise";
    static final NoiseCipher CIPHER = NoiseCipher.AESGCM;
    /** How the error about a peer proving another id than expected starts, after its code. */
    public static final String WRONG_PEER = "peer id: ";

    private final HandshakeState state;
    private final StaticKey local;
    private final PeerId expected;
    private final boolean initiator;
    private PeerId remote;
    private boolean remoteAllowsPlaintext;
    private CipherState[] split;

    private Handshake(StaticKey local, boolean initiator, PeerId expected, X25519.KeyPair ephemeral) {
        this.local = local;
        this.initiator = initiator;
        this.expected = expected;
        this.state = new HandshakeState("XX", HandshakeState.XX, CIPHER, initiator,
                PROLOGUE.getBytes(StandardCharsets.US_ASCII), local.key(), ephemeral);
    }

    /**
     * The id the other side proved instead of the one demanded, when a connection closed with {@code reason} for that,
     * else null. Only our own handshake's verdict counts: an ERROR frame ("peer error ...") is anybody's word.
     */
    public static String provedInstead(String reason) {
        String mark = ErrorCode.AUTHENTICATION.name() + ": " + WRONG_PEER;
        int at = reason == null || reason.startsWith(ErrorCode.PEER_ERROR_REASON) ? -1 : reason.indexOf(mark);
        if (at < 0) {
            return null;
        }
        int from = at + mark.length();
        int end = reason.indexOf(' ', from);
        return reason.substring(from, end < 0 ? reason.length() : end);
    }

    /** The side that connected; {@code expected} is the peer id it must find there, or null for any. */
    public static Handshake initiator(StaticKey local, PeerId expected) {
        return new Handshake(local, true, expected, null);
    }

    /** The side that accepted: any peer id may connect, and {@link #remotePeerId()} says which did. */
    public static Handshake responder(StaticKey local) {
        return new Handshake(local, false, null, null);
    }

    /**
     * The responding side of a connection arranged for a known peer (a holder dialing back the viewer the tracker
     * named): that peer must prove {@code expected}.
     */
    public static Handshake responder(StaticKey local, PeerId expected) {
        return new Handshake(local, false, expected, null);
    }

    /** With a fixed ephemeral key: the fuzz targets' reproducible handshakes. */
    static Handshake of(StaticKey local, boolean initiator, PeerId expected, X25519.KeyPair ephemeral) {
        return new Handshake(local, initiator, expected, ephemeral);
    }

    /** Whether this side has a message to send now. */
    public boolean isMyTurn() {
        return state.isMyTurn();
    }

    public boolean isDone() {
        return state.isDone();
    }

    /**
     * Writes this side's next message, length first, into {@code out}, which has room for a unit of
     * {@link Records#MAX_HANDSHAKE_BYTES}.
     */
    public void writeNext(ByteBuffer out) throws ProtocolException {
        // the first message has no key yet, so its payload would go in clear: it carries none
        byte[] payload = isFirst() ? new byte[0] : local.payload();
        byte[] message = state.writeMessage(payload);
        out.putShort((short) message.length).put(message);
        if (state.isDone()) {
            split = state.split();
        }
    }

    /**
     * Takes the next whole handshake message from {@code in} (position to limit) if it has arrived.
     *
     * @return false when it has not all arrived ({@code in} unmoved)
     * @throws ProtocolException when it is malformed or fails authentication, or the peer is not the one expected
     */
    public boolean readNext(ByteBuffer in) throws ProtocolException {
        ByteBuffer body = Records.next(in, 1, Records.MAX_HANDSHAKE_BYTES, "handshake message", -1);
        if (body == null) {
            return false;
        }
        byte[] message = new byte[body.remaining()];
        body.get(message);
        boolean first = isFirst();
        byte[] payload = state.readMessage(message);
        if (first) {
            if (payload.length != 0) {
                throw new ProtocolException(ErrorCode.AUTHENTICATION, "handshake message 1: a payload of "
                        + payload.length + " bytes (expected: none)");
            }
        } else {
            StaticKey.Proof proof = StaticKey.verify(payload, state.remoteStaticKey());
            PeerId proved = proof.peerId();
            if (expected != null && !expected.equals(proved)) {
                throw new ProtocolException(ErrorCode.AUTHENTICATION, WRONG_PEER + proved.text() + " (expected: "
                        + expected.text() + ", the id this peer was named by)");
            }
            remote = proved;
            remoteAllowsPlaintext = proof.allowsPlaintext();
        }
        if (state.isDone()) {
            split = state.split();
        }
        return true;
    }

    public boolean isInitiator() {
        return initiator;
    }

    /** How many of the other side's messages this side has read. */
    public int messagesRead() {
        int sent = state.handshakeMessage();
        return initiator ? sent / 2 : (sent + 1) / 2;
    }

    private boolean isFirst() {
        return !state.isDone() && state.handshakeMessage() == 0;
    }

    /** The peer id the other side proved, once its identity payload arrived. */
    public PeerId remotePeerId() {
        return remote;
    }

    /**
     * Whether both sides allow plaintext, so the frames that follow travel in clear: each side's choice is in its
     * encrypted, authenticated identity payload, so nobody on the path can make it for them.
     */
    public boolean plaintextAgreed() {
        done();
        return local.allowsPlaintext() && remoteAllowsPlaintext;
    }

    /** The record encoder for what this side sends; only once the handshake is done. */
    public RecordEncoder encoder() {
        return new RecordEncoder(done()[0]);
    }

    /** The record decoder for what this side receives; only once the handshake is done. */
    public RecordDecoder decoder() {
        return new RecordDecoder(done()[1]);
    }

    /** Both ends hold the same 32 bytes once done: what a later signature can bind to this very connection. */
    public byte[] handshakeHash() {
        done();
        return state.handshakeHash();
    }

    private CipherState[] done() {
        if (split == null) {
            throw new IllegalStateException("handshake: not done");
        }
        return split;
    }

    @Override
    public String toString() {
        return "Handshake[" + (initiator ? "initiator" : "responder") + ", " + state + (remote == null ? ""
                : ", " + remote.text()) + "]";
    }
}
