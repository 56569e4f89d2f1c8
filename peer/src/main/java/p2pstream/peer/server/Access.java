package p2pstream.peer.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;
import p2pstream.peer.store.SharedDirectory;

/**
 * Who may read a peer-server's streams, changing while it runs (PROTOCOL.md section 10): anyone, or with
 * {@code --private} the ids of {@code --allow} and the {@code --allow-file}; a folder's {@code .p2paccess} decides for
 * that folder and below; {@link #admit} lets one id in at run time. Each reader let in gets a grant naming it, signed
 * by the server's identity, and the tracker one per reader with each announcement.
 *
 * <p>Threading: every change runs on the server's loop (a call from another thread is handed to it; before the
 * server starts, it runs on the starting thread), builds a new immutable {@link Permissions} and tells the server,
 * which announces again and ends the sessions of readers no longer let in. Reads take that snapshot: any thread.
 */
public final class Access {
    /**
     * How long a grant of a private file stays valid, handed to a reader or uploaded to the tracker; the server
     * renews the tracker's at half of it. An id taken off can fetch from other readers until its last grant expires.
     */
    static final long GRANT_LIFETIME_MILLIS = 3_600_000;
    /** How often a live stream's grants are renewed unless {@code --grant-renewal} says otherwise; valid twice that. */
    static final long LIVE_RENEWAL_MILLIS = 30_000;
    /** Readers admitted at run time at most (each with its prefixes). */
    static final int MAX_ADMITTED = 4_096;

    private static final Logger log = LoggerFactory.getLogger(Access.class);

    /** Null: no identity to sign grants, so a folder that names readers is readable by nobody. */
    private final Identity owner;
    private final boolean privateByDefault;
    private final Set<PeerId> allowed;
    /** Account names given with --allow: every device of each reads (through {@link ReaderNames}). */
    private final Set<String> allowedNames;
    // the sources: the starting thread, then the server's loop
    private AllowFile allowFile;
    private Revocations revocations;
    private FolderAccess folders = FolderAccess.NONE;
    private final Map<PeerId, Set<String>> admitted = new HashMap<>();
    private final AtomicInteger admissions = new AtomicInteger();
    private ReaderNames names = ReaderNames.NONE;
    private final Set<String> unresolvedLogged = new HashSet<>();
    /** Null until the server binds it; volatile: {@link #admit} and the hook may come from any thread. */
    private volatile EventLoop loop;
    private Runnable onChange = () -> { };
    private volatile Permissions now;
    /** How long each grant this access signs is valid; renewed at half of it. Set before the server starts. */
    private volatile long grantLifetimeMillis = GRANT_LIFETIME_MILLIS;
    /** Ids revoked ({@link Revocations}): let in by nothing, whatever the lists, accounts and admissions say. */
    private volatile Set<PeerId> revoked = Set.of();

    private Access(Identity owner, boolean privateByDefault, Set<PeerId> allowed, Set<String> allowedNames) {
        this.owner = owner;
        this.privateByDefault = privateByDefault;
        this.allowed = Set.copyOf(allowed);
        this.allowedNames = Set.copyOf(allowedNames);
        publish();
    }

    /** Anyone may read; an access file that names readers makes its folder readable by nobody (no identity). */
    public static Access anyone() {
        return new Access(null, false, Set.of(), Set.of());
    }

    /** Anyone may read, except where a folder's access file says otherwise ({@code owner} signs those grants). */
    public static Access anyone(Identity owner) {
        return new Access(owner, false, Set.of(), Set.of());
    }

    /**
     * Private: only {@code allowed} (which may be empty: an allow file or {@link #admit} lets readers in later), and
     * {@code owner}, the server's identity, signs their grants.
     */
    public static Access allowing(Identity owner, Collection<PeerId> allowed) {
        return allowing(owner, allowed, Set.of());
    }

    /** The same, also letting in every device of the tracker accounts {@code names} (once they resolve). */
    public static Access allowing(Identity owner, Collection<PeerId> allowed, Collection<String> names) {
        if (allowed.size() + names.size() > ReaderList.MAX_ENTRIES) {
            throw new IllegalArgumentException("--allow: " + (allowed.size() + names.size()) + " ids and names"
                    + " (expected: at most " + ReaderList.MAX_ENTRIES + ")");
        }
        return new Access(owner, true, Set.copyOf(allowed), Set.copyOf(names));
    }

    /**
     * The same, also letting in who {@code file} names, re-read whenever it changes. Before the server starts.
     *
     * @throws IllegalArgumentException naming the file, and the line when one is wrong
     */
    public Access withAllowFile(Path file) {
        return withAllowFile(AllowFile.load(file));
    }

    Access withAllowFile(AllowFile file) {
        if (!privateByDefault) {
            throw new IllegalArgumentException("--allow-file: without --private (expected: --private --allow-file"
                    + " FILE)");
        }
        allowFile = file;
        publish();
        return this;
    }

    /** The same, letting in by nothing the ids {@code r} names, re-read as it changes. Before the server starts. */
    public Access withRevocations(Revocations r) {
        revocations = r;
        revoked = Set.copyOf(r.ids());
        publish();
        return this;
    }

    public boolean isPrivate() {
        return privateByDefault;
    }

    /**
     * Grants valid for two {@code periodMillis}, renewed every period (a private live stream's short-lived grants;
     * {@code --grant-renewal}). Before the server starts.
     */
    public Access withGrantRenewal(long periodMillis) {
        if (periodMillis < 1_000) {
            throw new IllegalArgumentException("--grant-renewal: " + periodMillis + " ms (expected: at least 1 s)");
        }
        grantLifetimeMillis = 2 * periodMillis;
        return this;
    }

    /** How often the grants are renewed: half their lifetime. Any thread. */
    long renewalMillis() {
        return grantLifetimeMillis / 2;
    }

    /** From now on the ids {@code ids} are let in by nothing (PROTOCOL.md section 10, revocation). Any thread. */
    void revoked(Set<PeerId> ids) {
        Set<PeerId> copy = Set.copyOf(ids);
        change(() -> revoked = copy);
    }

    /** Whether {@code id} is revoked now. Any thread. */
    boolean isRevoked(PeerId id) {
        return id != null && revoked.contains(id);
    }

    /**
     * Lets {@code reader} read every stream under {@code prefix} ("" is everything shared; "a/b" covers "a/b" and
     * "a/b/..."), as long as the server runs, besides whom the lists allow; not where an access file that cannot be
     * read governs (fail closed). Any thread: applied on the server's loop.
     *
     * @return false when {@value #MAX_ADMITTED} admissions were made already (nothing changes)
     * @throws IllegalArgumentException for a prefix that is no stream name (nor "")
     */
    public boolean admit(PeerId reader, String prefix) {
        // here, on the caller's thread: a null kept in 'admitted' would fail every later publish (Map.copyOf)
        Objects.requireNonNull(reader, "reader");
        String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (!p.isEmpty()) {
            SharedDirectory.checkName(p);
        }
        if (admissions.get() >= MAX_ADMITTED) {
            log.warn("not admitting {} to '{}': {} admissions (expected: at most {})", reader, p, admissions.get(),
                    MAX_ADMITTED);
            return false;
        }
        change(() -> {
            if (admitted.computeIfAbsent(reader, r -> new HashSet<>()).add(p)) {
                admissions.incrementAndGet();
                log.info("admitted {} to '{}'", reader.text(), p);
            }
        });
        return true;
    }

    /** Account names resolve through {@code r} from now on (the accounts hook; default: none). Any thread. */
    public void names(ReaderNames r) {
        change(() -> names = r);
    }

    /** What the {@link ReaderNames} know changed: names are resolved again. Any thread. */
    public void namesChanged() {
        change(() -> { });
    }

    /** The folders' access files as the shared directory's last listing found them. Any thread. */
    void folders(FolderAccess f) {
        change(() -> folders = f);
    }

    /** From now on changes run on {@code serverLoop} and {@code onChanged} runs there after each. Starting thread. */
    void bind(EventLoop serverLoop, Runnable onChanged) {
        this.onChange = onChanged;
        this.loop = serverLoop; // last: the volatile write publishes the rest
        if (allowFile != null) {
            allowFile.watch(serverLoop, list -> publishAndTell());
        }
        if (revocations != null) {
            revocations.watch(serverLoop, this::revoked);
        }
    }

    private void change(Runnable update) {
        if (loop == null) {
            update.run();
            publish();
        } else if (loop.inEventLoop()) {
            update.run();
            publishAndTell();
        } else {
            loop.execute(() -> {
                update.run();
                publishAndTell();
            });
        }
    }

    private void publishAndTell() {
        publish();
        onChange.run();
    }

    /** Resolves the sources into a new snapshot. */
    private void publish() {
        Set<PeerId> everywhere = new HashSet<>(allowed);
        if (!allowedNames.isEmpty()) {
            everywhere.addAll(resolve(new ReaderList(Set.of(), allowedNames, false)));
        }
        if (allowFile != null) {
            everywhere.addAll(resolve(allowFile.readers()));
        }
        Map<String, Set<PeerId>> folderIds = new HashMap<>();
        for (var e : folders.byFolder().entrySet()) {
            folderIds.put(e.getKey(), resolve(e.getValue()));
        }
        Map<PeerId, Set<String>> admittedNow = new HashMap<>();
        admitted.forEach((id, prefixes) -> admittedNow.put(id, Set.copyOf(prefixes)));
        now = new Permissions(privateByDefault, everywhere, folders, folderIds, admittedNow);
    }

    private Set<PeerId> resolve(ReaderList list) {
        Set<PeerId> ids = new HashSet<>(list.ids());
        for (String name : list.names()) {
            Set<PeerId> devices = names.devicesOf(name);
            if (devices.isEmpty() && unresolvedLogged.add(name)) {
                log.warn("account name '{}' lets nobody in yet: no device of it is known (the tracker is asked"
                        + " DEVICES; an account it does not have stays empty)", name);
            }
            ids.addAll(devices);
        }
        return ids;
    }

    /** Who may read the stream {@code name} now. Any thread. */
    Permissions.Readers readers(String name) {
        Permissions.Readers r = now.readers(name);
        // without an identity no grant can be signed: a folder that names readers stays closed
        if (owner == null && !r.anyone()) {
            return Permissions.Readers.NOBODY;
        }
        Set<PeerId> out = revoked;
        if (r.anyone() || out.isEmpty() || Collections.disjoint(out, r.scopes().keySet())) {
            return r;
        }
        Map<PeerId, String> kept = new HashMap<>(r.scopes());
        kept.keySet().removeAll(out);
        return new Permissions.Readers(false, kept);
    }

    /**
     * Why {@code reader} may not read the stream {@code name} (null when it may), said of it as {@code shown};
     * {@code encrypted}: whether its connection is.
     */
    String refusal(PeerId reader, boolean encrypted, String name, String shown) {
        Permissions.Readers r = readers(name);
        if (r.anyone()) {
            return null;
        }
        if (!encrypted) {
            return shown + " is private (expected: an encrypted connection; a private stream never travels in"
                    + " plaintext)";
        }
        if (!r.admits(reader)) {
            return shown + " is private: peer " + (reader == null ? "?" : reader.text()) + " may not read it"
                    + " (expected: a peer id its owner allowed)";
        }
        return null;
    }

    /**
     * The grant a reader let into the stream {@code id} named {@code name} is handed, valid from {@code nowMillis}:
     * for the folder of the access file that let it in, else for the stream itself; null when the stream is public.
     */
    Grant grantFor(PeerId reader, ContentId id, String name, long nowMillis) {
        Permissions.Readers r = readers(name);
        String scope = r.scopes().get(reader);
        if (r.anyone() || scope == null) {
            return null;
        }
        long expires = nowMillis + grantLifetimeMillis;
        return scope.isEmpty() ? Grant.forStream(owner, reader, id, expires)
                : Grant.forPrefix(owner, reader, scope, expires);
    }

    /**
     * The grant for the one stream {@code id} that a reader admitted to it is handed (a file's invite), valid from
     * {@code nowMillis}; null when the server is public.
     */
    Grant grantForStream(PeerId reader, ContentId id, long nowMillis) {
        return owner == null || isRevoked(reader) ? null
                : Grant.forStream(owner, reader, id, nowMillis + grantLifetimeMillis);
    }

    /**
     * The grant for everything under {@code prefix} ("" for all) that a reader admitted to it is handed (a folder's
     * invite, the provider password), valid from {@code nowMillis}; null when the server is public.
     */
    Grant grantForPrefix(PeerId reader, String prefix, long nowMillis) {
        return owner == null || isRevoked(reader) ? null
                : Grant.forPrefix(owner, reader, prefix, nowMillis + grantLifetimeMillis);
    }

    /**
     * How {@code a} is announced to the tracker now: as it is for a public stream; for a private one, with a grant
     * for the stream per reader, valid from {@code nowMillis} (at most {@link PrivateAnnounce#MAX_GRANTS}: the rest
     * can fetch with --peer but not find it); null when nobody may read it (it is withdrawn).
     */
    Message announcement(Announce a, long nowMillis) {
        return announcement(a, readers(a.name()), nowMillis);
    }

    /** The same for the readers {@code r} the caller took from {@link #readers} (each call builds them anew). */
    Message announcement(Announce a, Permissions.Readers r, long nowMillis) {
        if (r.anyone()) {
            return a;
        }
        if (r.scopes().isEmpty()) {
            return null;
        }
        List<PeerId> ids = new ArrayList<>(r.scopes().keySet());
        if (ids.size() > PrivateAnnounce.MAX_GRANTS) {
            log.warn("{}: {} readers, the tracker takes {} grants: the others can fetch it with --peer but not find"
                    + " it", a.name(), ids.size(), PrivateAnnounce.MAX_GRANTS);
            ids.sort(Comparator.comparing(PeerId::text));
            ids = ids.subList(0, PrivateAnnounce.MAX_GRANTS);
        }
        List<Grant> grants = new ArrayList<>(ids.size());
        for (PeerId reader : ids) {
            // by content id: compact (256 fit a control frame whatever the folder's name) and no wider than needed
            grants.add(Grant.forStream(owner, reader, a.contentId(), nowMillis + grantLifetimeMillis));
        }
        return new PrivateAnnounce(a, grants);
    }

    @Override
    public String toString() {
        Permissions p = now;
        return (privateByDefault ? "private to " + p.everywhere().size() + " peer ids" : "public")
                + (p.folders().byFolder().isEmpty() ? "" : ", " + p.folders().byFolder().size() + " access files")
                + (p.admitted().isEmpty() ? "" : ", " + p.admitted().size() + " admitted");
    }
}
