package p2pstream.peer.server;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.AccountName;
import p2pstream.common.access.Devices;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.PeerId;

/**
 * The readers {@code --allow NAME} stands for: every device of the tracker account NAME. Asks the tracker (DEVICES,
 * PROTOCOL.md section 10) at start and every {@link #REASK_MILLIS}, and when the union of the named ids and those
 * devices changes, lets exactly them read ({@link Access#allowOnly}) and re-announces, so a device added to an
 * account reads within one period. A name the tracker does not answer for keeps the devices last heard (a tracker
 * that restarts does not lock readers out). Its own loop; {@link #start} and {@link #close} from any thread.
 */
public final class AccountReaders implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccountReaders.class);
    /** How often the tracker is asked again: a new device reads within this. */
    static final long REASK_MILLIS = 30_000;

    /** An {@code --allow} list split into peer ids and account names. */
    public record Allowed(List<PeerId> ids, List<String> names) {
    }

    private final Access access;
    private final PeerServer server;
    private final Allowed allowed;
    private final PrintStream out;
    private final EventLoop loop = new EventLoop("allow-names");
    /** Loop only: the devices last heard, by account. */
    private final Map<String, List<PeerId>> devices = new LinkedHashMap<>();
    private Set<PeerId> current;
    /** Whether the first answers have been told (stdout says so once, then on every change). */
    private boolean told;

    AccountReaders(Access access, PeerServer server, Allowed allowed, PrintStream out) {
        this.access = access;
        this.server = server;
        this.allowed = allowed;
        this.out = out;
        this.current = Set.copyOf(allowed.ids());
    }

    /** Each value a peer id ({@code peer-client --whoami}) or, when it is none, an account name; else an error. */
    public static Allowed split(List<String> values) {
        List<PeerId> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String v : values) {
            try {
                ids.add(PeerId.parse(v));
            } catch (IllegalArgumentException notId) {
                if (!AccountName.isValid(v)) {
                    throw new IllegalArgumentException("--allow: " + v + " (expected: a peer id, as peer-client"
                            + " --whoami prints it, or a tracker account's name: 1 to " + AccountName.MAX_CHARS
                            + " of a-z 0-9 _ . -)");
                }
                if (!names.contains(v)) {
                    names.add(v);
                }
            }
        }
        return new Allowed(ids, names);
    }

    /** Starts asking the tracker for the accounts' devices (at once, then every period). */
    public void start() {
        loop.start();
        loop.execute(this::ask);
    }

    @Override
    public void close() {
        loop.close();
    }

    private void ask() {
        List<CompletableFuture<Devices>> answers = new ArrayList<>();
        for (String name : allowed.names()) {
            answers.add(server.accountDevices(name));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> loop.execute(() -> {
            for (int i = 0; i < answers.size(); i++) {
                onAnswer(allowed.names().get(i), answers.get(i));
            }
            update();
            loop.schedule(REASK_MILLIS, this::ask);
        }));
    }

    private void onAnswer(String name, CompletableFuture<Devices> answer) {
        Devices d;
        try {
            d = answer.getNow(null);
        } catch (RuntimeException e) {
            log.warn("--allow {}: the tracker did not say which devices it has ({}); keeping the {} last heard",
                    name, e.getMessage(), devices.getOrDefault(name, List.of()).size());
            return;
        }
        if (d == null) {
            return;
        }
        if (!d.found()) {
            log.warn("--allow {}: the tracker has no such account (no device of it may read)", name);
        }
        devices.put(name, d.ids());
    }

    private void update() {
        Set<PeerId> next = new LinkedHashSet<>(allowed.ids());
        devices.values().forEach(next::addAll);
        if (next.size() > PrivateAnnounce.MAX_GRANTS) {
            log.warn("--allow: {} peer ids with the accounts' devices (expected: at most {}); the first {} may read",
                    next.size(), PrivateAnnounce.MAX_GRANTS, PrivateAnnounce.MAX_GRANTS);
            next = new LinkedHashSet<>(new ArrayList<>(next).subList(0, PrivateAnnounce.MAX_GRANTS));
        }
        if (next.equals(current) && told) {
            return;
        }
        if (!next.equals(current)) {
            current = Set.copyOf(next);
            access.allowOnly(current);
            server.reannounce();
        }
        told = true;
        StringBuilder line = new StringBuilder("allow: " + current.size() + " peer ids");
        devices.forEach((name, ids) -> line.append(", ").append(name).append(": ").append(ids.size())
                .append(ids.size() == 1 ? " device" : " devices"));
        out.println(line);
        out.flush();
        log.info("{}", line);
    }
}
