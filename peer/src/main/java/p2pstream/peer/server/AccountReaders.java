package p2pstream.peer.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Devices;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.PeerId;

/**
 * The account names in a server's reader lists ({@code --allow NAME}, an allow file, a {@code .p2paccess}) turned
 * into the devices of those tracker accounts ({@link ReaderNames}): a name is asked of the tracker (DEVICES,
 * PROTOCOL.md section 10) the first time the server's {@link Access} resolves it, and every {@link #REASK_MILLIS}
 * after; when the devices of a name change, the access is resolved again ({@link Access#namesChanged}), so a device
 * added to (or removed from) an account reads (or stops) within one period. A name the tracker does not answer for,
 * or cannot say about now, keeps the devices last heard (a tracker restarting locks no reader out).
 * {@link #devicesOf} from the server's loop, never blocking; the asking on a loop of its own.
 */
public final class AccountReaders implements ReaderNames, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccountReaders.class);
    /** How often the tracker is asked again: a new device reads within this. */
    static final long REASK_MILLIS = 30_000;
    /** Names asked about at most: a reader list holds 1,024 entries, and a server a few lists. */
    static final int MAX_NAMES = 4_096;

    private final Access access;
    private final PeerServer server;
    private final EventLoop loop = new EventLoop("allow-names");
    /** The devices last heard, by account name; a name not yet answered maps to nothing. */
    private final Map<String, Set<PeerId>> devices = new ConcurrentHashMap<>();
    /** Names the tracker last said no account has (said once in the log until found). Own loop only. */
    private final Set<String> missing = new HashSet<>();

    AccountReaders(Access access, PeerServer server) {
        this.access = access;
        this.server = server;
    }

    /** Resolves names through this from now on, and starts asking the tracker. */
    public void start() {
        loop.start();
        loop.schedule(REASK_MILLIS, this::askAll);
        access.names(this);
    }

    @Override
    public Set<PeerId> devicesOf(String name) {
        Set<PeerId> known = devices.get(name);
        if (known != null) {
            return known;
        }
        if (devices.size() < MAX_NAMES && devices.putIfAbsent(name, Set.of()) == null) {
            loop.execute(() -> ask(List.of(name))); // a name seen for the first time: asked now
        }
        return Set.of();
    }

    @Override
    public void close() {
        loop.close();
    }

    private void askAll() {
        ask(new ArrayList<>(devices.keySet()));
        loop.schedule(REASK_MILLIS, this::askAll);
    }

    private void ask(List<String> names) {
        List<CompletableFuture<Devices>> answers = new ArrayList<>();
        for (String name : names) {
            answers.add(server.accountDevices(name));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> loop.execute(() -> {
            boolean changed = false;
            for (int i = 0; i < answers.size(); i++) {
                changed |= onAnswer(names.get(i), answers.get(i));
            }
            if (changed) {
                access.namesChanged();
            }
        }));
    }

    private boolean onAnswer(String name, CompletableFuture<Devices> answer) {
        Devices d;
        try {
            d = answer.getNow(null);
        } catch (RuntimeException e) {
            log.warn("account {}: the tracker did not say which devices it has ({}); keeping the {} last heard",
                    name, e.getMessage(), devices.getOrDefault(name, Set.of()).size());
            return false;
        }
        if (d == null) {
            return false;
        }
        switch (d.found()) {
            case UNKNOWN -> {
                // a busy or failing store cannot say: what was heard last still holds
                log.warn("account {}: the tracker cannot say now which devices it has; keeping the {} last heard",
                        name, devices.getOrDefault(name, Set.of()).size());
                return false;
            }
            case NO_ACCOUNT -> {
                if (missing.add(name)) {
                    log.warn("account {}: the tracker has no such account (no device of it may read)", name);
                }
            }
            case FOUND -> missing.remove(name);
        }
        Set<PeerId> now = Set.copyOf(d.ids());
        Set<PeerId> before = devices.put(name, now);
        if (!now.equals(before)) {
            log.info("account {}: {} device{} may read", name, now.size(), now.size() == 1 ? "" : "s");
            return true;
        }
        return false;
    }
}
