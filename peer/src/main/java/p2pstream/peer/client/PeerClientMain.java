package p2pstream.peer.client;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import p2pstream.common.cli.Cli;
import p2pstream.common.cli.Endpoint;
import p2pstream.common.cli.IdentityOptions;
import p2pstream.common.cli.LogOptions;
import p2pstream.common.cli.PinnedAddress;
import p2pstream.common.cli.Quantity;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.ChunkStore;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.tracker.DiscoveryOptions;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerDiscovery;
import p2pstream.peer.tracker.TrackerTrust;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code java -jar peer-client.jar TRACKER[:PORT] [STREAM] [options]}: the viewer's command line. Main thread only. */
@Command(name = "peer-client", mixinStandardHelpOptions = true, version = "p2pstream peer-client 0.1",
        description = {"Streams a stream from every peer that has it, verifying each chunk, into a file or a player.",
                "A live stream is joined near its live edge and followed until its publisher ends it.",
                "Exit status: 0 delivered and verified (live: ended by its publisher), 1 failed part-way,"
                        + " 2 bad command line,",
                "3 stream not found, 4 tracker or peers unreachable (live: no new chunk for --no-peer-timeout),",
                "5 the tracker offered other content than the content id asked for,",
                "6 the tracker (or every --peer HOST:PORT#ID) proved another identity than the one pinned for it,",
                "7 a private stream whose peers do not let this peer id read it (--register, --login: refused),",
                "8 --discover found no tracker on the LAN (or several, and --tracker-id named none of them),",
                "9 an invite link its owner refused (already used by another peer, or unknown)."})
public final class PeerClientMain implements Callable<Integer> {
    private static final int TRACKER_PORT = 2045;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TRACKER",
            description = "the tracker, HOST[:PORT][#ID] (default port " + TRACKER_PORT
                    + "; #ID pins its peer id, else the id it proved first is remembered); - for none, with --peer"
                    + " and a content id (which never contact the tracker). Left out (--list, --http) or with"
                    + " --discover (then the one argument is the STREAM): found on the LAN")
    String tracker;

    @Option(names = "--tracker-id", paramLabel = "ID",
            description = "the peer id the tracker must prove (as HOST#ID does; default: the one remembered in"
                    + " known-trackers, or the first it proves)")
    String trackerId;

    @Parameters(index = "1", arity = "0..1", paramLabel = "STREAM", description = "stream name or content id (hex)")
    String stream;

    @Option(names = "--list",
            description = "list the streams the tracker knows (name, size, peers, content id) and exit")
    boolean list;

    @Option(names = "--all", paramLabel = "PREFIX",
            description = "fetch every file under the folder PREFIX (public, or private and granted to this peer id)"
                    + " into -o DIR (default: the current directory), --parallel at once, resuming interrupted ones;"
                    + " exit status 0 only when every one is complete and verified")
    String all;

    @Option(names = "--inbox", paramLabel = "DIR",
            description = "take the files sent to this peer id (peer-server --send FILE --to ID) from the senders"
                    + " --accept-from names: each offer the tracker hands over is fetched into DIR, verified and"
                    + " resumed; runs until Ctrl-C")
    Path inbox;

    @Option(names = "--accept-from", paramLabel = "ID|NAME",
            description = "with --inbox (required): a peer id, or a tracker account (its devices), whose offers are"
                    + " fetched; anyone else's are logged and ignored; repeatable")
    List<String> acceptFrom = new ArrayList<>();

    @Option(names = "--parallel", paramLabel = "N", description = "with --all: files fetched at once"
            + " (default: ${DEFAULT-VALUE})")
    int parallel = 3;

    @Option(names = "--filter", paramLabel = "TEXT", description = "with --list: only names containing TEXT")
    String filter = "";

    @Option(names = "--json",
            description = "with --list: print one JSON document (fields in the README) instead of a table")
    boolean json;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE|-",
            description = "where to write the stream; - for stdout (default: the stream name's last part,"
                    + " in the current directory)")
    String output;

    @Option(names = "--force",
            description = "overwrite an existing output file that is not this stream's resumable download")
    boolean force;

    @Option(names = "--keep-record",
            description = "keep the FILE.p2ps resume record once the stream is complete (default: delete it)")
    boolean keepRecord;

    @Option(names = "--peers", paramLabel = "K", description = "peers to use at once (default: ${DEFAULT-VALUE})")
    int peers = 8;

    @Option(names = "--window", paramLabel = "N",
            description = "chunks fetched ahead of the player; bounds memory (default: ${DEFAULT-VALUE})")
    int window = 128;

    @Option(names = "--stats-json", paramLabel = "FILE", description = "write the figures as JSON when the client ends")
    Path statsJson;

    @Option(names = "--sha256", negatable = true,
            description = "compute the SHA-256 of everything written (default: with --stats-json);"
                    + " every chunk is verified against the manifest either way")
    Boolean sha256;

    @Option(names = "--progress", negatable = true,
            description = "draw a progress line on stderr (default: when stderr is a terminal)")
    Boolean progress;

    @Option(names = "--no-peer-timeout", paramLabel = "DURATION",
            description = "give up after this long without a usable peer, e.g. 30s or 2m (default: ${DEFAULT-VALUE};"
                    + " a bare number counts seconds)")
    String noPeerTimeout = "20s";

    @Option(names = "--port", paramLabel = "N", description = "port to serve other viewers on (default: 0, a free one)")
    int port;

    @Option(names = "--no-upload", description = "do not serve what this viewer holds to other peers")
    boolean noUpload;

    @Option(names = "--upload-limit", paramLabel = "RATE",
            description = "cap on serving other viewers: 25MB/s, 25MiB/s, 200Mbit/s or bytes per second"
                    + " (default: none)")
    String uploadLimit;

    @Option(names = "--rate", paramLabel = "BITRATE",
            description = "consume like a player at this bitrate (e.g. 4Mbit/s) after the start-up buffer (default:"
                    + " as fast as chunks arrive)")
    String rate;

    @Option(names = "--buffer", paramLabel = "DURATION",
            description = "with --rate: content buffered before playback starts (default: ${DEFAULT-VALUE})")
    String buffer = "2s";

    @Option(names = "--start", paramLabel = "OFFSET",
            description = "start at this byte of the stream, e.g. 100M (default: 0)")
    String start;

    @Option(names = "--latency", paramLabel = "DURATION",
            description = "live streams: join this far behind the live edge, and skip a chunk once a later one has"
                    + " waited this long (default: ${DEFAULT-VALUE})")
    String latency = "2s";

    @Option(names = "--peer", paramLabel = "HOST:PORT[#ID]",
            description = "fetch from this peer only (repeatable), instead of the peers the tracker names;"
                    + " with a content id the tracker is not contacted at all. #ID pins the stream owner's peer id:"
                    + " that peer must prove it, and without a tracker a private stream's grant is taken from that"
                    + " owner only (none pinned: a stream a peer says is private is fetched and served to nobody)")
    List<String> peerAddresses = new ArrayList<>();

    @Option(names = "--http", paramLabel = "[HOST:]PORT",
            description = "run as a gateway: serve every stream the tracker knows to players and browsers at"
                    + " http://HOST:PORT/stream/NAME, with a page of them at / (PORT alone: loopback only)")
    String http;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "with --http: keep streams here, resumed after a restart (default: a temporary directory)")
    Path cache;

    @Option(names = "--cache-size", paramLabel = "SIZE",
            description = "with --http: evict streams no player uses beyond this, least recently used first"
                    + " (default: 4G)")
    String cacheSize = "4G";

    @Option(names = {"-v", "--verbose"}, description = "log peers and tracker events (--log-level info)")
    boolean verbose;

    @Mixin
    LogOptions logs = new LogOptions();

    @Mixin
    IdentityOptions identity = new IdentityOptions();

    @Mixin
    DiscoveryOptions discovery = new DiscoveryOptions();

    @Mixin
    PasswordOptions password = new PasswordOptions();

    @Mixin
    AccountCommand account = new AccountCommand();

    /** Logging is configured once the command line parsed: this class and its fields create no logger. */
    public static void main(String[] args) {
        PeerClientMain command = new PeerClientMain();
        System.exit(Cli.runMain(command, command.logs, () -> command.verbose ? "info" : "warn", args));
    }

    @Override
    public Integer call() throws Exception {
        if (verbose && logs.levelGiven()) {
            throw new IllegalArgumentException("-v: with " + (logs.quiet() ? "-q" : "--log-level")
                    + " (expected: one of them)");
        }
        if (identity.whoami()) {
            return identity.printWhoami(System.out);
        }
        Integer redeemed = InviteRun.invite(this, System.err); // a p2ps:// link is redeemed first; null: go on
        if (redeemed != null) {
            return redeemed;
        }
        streamAfterDiscover();
        discovery.targets(discovery.discover() || tracker == null); // its usage errors before anything is sent
        if (tracker == null && !discovery.discover() && !list && http == null) {
            System.err.println("peer-client: TRACKER: missing (expected: HOST[:PORT], --discover to find it on the"
                    + " LAN, or - with --peer and a content id; try --help)");
            return Cli.USAGE;
        }
        boolean byPeerOnly = stream != null && ContentId.parse(stream) != null && !peerAddresses.isEmpty() && !list;
        if ("-".equals(tracker) && !byPeerOnly) {
            throw new IllegalArgumentException(
                    "TRACKER: - (expected: HOST[:PORT]; - only with --peer and a content id)");
        }
        TrackerTrust.ofCommandLine(tracker, trackerId); // the ids' usage errors
        Cli.positive("--peers", peers);
        Cli.positive("--window", window);
        long noPeerTimeoutMillis =
                Cli.positive("--no-peer-timeout", Quantity.durationMillis("--no-peer-timeout", noPeerTimeout, 1000));
        long bufferMillis = Quantity.durationMillis("--buffer", buffer, 1000);
        long latencyMillis = Quantity.durationMillis("--latency", latency, 1000);
        Cli.port("--port", port);
        if (latencyMillis <= 0 || latencyMillis > 3_600_000) {
            throw new IllegalArgumentException("--latency: " + latency + " (expected: more than 0, at most 1h)");
        }
        Map<InetSocketAddress, PeerId> given = givenPeers();
        List<InetSocketAddress> fixedPeers = List.copyOf(given.keySet());
        Map<InetSocketAddress, PeerId> pinned = new HashMap<>(given);
        pinned.values().removeIf(Objects::isNull);
        boolean watching = !list && http == null && all == null && inbox == null && !account.given();
        checkCombinations(watching);
        if (watching && stream == null) {
            System.err.println("peer-client: STREAM: missing (expected: a stream name or content id, or --list;"
                    + " try --help)");
            return Cli.USAGE;
        }
        if (watching && ContentId.parse(stream) == null && Wire.nameProblem(stream) != null) {
            throw new IllegalArgumentException("STREAM: \"" + stream + "\" " + Wire.nameProblem(stream));
        }
        boolean toStdout = "-".equals(output);
        Path file = !watching || toStdout ? null : Path.of(output != null ? output : defaultFileName(stream));
        if (watching) {
            OutputCheck.check(file, force, toStdout && isTerminal(1));
        }
        if (tracker == null && !byPeerOnly) {
            try {
                tracker = discovery.tracker(trackerId, System.err);
            } catch (TrackerDiscovery.NotChosen e) {
                System.err.println("peer-client: " + e.getMessage());
                return StreamFailure.NO_TRACKER;
            }
        }
        InetSocketAddress trackerAddress = tracker == null || "-".equals(tracker) ? null
                : Endpoint.parse(TrackerTrust.address(tracker), TRACKER_PORT);
        TrackerTrust trust = TrackerTrust.ofCommandLine(tracker, trackerId);
        if (list) {
            return list(trackerAddress, new Security(identity.staticKey(), trust));
        }
        if (account.given()) {
            return account.run(trackerAddress, new Security(identity.staticKey(), trust), password.file);
        }
        if (http != null) {
            if (trackerAddress == null) {
                throw new IllegalArgumentException("--http: without a tracker (expected: TRACKER to find streams by)");
            }
            return GatewayRun.run(trackerAddress, new Security(identity.staticKey(), trust),
                    GatewayRun.httpAddress(http),
                    GatewayRun.streams(fixedPeers, pinned, peers, window, noPeerTimeoutMillis, latencyMillis), cache,
                    Cli.positive("--cache-size", Quantity.size("--cache-size", cacheSize)), !noUpload, port,
                    uploadLimit == null ? 0 : Quantity.rate("--upload-limit", uploadLimit), stream);
        }
        Integer refused = InviteRun.password(this, password, System.err); // given to the owner first; null: go on
        if (refused != null) {
            return refused;
        }
        Security security = new Security(identity.staticKey(), trust); // after the usage checks: they come first
        // -q: warnings and errors only, so no progress line unless asked for by name
        boolean showProgress = progress != null ? progress : !logs.quiet() && isTerminal(2);
        Watch.Config config = Watch.Config.of(byPeerOnly ? null : trackerAddress, stream)
                .withMaxPeers(peers).withWindowChunks(window)
                .withNoPeerTimeoutMillis(noPeerTimeoutMillis).withProgress(showProgress ? System.err : null)
                .withHashOutput(sha256 != null ? sha256 : statsJson != null)
                .withPacing(rate == null ? 0 : Quantity.rate("--rate", rate), bufferMillis)
                .withStartOffset(start == null ? 0 : Quantity.size("--start", start))
                .withLatencyMillis(latencyMillis).withPeerAddresses(fixedPeers).withPinned(pinned)
                .withUpload(!noUpload).withListenPort(port)
                .withUploadLimit(uploadLimit == null ? 0 : Quantity.rate("--upload-limit", uploadLimit))
                .withPipeWarnings(toStdout && isPipe(1) ? System.err : null).withSecurity(security);
        return inbox != null || all != null ? fetchMany(config.withProgress(null), trackerAddress, security)
                : watch(config, toStdout, file);
    }

    /** --inbox (the files sent to this peer id) or --all (the files under a folder). */
    private int fetchMany(Watch.Config config, InetSocketAddress trackerAddress, Security security) throws Exception {
        if (inbox != null) {
            return Inbox.run(config, trackerAddress, security, inbox, acceptFrom);
        }
        return FetchAll.run(config, trackerAddress, security, all, Path.of(output != null ? output : "."), parallel,
                force, logs.quiet());
    }

    /** With --discover, the one argument given is the STREAM, not the TRACKER. */
    private void streamAfterDiscover() {
        if (discovery.discover() && tracker != null) {
            if (stream != null) {
                throw new IllegalArgumentException("TRACKER: " + tracker + " with --discover (expected: one of them;"
                        + " with --discover the one argument is the STREAM)");
            }
            stream = tracker;
            tracker = null;
        }
    }

    /** Options that go only with others: --json with --list, a password with a stream to watch, --all alone. */
    private void checkCombinations(boolean watching) {
        account.check();
        if (inbox != null) {
            if (stream != null || list || http != null || all != null || account.given()) {
                throw new IllegalArgumentException("--inbox: with " + (stream != null ? "STREAM " + stream : list
                        ? "--list" : http != null ? "--http" : all != null ? "--all" : "an account command")
                        + " (expected: peer-client TRACKER --inbox DIR --accept-from ID|NAME alone)");
            }
            Inbox.parse(acceptFrom, new HashSet<>(), new HashSet<>());
        } else if (!acceptFrom.isEmpty()) {
            throw new IllegalArgumentException("--accept-from: without --inbox (expected: --inbox DIR --accept-from"
                    + " ID|NAME)");
        }
        if (all != null) {
            FetchAll.checkOptions(stream != null ? "STREAM " + stream : list ? "--list" : http != null ? "--http"
                    : null, parallel, port);
        }
        if (json && !list) {
            throw new IllegalArgumentException("--json: without --list (expected: --list --json;"
                    + " the figures of a download are --stats-json FILE)");
        }
        if (password.any() && !watching && !account.given()) {
            throw new IllegalArgumentException("--password-file: with --list, --http or --all (expected:"
                    + " peer-client TRACKER STREAM --peer HOST:PORT#OWNER-ID --password-file FILE, or with --register"
                    + " or --login)");
        }
    }

    /**
     * The --peer addresses, each HOST:PORT, with the id its #ID pins (null without): the stream owner's, one for all
     * (PROTOCOL.md section 10).
     */
    private Map<InetSocketAddress, PeerId> givenPeers() {
        Map<InetSocketAddress, PeerId> given = new LinkedHashMap<>();
        PeerId owner = null;
        for (String p : peerAddresses) {
            PinnedAddress pin = PinnedAddress.parse("--peer", p);
            InetSocketAddress a = Endpoint.parse(pin.address(), 0);
            if (a.getPort() <= 0) {
                throw new IllegalArgumentException("--peer: " + p + " (expected: HOST:PORT[#OWNER-ID])");
            }
            if (pin.id() != null && owner != null && !owner.equals(pin.id())) {
                throw new IllegalArgumentException("--peer: " + p + " (expected: #" + owner.text() + " as before, or"
                        + " no #ID: #ID names the stream's owner, one for every --peer)");
            }
            owner = pin.id() != null ? pin.id() : owner;
            given.put(a, pin.id());
        }
        return given;
    }

    /**
     * Streams into stdout or {@code file}, reports the figures and returns the exit status; Ctrl-C or SIGTERM ends the
     * stream the normal way first.
     */
    private int watch(Watch.Config config, boolean toStdout, Path file) throws Exception {
        boolean existed = file != null && Files.exists(file);
        return Signals.untilSignalled(interrupt -> {
            Watch.Config interruptible = config.withInterrupt(interrupt);
            try {
                Stats stats;
                if (toStdout) {
                    try (WritableByteChannel out = new FileOutputStream(FileDescriptor.out).getChannel()) {
                        stats = Watch.run(interruptible, out);
                    }
                } else {
                    stats = Watch.run(interruptible.withOutputFile(file));
                    if (!keepRecord) {
                        Files.deleteIfExists(ChunkStore.recordPathFor(file));
                    }
                }
                report(stats);
                return 0;
            } catch (WatchException e) {
                return failed(e, file, existed);
            }
        });
    }

    /** A watch that ended without its stream whole: the figures, the message, and its exit status. */
    private int failed(WatchException e, Path file, boolean existed) throws IOException {
        if (e.stats() != null) {
            report(e.stats());
        } else {
            report(Stats.nothing(stream)); // --stats-json is written whenever the client ends
        }
        if (e.stats() == null && file != null && !existed) {
            Files.deleteIfExists(file); // nothing was fetched: leave no empty file behind
            Files.deleteIfExists(ChunkStore.recordPathFor(file));
        }
        boolean resumable = e.exitStatus() == WatchException.INTERRUPTED && file != null && e.stats() != null;
        if (e.exitStatus() != 0 || !logs.quiet()) {
            System.err.println("peer-client: " + e.getMessage()
                    + (resumable ? "; to resume, run the same command again" : ""));
        }
        return e.exitStatus();
    }

    private int list(InetSocketAddress trackerAddress, Security security) throws Exception {
        Streams streams;
        try {
            streams = TrackerQuery.list(trackerAddress, security, filter);
        } catch (WatchException e) {
            System.err.println("peer-client: " + e.getMessage());
            return e.exitStatus();
        }
        PrintStream out = System.out;
        out.print(json ? StreamListing.json(streams.streams()) : StreamListing.table(streams.streams()));
        out.flush();
        return 0;
    }

    private void report(Stats stats) throws IOException {
        if ((stats.size() >= 0 || stats.live() != null) && !logs.quiet()) {
            System.err.print(stats.summary());
        }
        if (statsJson != null) {
            Files.writeString(statsJson, stats.toJson(), StandardCharsets.UTF_8);
        }
    }

    static String defaultFileName(String stream) {
        String last = stream.substring(stream.lastIndexOf('/') + 1);
        return last.isEmpty() || last.equals(".") || last.equals("..") ? "stream.out" : last;
    }

    /**
     * True when {@code fd} is a pipe, a FIFO or a socket: what reads it cannot seek back. On Linux the fd's mode says.
     */
    private static boolean isPipe(int fd) {
        try {
            int type = (Integer) Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:mode") & 0170000;
            return type == 0010000 || type == 0140000; // S_IFIFO, S_IFSOCK
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false; // not Linux: no warning rather than a wrong one
        }
    }

    /** Java 17 cannot ask isatty(fd) directly; on Linux the fd's link names the terminal. */
    private static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }
}
