package p2pstream.peer.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.access.Offer;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.tracker.TrackerClient;

/**
 * The files a peer-server sends to chosen readers ({@code --send FILE --to ID|NAME}, PROTOCOL.md section 10,
 * "Sending to one reader"): each is private to its recipients (ids, and the devices of the accounts named) and to
 * whoever the server's {@link Access} lets read every file; announced with a grant per reader, and offered to each
 * recipient through the tracker, both renewed at half the grants' lifetime and again when an account's devices
 * change. Logs one line per recipient when the tracker took the offer, and one when it delivered it. Changes run on
 * the server's first loop; {@link #refusal} and {@link #grantFor} read a snapshot from any loop.
 */
final class Sends {
    private static final Logger log = LoggerFactory.getLogger(Sends.class);

    private final PeerServer server;
    private final Access access;
    private final Set<PeerId> ids;
    private final Set<String> names;
    private final ReaderNames accounts;
    private final TrackerClient tracker;
    private final EventLoop loop;
    /** The content ids of the files sent: any thread. */
    private final Set<ContentId> sentIds = ConcurrentHashMap.newKeySet();
    /** The files sent, by content id: first loop. */
    private final Map<ContentId, ServedStream> sent = new LinkedHashMap<>();
    /** Each file's readers as last announced, for every loop to read. */
    private volatile Map<ContentId, Set<PeerId>> readers = Map.of();
    /** The recipients offered each file so far, and the answers logged (first loop). */
    private final Map<ContentId, Set<PeerId>> offered = new HashMap<>();
    private final Set<String> logged = new HashSet<>();

    Sends(PeerServer server, Access access, Set<PeerId> ids, Set<String> names, ReaderNames accounts) {
        this.server = server;
        this.access = access;
        this.ids = Set.copyOf(ids);
        this.names = Set.copyOf(names);
        this.accounts = accounts;
        this.tracker = server.tracker();
        this.loop = server.firstLoop();
        tracker.onOfferAnswers(this::onAnswer);
    }

    /**
     * Serves the file {@code path} hashed as {@code m} to its readers only (known as sent before it is served: nobody
     * reads it until its readers are published), announced and offered on the first loop. Main thread.
     */
    void add(Manifest m, Path path) throws IOException {
        if (server.holding(m.contentId()) != null) {
            // one content id, one stream: announced both public and private, the two would undo each other
            throw new IllegalArgumentException("--send: " + path + " is shared from --dir as " + m.name() + " already"
                    + " (expected: a file the shared directory does not hold under that name)");
        }
        sentIds.add(m.contentId());
        ServedStream s = server.serveSent(m, path);
        loop.execute(() -> {
            sent.put(s.manifest().contentId(), s);
            update(false);
        });
    }

    /** Renews every grant (announcement and offers) at half their lifetime from now on. Any thread. */
    void renewEvery() {
        loop.schedule(access.renewalMillis(), () -> {
            try {
                update(true);
            } finally {
                renewEvery(); // whatever one renewal met, the next one comes
            }
        });
    }

    /** Who may read changed (an account's devices, an allow file): announced and offered again where it matters. */
    void onAccessChanged() {
        update(false);
    }

    /** Whether {@code id} is a file sent here. Any thread. */
    boolean sends(ContentId id) {
        return sentIds.contains(id);
    }

    /** Why {@code reader} may not read the sent file {@code id} (null when it may). Any thread. */
    String refusal(PeerId reader, boolean encrypted, ContentId id) {
        String shown = "stream " + id.shortHex();
        if (!encrypted) {
            return shown + " is private (expected: an encrypted connection; a private stream never travels in"
                    + " plaintext)";
        }
        if (reader == null || !readers.getOrDefault(id, Set.of()).contains(reader)) {
            return shown + " is private: peer " + (reader == null ? "?" : reader.text()) + " may not read it"
                    + " (expected: a peer id its owner allowed)";
        }
        return null;
    }

    /** The grant a reader of the sent file {@code id} is handed, or null when it may not read it. Any thread. */
    Grant grantFor(PeerId reader, ContentId id, long nowMillis) {
        return readers.getOrDefault(id, Set.of()).contains(reader) ? access.grantForStream(reader, id, nowMillis)
                : null;
    }

    /** The recipients now: the ids, and the devices of the accounts as last heard; never a revoked id. */
    private Set<PeerId> recipients() {
        Set<PeerId> all = new HashSet<>(ids);
        for (String name : names) {
            all.addAll(accounts.devicesOf(name));
        }
        all.removeIf(access::isRevoked);
        return all;
    }

    /** Announces (with fresh grants when {@code renew}, or when the readers changed) and offers what is new. */
    private void update(boolean renew) {
        Set<PeerId> recipients = recipients();
        long now = loop.clock().epochMicros() / 1000;
        Map<ContentId, Set<PeerId>> next = new HashMap<>();
        for (ServedStream s : sent.values()) {
            ContentId id = s.manifest().contentId();
            Set<PeerId> r = new HashSet<>(recipients);
            Permissions.Readers everyFile = access.readers(s.name());
            if (!everyFile.anyone()) {
                r.addAll(everyFile.scopes().keySet());
            }
            next.put(id, Set.copyOf(r));
            boolean changed = !r.equals(readers.get(id));
            if (changed || renew) {
                announce(s, r, now);
            }
            Set<PeerId> told = offered.computeIfAbsent(id, k -> new HashSet<>());
            for (PeerId to : recipients) {
                Grant grant = access.grantForStream(to, id, now);
                if (grant != null && (told.add(to) || renew)) {
                    tracker.offer(new Offer(s.name(), s.manifest().size(), grant));
                }
            }
        }
        readers = Map.copyOf(next);
    }

    private void announce(ServedStream s, Set<PeerId> r, long now) {
        Map<PeerId, String> scopes = new HashMap<>();
        r.forEach(id -> scopes.put(id, ""));
        Message m = access.announcement(s.announcement(), new Permissions.Readers(false, scopes), now);
        if (m instanceof PrivateAnnounce p) {
            tracker.announce(p);
        } else {
            tracker.withdraw(s.manifest().contentId()); // nobody known yet (an account's devices not heard of)
        }
    }

    private void onAnswer(Offer.Answer a) {
        ServedStream s = sent.get(a.contentId());
        String what = "sending " + (s == null ? a.contentId().shortHex() : s.name()) + " to " + a.grantee().text();
        switch (a.kind()) {
            case TAKEN -> {
                if (logged.add(a.contentId().hex() + a.grantee().text() + " taken")) {
                    log.info("{}: the tracker has taken the offer", what);
                }
            }
            case DELIVERED -> {
                if (logged.add(a.contentId().hex() + a.grantee().text() + " delivered")) {
                    log.info("{}: delivered (the recipient's inbox has the offer)", what);
                }
            }
            case REFUSED -> log.warn("{}: the tracker refused the offer: {}", what, a.reason());
        }
    }
}
