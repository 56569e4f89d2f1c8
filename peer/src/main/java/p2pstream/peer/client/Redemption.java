package p2pstream.peer.client;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import p2pstream.common.access.Grant;
import p2pstream.common.access.GrantMessage;
import p2pstream.common.access.Redeem;
import p2pstream.common.net.Connection;
import p2pstream.common.net.ConnectionHandler;
import p2pstream.common.net.EventLoop;
import p2pstream.common.net.Limits;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;
import p2pstream.peer.swarm.StreamFailure;

/**
 * One REDEEM at a private stream's owner (PROTOCOL.md section 10): connects (demanding the owner's id when known),
 * says HELLO without a content id and REDEEM, and completes with the GRANT naming this peer, or fails with a
 * {@link StreamFailure} whose status says why ({@code refusedStatus} for the owner's refusal). Loop thread, but for
 * {@link #start}.
 */
final class Redemption implements ConnectionHandler {
    private static final String PEER_ERROR = ErrorCode.PEER_ERROR_REASON;
    /** The owner answers at once, or after the tracker's round trip (at most 10 s) for a good secret. */
    static final Limits LIMITS = Limits.CONTROL.withIdleTimeoutMillis(30_000);

    private final PeerId self;
    private final PeerId owner;
    private final Redeem redeem;
    private final int refusedStatus;
    private final CompletableFuture<Grant> result = new CompletableFuture<>();
    private Connection connection;

    private Redemption(PeerId self, PeerId owner, Redeem redeem, int refusedStatus) {
        this.self = self;
        this.owner = owner;
        this.redeem = redeem;
        this.refusedStatus = refusedStatus;
    }

    /**
     * Redeems {@code redeem} at {@code address}, whose handshake must prove {@code owner} (null: any id, which the
     * grant must then name as its owner). Any thread.
     */
    static CompletableFuture<Grant> start(EventLoop loop, StaticKey key, InetSocketAddress address, PeerId owner,
                                          Redeem redeem, int refusedStatus) {
        Redemption r = new Redemption(key.peerId(), owner, redeem, refusedStatus);
        loop.execute(() -> loop.connect(address, r, LIMITS, key, owner));
        return r.result;
    }

    @Override
    public void onOpen(Connection c) {
        connection = c;
        c.send(new Hello(Role.CLIENT, self, 0, null));
        c.send(redeem);
    }

    @Override
    public void onFrame(int type, ByteBuffer payload) throws ProtocolException {
        MessageType.of(type).expect(MessageType.GRANT);
        Grant g = GrantMessage.decode(payload).grant();
        PeerId proved = connection.remotePeerId(); // proved by the handshake, over before any frame
        if (!g.grantee().equals(self) || !g.owner().equals(proved)) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION, "grant: from " + g.owner().text() + " for "
                    + g.grantee().text() + " (expected: from " + proved.text() + ", the peer answering, for "
                    + self.text() + ", this peer)");
        }
        result.complete(g);
    }

    @Override
    public void onClose(String reason) {
        if (result.isDone()) {
            return;
        }
        boolean refused = reason != null && (reason.startsWith(PEER_ERROR + ErrorCode.FORBIDDEN.name())
                || reason.startsWith(PEER_ERROR + ErrorCode.RATE_LIMITED.name()));
        String why = refused ? reason.substring(reason.indexOf(':') + 1).strip() : reason;
        result.completeExceptionally(new StreamFailure(refused ? refusedStatus : StreamFailure.UNREACHABLE,
                (refused ? "refused by " : "no answer from ") + (owner != null ? "peer " + owner.text() : "the peer")
                        + ": " + why));
    }
}
