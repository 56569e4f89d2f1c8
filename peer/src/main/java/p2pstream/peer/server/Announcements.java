package p2pstream.peer.server;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.Message;
import p2pstream.peer.tracker.TrackerClient;

/**
 * What a peer-server tells the tracker of its streams under its {@link Access} as it changes: a public stream's
 * ANNOUNCE; a private one's PRIVATE_ANNOUNCE with a grant per reader, sent again with fresh grants at half their
 * lifetime and whenever its readers change (the tracker keeps the latest announcement's grants only, so an id taken
 * off stops finding it at once); nothing for a stream nobody may read (withdrawn). The starting thread, then the
 * server's loop.
 */
final class Announcements {
    private final TrackerClient tracker;
    private final Access access;
    private final EventLoop loop;
    /** Each stream's readers as last announced; absent: not announced (or withdrawn). */
    private final Map<ContentId, Permissions.Readers> told = new HashMap<>();

    Announcements(TrackerClient tracker, Access access, EventLoop loop) {
        this.tracker = tracker;
        this.access = access;
        this.loop = loop;
    }

    /** Renews the private streams' grants of {@code streams} (read when due) at half their lifetime from now on. */
    void renewEvery(Supplier<Collection<ServedStream>> streams) {
        loop.schedule(access.renewalMillis(), () -> {
            for (ServedStream s : streams.get()) {
                Permissions.Readers r = told.get(s.manifest().contentId());
                if (r != null && !r.anyone()) {
                    announce(s.announcement());
                }
            }
            renewEvery(streams);
        });
    }

    /** Announces {@code a} as its access says now (withdrawn when nobody may read it). */
    void announce(Announce a) {
        announce(a, access.readers(a.name()));
    }

    /** Announces {@code a} for {@code readers}, its access now: what is told and what is kept agree. */
    private void announce(Announce a, Permissions.Readers readers) {
        Message m = access.announcement(a, readers, loop.clock().epochMicros() / 1000);
        if (m == null) {
            withdraw(a.contentId());
            return;
        }
        Permissions.Readers before = told.put(a.contentId(), readers);
        if (before != null && before.anyone() != readers.anyone()) {
            // public to private or back: the tracker keeps a content id's kind while it is known
            tracker.withdraw(a.contentId());
        }
        if (m instanceof PrivateAnnounce p) {
            tracker.announce(p);
        } else {
            tracker.announce(a);
        }
    }

    void withdraw(ContentId id) {
        if (told.remove(id) != null) {
            tracker.withdraw(id);
        }
    }

    /** The access changed: every stream of {@code streams} whose readers changed is announced again (or withdrawn). */
    void onAccessChanged(Collection<ServedStream> streams) {
        for (ServedStream s : streams) {
            Permissions.Readers now = access.readers(s.manifest().name());
            Permissions.Readers before = told.get(s.manifest().contentId());
            if (before == null ? !now.equals(Permissions.Readers.NOBODY) : !before.equals(now)) {
                announce(s.announcement(), now);
            }
        }
    }
}
