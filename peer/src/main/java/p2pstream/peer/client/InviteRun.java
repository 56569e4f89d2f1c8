package p2pstream.peer.client;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import p2pstream.common.access.Grant;
import p2pstream.common.access.InviteLink;
import p2pstream.common.access.Redeem;
import p2pstream.common.cli.Endpoint;
import p2pstream.common.cli.PinnedAddress;
import p2pstream.common.net.EventLoop;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.PeerId;
import p2pstream.peer.swarm.StreamFailure;

/**
 * {@code peer-client p2ps://...} and {@code peer-client TRACKER STREAM --peer HOST:PORT[#ID] --password-file FILE}:
 * redeems an invite or the provider password at the stream's owner for a grant naming this peer (PROTOCOL.md section
 * 10), before the command goes on as usual: a file invite fetches that file through the tracker (by the content id
 * the grant names), a folder invite lists what the tracker now shows this peer. Main thread only.
 */
final class InviteRun {
    /** The invite was refused: already used by another peer, unknown to its owner, or guessed too often. */
    static final int REFUSED = StreamFailure.INVITE_REFUSED;
    private static final long ANSWER_SECONDS = 40;

    private InviteRun() {
    }

    /**
     * Redeems the link in {@code main.tracker}, if it is one, and points {@code main} at what it got; the exit status
     * when it failed, else null.
     */
    static Integer invite(PeerClientMain main, PrintStream err) throws Exception {
        if (main.tracker == null || !main.tracker.startsWith(InviteLink.SCHEME)) {
            return null;
        }
        if (main.stream != null || main.list || main.http != null || main.discovery.discover()
                || !main.peerAddresses.isEmpty()) {
            throw new IllegalArgumentException("TRACKER: an invite link with other arguments (expected: peer-client"
                    + " LINK [-o FILE], as its owner printed it)");
        }
        InviteLink link;
        try {
            link = InviteLink.parse(main.tracker);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TRACKER: " + e.getMessage(), e);
        }
        StaticKey key = main.identity.staticKey();
        Grant grant;
        try {
            grant = redeem(key, Endpoint.parse(link.ownerAddress(), 0), link.owner(),
                    new Redeem(Redeem.Kind.INVITE, link.secret()), REFUSED);
        } catch (StreamFailure e) {
            err.println("peer-client: invite " + (e.exitStatus() == REFUSED ? "" : "not redeemed: ")
                    + e.getMessage());
            return e.exitStatus();
        }
        main.tracker = link.tracker() + (link.trackerId() != null ? "#" + link.trackerId().text() : "");
        if (grant.contentId() != null || link.isFile()) {
            main.stream = grant.contentId() != null ? grant.contentId().hex() : link.scope();
            if (main.output == null) {
                main.output = PeerClientMain.defaultFileName(link.scope());
            }
            err.println("peer-client: invite redeemed: peer " + link.owner().text() + " lets this peer read "
                    + link.scope());
        } else {
            main.list = true;
            main.filter = link.scope();
            err.println("peer-client: invite redeemed: peer " + link.owner().text() + " lets this peer read "
                    + (link.scope().isEmpty() ? "everything it shares" : "every file under " + link.scope() + "/")
                    + "; fetch one with: peer-client " + main.tracker + " NAME");
        }
        err.flush();
        return null;
    }

    /**
     * Gives the provider password to the owner named by the first {@code --peer HOST:PORT[#ID]} (the #ID, when given,
     * is the id its handshake must prove) before the stream is fetched as usual; the exit status when refused, else
     * null (also when no password is given).
     */
    static Integer password(PeerClientMain main, PasswordOptions options, PrintStream err) throws Exception {
        if (!options.any()) {
            return null;
        }
        if (main.peerAddresses.isEmpty() || main.tracker == null || "-".equals(main.tracker)) {
            throw new IllegalArgumentException("--password-file: without TRACKER and --peer (expected: peer-client"
                    + " TRACKER STREAM --peer HOST:PORT#OWNER-ID, the owner the password is for: the tracker names"
                    + " a private stream's peers to its readers only)");
        }
        PinnedAddress first = PinnedAddress.parse("--peer", main.peerAddresses.get(0));
        PeerId owner = first.id();
        if (owner == null) {
            err.println("peer-client: the password goes to whoever answers at " + first.address()
                    + " (add #ID, the owner's peer id, to be sure it is the owner)");
        }
        char[] password = options.read();
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] utf8 = new byte[encoded.remaining()];
        encoded.get(utf8);
        Arrays.fill(encoded.array(), (byte) 0);
        Arrays.fill(password, '\0');
        try {
            redeem(main.identity.staticKey(), Endpoint.parse(first.address(), 0), owner,
                    new Redeem(Redeem.Kind.PASSWORD, utf8), StreamFailure.FORBIDDEN);
        } catch (StreamFailure e) {
            err.println("peer-client: password " + e.getMessage());
            return e.exitStatus();
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
        return null;
    }

    private static Grant redeem(StaticKey key, InetSocketAddress address, PeerId owner, Redeem redeem,
                                int refusedStatus) throws Exception {
        if (address.getPort() <= 0) {
            throw new IllegalArgumentException("owner address: " + address + " (expected: HOST:PORT)");
        }
        try (EventLoop loop = new EventLoop("redeem").start()) {
            return Redemption.start(loop, key, address, owner, redeem, refusedStatus)
                    .get(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (StreamFailure.root(e) instanceof StreamFailure f) {
                throw f;
            }
            throw new StreamFailure(StreamFailure.UNREACHABLE, StreamFailure.rootMessage(e));
        } catch (TimeoutException e) {
            throw new StreamFailure(StreamFailure.UNREACHABLE, "no answer from " + address + " in " + ANSWER_SECONDS
                    + " s");
        }
    }
}
