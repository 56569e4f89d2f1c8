package p2pstream.peer.server;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.access.GrantMessage;
import p2pstream.common.access.GuessLimit;
import p2pstream.common.access.InviteLink;
import p2pstream.common.access.PasswordHash;
import p2pstream.common.access.Redeem;
import p2pstream.common.net.Connection;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * A private peer-server's answers to REDEEM (PROTOCOL.md section 10): an invite's secret or the provider password
 * lets the reader's proved id in ({@link Access#admit}), the files it covers are announced again with a grant for it,
 * and once the tracker has them the reader gets a GRANT naming it; else ERROR FORBIDDEN. Guessing is braked per source
 * address (and, for the password, per claimed id) by {@link GuessLimit}s. The password's slow hash (about 0.3 s) runs
 * on a thread of its own, one check at a time with a short queue, never on a loop: a serving loop that stalled for
 * every guess would stall every viewer on it. {@link #start} and {@link #invite} from any thread (the main),
 * {@link #onRedeem} from any session's loop; the rest on the server's first loop.
 */
public final class Redemptions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Redemptions.class);
    /** Password checks waiting for the checker at most; beyond, a guess is told the server is busy. */
    static final int MAX_QUEUED_CHECKS = 8;

    private final PeerServer server;
    private final Access access;
    private final EventLoop loop;
    private final Invites invites;
    /** Null when the server takes no password. */
    private final PasswordHash password;
    private final GuessLimit<InetAddress> inviteGuesses;
    private final GuessLimit<InetAddress> passwordGuessesByAddress;
    private final GuessLimit<PeerId> passwordGuessesById;
    /** Sources and ids with a password check in flight: one at a time each. */
    private final Set<Object> checking = new HashSet<>();
    private final ThreadPoolExecutor checker;
    /** Password hashes computed so far. */
    private final AtomicInteger checks = new AtomicInteger();
    /** The links made by this run and not redeemed yet, by their secret's hash: the page (any loop) shows them. */
    private final Map<String, Shown> links = new LinkedHashMap<>();

    /**
     * Has {@code server} (private by {@code access}) answer REDEEM from now on, with the invites kept in
     * {@code invitesFile} and {@code password} (null: none); lets earlier runs' redeemers in again. Closed with the
     * server.
     */
    public static Redemptions start(PeerServer server, Access access, Path invitesFile, PasswordHash password)
            throws IOException {
        Redemptions r = new Redemptions(server, access, Invites.load(invitesFile), password);
        server.redeemWith(r);
        return r;
    }

    /**
     * Makes an invite for {@code asked} (a shared file's name, else a folder; "" for everything), kept until
     * redeemed, and returns its link, which the page shows until then.
     *
     * @param tracker   HOST:PORT where the redeemer finds the tracker
     * @param trackerId the tracker's id the link pins, or null
     */
    public InviteLink invite(String asked, String tracker, PeerId trackerId) throws IOException {
        boolean file = !asked.isEmpty() && named(asked) != null;
        byte[] secret;
        synchronized (invites) { // the main thread makes them while the loop redeems others
            secret = invites.create(file, asked);
        }
        InviteLink link = new InviteLink(tracker, server.peerId(), InviteOptions.ownerAddress(server), file, asked,
                secret, trackerId);
        Shown shown = new Shown(link.covers(), link.text()); // its QR code made outside the lock the page takes
        synchronized (links) {
            links.put(Invites.hash(secret), shown);
        }
        return link;
    }

    /** Invites kept and not redeemed yet, this run's and earlier ones'. Any thread. */
    public int unusedCount() {
        synchronized (invites) {
            return invites.unusedCount();
        }
    }

    private Redemptions(PeerServer server, Access access, Invites invites, PasswordHash password) {
        this.server = server;
        this.access = access;
        this.loop = server.firstLoop();
        this.invites = invites;
        this.password = password;
        this.inviteGuesses = new GuessLimit<>(loop.clock());
        this.passwordGuessesByAddress = new GuessLimit<>(loop.clock());
        this.passwordGuessesById = new GuessLimit<>(loop.clock());
        this.checker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED_CHECKS), r -> {
                    Thread t = new Thread(r, "password-check");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Lets the redeemers of earlier runs' invites in again and announces what they read. The first loop. */
    void readmit() {
        List<Invites.Invite> redeemed;
        synchronized (invites) {
            redeemed = invites.redeemed();
        }
        for (Invites.Invite i : redeemed) {
            access.admit(i.redeemer(), i.scope()); // Access announces what the reader may now read
        }
    }

    /** An invite shown on the page: what it lets in, its link and the link's QR code. Immutable; any thread. */
    public static final class Shown {
        private final String what;
        private final String link;
        private final boolean[][] qr;

        /** Encodes the QR code once, here, not at every load of the page on a serving loop (about 1 ms a link). */
        public Shown(String what, String link) {
            this.what = what;
            this.link = link;
            this.qr = QrModules.of(link);
        }

        public String what() {
            return what;
        }

        public String link() {
            return link;
        }

        /** The link's QR code, {@code [y][x]} dark, for the page to read (null: too long for one). */
        boolean[][] qr() {
            return qr;
        }
    }

    /** This run's links not redeemed yet, in the order made. Any thread. */
    List<Shown> links() {
        synchronized (links) {
            return List.copyOf(links.values());
        }
    }

    /** A session's REDEEM, from {@code c} (its loop thread): answered on it when decided. */
    void onRedeem(Connection c, Redeem r) {
        InetAddress source = GuessLimit.sourceOf(c.remoteAddress().getAddress());
        PeerId reader = c.remotePeerId();
        boolean encrypted = c.isEncrypted();
        loop.execute(() -> {
            if (!encrypted || reader == null) {
                refuse(c, ErrorCode.FORBIDDEN, "redeem: in plaintext (expected: an encrypted connection; a private"
                        + " stream never travels in plaintext)");
            } else if (access.isRevoked(reader)) {
                // before any secret is checked or spent: a revoked id is let in by nothing
                refuse(c, ErrorCode.FORBIDDEN, "peer " + reader.text() + " is revoked (expected: an id its owner has"
                        + " not revoked)");
            } else if (r.kind() == Redeem.Kind.INVITE) {
                onInvite(c, source, reader, r.secret());
            } else {
                onPassword(c, source, reader, r.secret());
            }
        });
    }

    private void onInvite(Connection c, InetAddress source, PeerId reader, byte[] secret) {
        long wait = inviteGuesses.waitMillis(source);
        if (wait > 0) {
            refuse(c, ErrorCode.RATE_LIMITED, "invite: too many wrong guesses from " + source.getHostAddress()
                    + " (expected: wait " + GuessLimit.seconds(wait) + " before the next)");
            return;
        }
        Invites.Outcome outcome;
        try {
            synchronized (invites) {
                outcome = invites.redeem(secret, reader);
            }
        } catch (IOException e) {
            log.warn("cannot save the invites: {}", e.toString());
            refuse(c, ErrorCode.INTERNAL, "invite: the server cannot record it (expected: try again later)");
            return;
        }
        if (outcome.invite() == null) {
            if (outcome.unknown()) {
                inviteGuesses.onWrong(source);
            }
            log.info("{} peer {}: {}", c.remoteAddress(), reader.text(), outcome.refusal());
            refuse(c, ErrorCode.FORBIDDEN, outcome.refusal());
            return;
        }
        inviteGuesses.onRight(source);
        Invites.Invite i = outcome.invite();
        synchronized (links) {
            links.remove(i.hash());
        }
        log.info("{} peer {} redeemed an invite for {} {}", c.remoteAddress(), reader.text(),
                i.file() ? "file" : "folder", i.scope().isEmpty() ? "(everything)" : i.scope());
        admit(c, reader, i.file(), i.scope());
    }

    private void onPassword(Connection c, InetAddress source, PeerId reader, byte[] secret) {
        if (password == null) {
            refuse(c, ErrorCode.FORBIDDEN, "password: this server takes none (expected: an invite, or an id it"
                    + " allows)");
            return;
        }
        long wait = Math.max(passwordGuessesByAddress.waitMillis(source), passwordGuessesById.waitMillis(reader));
        if (wait > 0 || checking.contains(source) || checking.contains(reader)) {
            refuse(c, ErrorCode.RATE_LIMITED, "password: too many wrong guesses from " + source.getHostAddress()
                    + " (expected: wait " + GuessLimit.seconds(Math.max(wait, 1_000)) + " before the next)");
            return;
        }
        checking.add(source);
        checking.add(reader);
        try {
            checker.execute(() -> {
                char[] chars = PasswordHash.chars(secret);
                boolean right = password.matches(chars);
                Arrays.fill(chars, '\0');
                loop.execute(() -> onChecked(c, source, reader, right));
            });
        } catch (RejectedExecutionException e) {
            checking.remove(source);
            checking.remove(reader);
            refuse(c, ErrorCode.RATE_LIMITED, "password: the server is checking " + MAX_QUEUED_CHECKS + " others"
                    + " (expected: try again in a second)");
        }
    }

    private void onChecked(Connection c, InetAddress source, PeerId reader, boolean right) {
        checks.incrementAndGet();
        checking.remove(source);
        checking.remove(reader);
        if (!right) {
            passwordGuessesByAddress.onWrong(source);
            passwordGuessesById.onWrong(reader);
            long wait = Math.max(passwordGuessesByAddress.waitMillis(source), passwordGuessesById.waitMillis(reader));
            log.info("{} peer {}: wrong password", c.remoteAddress(), reader.text());
            refuse(c, ErrorCode.FORBIDDEN, "wrong password (expected: the provider's password; the next guess"
                    + " from this address waits " + GuessLimit.seconds(wait) + ")");
            return;
        }
        passwordGuessesByAddress.onRight(source);
        passwordGuessesById.onRight(reader);
        log.info("{} peer {} gave the provider password", c.remoteAddress(), reader.text());
        admit(c, reader, false, "");
    }

    /** Lets {@code reader} in, announces what it may now read, and hands it its grant once the tracker has them. */
    private void admit(Connection c, PeerId reader, boolean file, String scope) {
        if (!access.admit(reader, scope)) {
            refuse(c, ErrorCode.FORBIDDEN, "this server lets the most ids in already (expected: at most "
                    + Access.MAX_ADMITTED + " admissions)");
            return;
        }
        long now = loop.clock().epochMicros() / 1000;
        ServedStream named = file ? named(scope) : null;
        Grant grant = named != null ? access.grantForStream(reader, named.manifest().contentId(), now)
                : access.grantForPrefix(reader, scope, now);
        if (grant == null) { // revoked since the REDEEM was let through
            refuse(c, ErrorCode.FORBIDDEN, "peer " + reader.text() + " is revoked (expected: an id its owner has not"
                    + " revoked)");
            return;
        }
        // the reader looks the stream up next: the tracker must hold its grant first (if it is away, the answer
        // comes when the tracker's round trip fails)
        server.announced().whenComplete((done, failed) -> c.loop().execute(() -> {
            if (c.isOpen()) {
                c.send(new GrantMessage(grant));
                c.closeAfterFlush("redeemed");
            }
        }));
    }

    /** The shared file named {@code name}, or null. */
    private ServedStream named(String name) {
        for (ServedStream s : server.files()) {
            if (s.manifest().name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    private static void refuse(Connection c, ErrorCode code, String message) {
        c.loop().execute(() -> c.fail(new ProtocolException(code, message)));
    }

    /** Password hashes computed so far: a guess refused by the brake costs none. Any thread. */
    public int passwordChecks() {
        return checks.get();
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
