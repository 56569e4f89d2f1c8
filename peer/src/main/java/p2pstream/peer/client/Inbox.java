package p2pstream.peer.client;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import p2pstream.common.access.AccountName;
import p2pstream.common.access.Devices;
import p2pstream.common.access.Offer;
import p2pstream.common.cli.Quantity;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerClient;
import p2pstream.peer.tracker.TrackerIdentityException;

/**
 * {@code peer-client TRACKER --inbox DIR --accept-from ID|NAME}: keeps a tracker session that takes the offers made
 * to this peer id (PROTOCOL.md section 10, "Sending to one reader"); each offer from an accepted sender (an id, or a
 * device of an account, asked again every {@value #REASK_MILLIS} ms) is fetched by content id into DIR through
 * {@link FetchAll#fetchInto} ({@link InboxFiles} names the file), at most {@value #MAX_FETCHES} at once and
 * {@value #MAX_WAITING} waiting; anyone else's is logged and ignored. Runs until Ctrl-C (status 0), the tracker
 * is gone (status 4) or refuses the subscription (status 7: this id has as many inboxes there as it keeps).
 * Offers arrive on the session's loop; fetches run on a pool; the caller's thread waits.
 */
final class Inbox {
    static final int MAX_FETCHES = 4;
    static final int MAX_WAITING = 256;
    static final long REASK_MILLIS = 30_000;
    /** Tracker round trips failed in a row before the inbox takes the tracker for gone (about a minute). */
    static final int MAX_FAILED_CHECKS = 2;
    /** Offers remembered (to fetch each once and log each refusal once) at most; the oldest half forgotten. */
    static final int MAX_REMEMBERED = 4_096;

    private final FetchAll fetch;
    private final InboxFiles files;
    private final Set<PeerId> ids;
    private final Set<String> names;
    private final PrintStream err;
    private final ExecutorService pool;
    private final CompletableFuture<String> interrupt;
    /** The tracker's reason when it refuses this inbox's subscription (this id has 16 inboxes there). */
    private final CompletableFuture<String> refused = new CompletableFuture<>();
    /**
     * Loop thread: the accounts' devices as last heard (by name, and all of them); offers fetched (by content id) or
     * refused (and by sender), the oldest forgotten past a bound; and offers under way, never forgotten while so (two
     * fetches of one stream must not write one file at once).
     */
    private final Map<String, Set<PeerId>> devicesByName = new HashMap<>();
    private final Set<PeerId> devices = new HashSet<>();
    private final Set<String> seen = new LinkedHashSet<>();
    private final Set<ContentId> underWay = new HashSet<>();
    private int waiting;
    /** The tracker session's loop, where offers arrive; set before the first. */
    private volatile EventLoop loop;

    private Inbox(FetchAll fetch, InboxFiles files, Set<PeerId> ids, Set<String> names, PrintStream err,
                  CompletableFuture<String> interrupt) {
        this.fetch = fetch;
        this.files = files;
        this.ids = ids;
        this.names = names;
        this.err = err;
        this.interrupt = interrupt;
        this.pool = Executors.newFixedThreadPool(MAX_FETCHES, r -> {
            Thread t = new Thread(r, "inbox-fetch");
            t.setDaemon(true);
            return t;
        });
    }

    /** --inbox's usage errors: --accept-from is required, each an id or an account name. */
    static void parse(List<String> acceptFrom, Set<PeerId> ids, Set<String> names) {
        if (acceptFrom.isEmpty()) {
            throw new IllegalArgumentException("--inbox: without --accept-from (expected: --accept-from ID|NAME, whose"
                    + " offers are fetched; an inbox takes nothing from anyone else)");
        }
        AccountName.split("--accept-from", acceptFrom, ids, names);
    }

    /** Runs the inbox; returns the exit status. */
    static int run(Watch.Config base, InetSocketAddress tracker, Security security, Path dir, List<String> acceptFrom)
            throws Exception {
        Set<PeerId> ids = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        parse(acceptFrom, ids, names);
        if (tracker == null) {
            throw new IllegalArgumentException("--inbox: without a tracker (expected: TRACKER, where offers arrive)");
        }
        InboxFiles files = InboxFiles.open(dir);
        return Signals.untilSignalled(interrupt -> {
            Inbox inbox = new Inbox(new FetchAll(base, "", dir, MAX_FETCHES, false, System.err, true), files, ids,
                    names, System.err, interrupt);
            int status;
            try (EventLoop loop = new EventLoop("inbox").start()) {
                TrackerClient client = new TrackerClient(loop, tracker, security, Role.CLIENT, 0, true);
                client.start();
                try {
                    status = inbox.serve(client, loop, dir);
                } finally {
                    client.close();
                    inbox.pool.shutdownNow();
                }
            }
            if (interrupt.isDone()) {
                // Ctrl-C is how an inbox ends: status 0, not the JVM's 128 + signal once its hooks have run
                System.err.flush();
                Runtime.getRuntime().halt(status);
            }
            return status;
        });
    }

    /** Asks for the accounts' devices, subscribes, then checks the tracker until interrupted or it is gone. */
    private int serve(TrackerClient client, EventLoop loop, Path dir) throws Exception {
        this.loop = loop;
        int failed = 0;
        boolean subscribed = false;
        while (!interrupt.isDone()) {
            if (refused.isDone()) {
                err.println("peer-client: --inbox: refused by the tracker: " + refused.join());
                return StreamFailure.FORBIDDEN;
            }
            String problem = check(client, loop);
            if (problem == null) {
                failed = 0;
                if (!subscribed) {
                    subscribed = true;
                    client.takeOffers(this::onOffer, refused::complete);
                    err.println("inbox " + dir + ": taking offers from " + String.join(", ", accepted())
                            + " (Ctrl-C ends)");
                    err.flush();
                }
            } else if (problem.startsWith("6 ")) {
                err.println("peer-client: " + problem.substring(2));
                return StreamFailure.TRACKER_IDENTITY;
            } else if (++failed >= MAX_FAILED_CHECKS || !subscribed) {
                err.println("peer-client: --inbox: the tracker is gone: " + problem);
                return StreamFailure.UNREACHABLE;
            }
            try {
                CompletableFuture.anyOf(interrupt, refused).get(REASK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // time to ask again
            }
        }
        return 0;
    }

    private List<String> accepted() {
        List<String> all = new ArrayList<>();
        ids.forEach(id -> all.add(id.text()));
        all.addAll(names);
        return all;
    }

    /**
     * One round trip to the tracker (the accounts' devices, or a LIST of nothing), the devices kept on the loop; null
     * when answered, else why not ("6 ..." when the tracker proved another id).
     */
    private String check(TrackerClient client, EventLoop loop) throws InterruptedException {
        try {
            List<CompletableFuture<Devices>> asked = new ArrayList<>();
            for (String name : names) {
                asked.add(client.devices(name));
            }
            client.synced().get(30, TimeUnit.SECONDS);
            List<Devices> answers = new ArrayList<>();
            for (CompletableFuture<Devices> f : asked) {
                answers.add(f.get(30, TimeUnit.SECONDS));
            }
            loop.execute(() -> onDevices(answers));
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return StreamFailure.root(e) instanceof TrackerIdentityException ? "6 " + StreamFailure.rootMessage(e)
                    : StreamFailure.rootMessage(e);
        }
    }

    /** The tracker's answers about the accounts, on the loop: one that cannot say now keeps what was heard last. */
    private void onDevices(List<Devices> answers) {
        for (Devices d : answers) {
            if (d.found() != Devices.Found.UNKNOWN) {
                devicesByName.put(d.name(), Set.copyOf(d.ids()));
            }
        }
        Set<PeerId> heard = new HashSet<>();
        devicesByName.values().forEach(heard::addAll);
        if (!heard.equals(devices)) {
            devices.clear();
            devices.addAll(heard);
            seen.removeIf(k -> k.endsWith(" ignored")); // who was refused may be accepted now
        }
    }

    /** An offer to this peer (its grant verified and naming it), on the loop. */
    private void onOffer(Offer o) {
        PeerId sender = o.grant().owner();
        ContentId id = o.contentId();
        if (!ids.contains(sender) && !devices.contains(sender)) {
            if (remember(id.hex() + " " + sender.text() + " ignored")) {
                err.println("offer of " + o.name() + " from " + sender.text() + " ignored (expected: an id or account"
                        + " in --accept-from)");
                err.flush();
            }
            return;
        }
        if (underWay.contains(id) || seen.contains(id.hex())) {
            return; // under way or fetched (by content: two senders of one stream must not write one file at once)
        }
        if (waiting >= MAX_WAITING) {
            err.println("offer of " + o.name() + " from " + sender.text() + " dropped: " + waiting + " offers waiting"
                    + " (expected: at most " + MAX_WAITING + "; it is taken when offered again)");
            return;
        }
        waiting++;
        underWay.add(id);
        pool.execute(() -> fetch(o, sender));
    }

    /** Remembers {@code key}; false when it was already. */
    private boolean remember(String key) {
        if (seen.size() >= MAX_REMEMBERED) {
            List<String> oldest = new ArrayList<>(seen).subList(0, MAX_REMEMBERED / 2);
            oldest.forEach(seen::remove);
        }
        return seen.add(key);
    }

    /** On the pool: the offered stream into its file, and one line saying so. */
    private void fetch(Offer o, PeerId sender) {
        String key = o.contentId().hex();
        FetchAll.Outcome out;
        Path file = null;
        try {
            file = files.claim(o.contentId(), o.name());
            Streams.Entry entry = new Streams.Entry(o.contentId(), o.name(), o.size(), 0, 0, 0, true);
            out = fetch.fetchInto(entry, file, interrupt);
        } catch (IOException e) {
            out = new FetchAll.Outcome(null, WatchException.FAILED, e.getMessage(), FetchAll.How.FAILED);
        }
        synchronized (err) {
            if (out.status() == 0) {
                String saved = file.getFileName().toString();
                err.println("received " + o.name() + " from " + sender.text() + " (" + Quantity.bytesText(o.size())
                        + ")" + (saved.equals(o.name()) ? "" : " as " + saved)
                        + (out.how() == FetchAll.How.KEPT ? ", already there" : ""));
            } else {
                err.println("offer of " + o.name() + " from " + sender.text() + ": not received: " + out.message());
            }
            err.flush();
        }
        boolean failed = out.status() != 0;
        loop.execute(() -> {
            waiting--;
            underWay.remove(o.contentId());
            if (!failed) {
                remember(key); // a failed one is tried again when offered again (a renewal, a reconnect)
            }
        });
    }
}
