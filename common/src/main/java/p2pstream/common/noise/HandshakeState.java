package p2pstream.common.noise;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import javax.crypto.AEADBadTagException;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ProtocolException;

/**
 * A Noise HandshakeState (spec section 5.3) for Curve25519 and SHA-256 running one interactive pattern without
 * pre-messages (p2pstream uses {@link #XX}): write and read the messages in turn, then {@link #split()}. Takes a
 * fixed ephemeral key only for the published test vectors. Errors from the other side (a short message, a bad
 * tag, a low-order key) are {@link ProtocolException}s; calling out of turn is a bug (IllegalStateException).
 * Confined to the thread of its connection.
 */
final class HandshakeState {
    /** The tokens of a message pattern. */
    enum Token { E, S, EE, ES, SE, SS }

    /** XX: {@code -> e}, {@code <- e, ee, s, es}, {@code -> s, se}. */
    static final Token[][] XX = {{Token.E}, {Token.E, Token.EE, Token.S, Token.ES}, {Token.S, Token.SE}};

    private final SymmetricState symmetric;
    private final Token[][] pattern;
    private final boolean initiator;
    private final X25519.KeyPair s;
    private X25519.KeyPair e;
    private byte[] rs;
    private byte[] re;
    private int message;

    /**
     * Initialize(): the protocol name is {@code Noise_<pattern>_25519_<cipher>_SHA256}.
     *
     * @param ephemeral null to generate one when the pattern asks (always, except when replaying test vectors)
     */
    HandshakeState(String patternName, Token[][] pattern, NoiseCipher cipher, boolean initiator, byte[] prologue,
                   X25519.KeyPair s, X25519.KeyPair ephemeral) {
        this.symmetric = new SymmetricState("Noise_" + patternName + "_25519_" + cipher.noiseName() + "_SHA256",
                cipher);
        this.pattern = pattern;
        this.initiator = initiator;
        this.s = s;
        this.e = ephemeral;
        symmetric.mixHash(prologue);
    }

    /** Whether the next message is ours to write. */
    boolean isMyTurn() {
        return !isDone() && (message % 2 == 0) == initiator;
    }

    boolean isDone() {
        return message == pattern.length;
    }

    /** The index of the next message, written or read. */
    int handshakeMessage() {
        return message;
    }

    /**
     * WriteMessage(payload): the whole handshake message.
     *
     * @throws ProtocolException when the other side's ephemeral key, read before, is of low order
     */
    byte[] writeMessage(byte[] payload) throws ProtocolException {
        if (!isMyTurn()) {
            throw new IllegalStateException("handshake: message " + message + " is not ours to write");
        }
        ByteBuffer out = ByteBuffer.allocate(messageBytes(message, payload.length));
        for (Token token : pattern[message]) {
            switch (token) {
                case E -> {
                    if (e == null) {
                        e = X25519.generate();
                    }
                    out.put(e.publicKey());
                    symmetric.mixHash(e.publicKey());
                }
                case S -> out.put(symmetric.encryptAndHash(s.publicKey()));
                default -> {
                    try {
                        mixDh(token);
                    } catch (InvalidKeyException x) {
                        throw new ProtocolException(ErrorCode.AUTHENTICATION, "handshake message " + (message + 1)
                                + ": " + x.getMessage());
                    }
                }
            }
        }
        out.put(symmetric.encryptAndHash(payload));
        message++;
        return out.array();
    }

    /** ReadMessage(message): the payload it carried. */
    byte[] readMessage(byte[] bytes) throws ProtocolException {
        if (isMyTurn() || isDone()) {
            throw new IllegalStateException("handshake: message " + message + " is not ours to read");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            for (Token token : pattern[message]) {
                switch (token) {
                    case E -> {
                        re = take(in, X25519.KEY_BYTES, "ephemeral key");
                        symmetric.mixHash(re);
                    }
                    case S -> rs = symmetric.decryptAndHash(take(in, X25519.KEY_BYTES
                            + (symmetric.hasKey() ? NoiseCipher.TAG_BYTES : 0), "static key"));
                    default -> mixDh(token);
                }
            }
            byte[] rest = new byte[in.remaining()];
            in.get(rest);
            byte[] payload = symmetric.decryptAndHash(rest);
            message++;
            return payload;
        } catch (AEADBadTagException x) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION, "handshake message " + (message + 1)
                    + ": authentication failed (expected: a peer that follows Noise_XX with the same prologue)");
        } catch (InvalidKeyException x) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION, "handshake message " + (message + 1) + ": "
                    + x.getMessage());
        }
    }

    private void mixDh(Token token) throws InvalidKeyException {
        symmetric.mixKey(switch (token) {
            case EE -> X25519.dh(e.privateKey(), re);
            case ES -> initiator ? X25519.dh(e.privateKey(), rs) : X25519.dh(s.privateKey(), re);
            case SE -> initiator ? X25519.dh(s.privateKey(), re) : X25519.dh(e.privateKey(), rs);
            case SS -> X25519.dh(s.privateKey(), rs);
            default -> throw new IllegalArgumentException("token: " + token + " (expected: a DH token)");
        });
    }

    /**
     * Split(): {@code [sending, receiving]} for this side. Only once the last message is written or read.
     */
    CipherState[] split() {
        if (!isDone()) {
            throw new IllegalStateException("handshake: split before message " + pattern.length);
        }
        CipherState[] pair = symmetric.split();
        return initiator ? pair : new CipherState[] {pair[1], pair[0]};
    }

    byte[] handshakeHash() {
        return symmetric.handshakeHash();
    }

    /** The other side's static public key, once a message carried it. */
    byte[] remoteStaticKey() {
        return rs == null ? null : rs.clone();
    }

    /** The bytes a message to write will take: keys (encrypted once there is a key), the payload and its tag. */
    private int messageBytes(int index, int payloadBytes) {
        int bytes = payloadBytes;
        boolean keyed = symmetric.hasKey();
        for (Token token : pattern[index]) {
            if (token == Token.E) {
                bytes += X25519.KEY_BYTES;
            } else if (token == Token.S) {
                bytes += X25519.KEY_BYTES + (keyed ? NoiseCipher.TAG_BYTES : 0);
            } else {
                keyed = true;
            }
        }
        return bytes + (keyed ? NoiseCipher.TAG_BYTES : 0);
    }

    private static byte[] take(ByteBuffer in, int count, String field) throws ProtocolException {
        if (in.remaining() < count) {
            throw ProtocolException.malformed("handshake " + field + ": " + in.remaining() + " bytes left (expected: "
                    + count + ")");
        }
        byte[] out = new byte[count];
        in.get(out);
        return out;
    }

    @Override
    public String toString() {
        return "HandshakeState[" + (initiator ? "initiator" : "responder") + ", message " + message + "]";
    }
}
