package p2pstream.peer.server;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import p2pstream.common.access.AccountName;
import p2pstream.common.cli.Cli;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Wire;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.store.ManifestCache;
import picocli.CommandLine.Option;

/**
 * {@code peer-server ADDRESS --send FILE --to ID|NAME} as a picocli mixin: every FILE goes to every recipient (a peer
 * id, or a tracker account whose devices all receive it), shared privately to them and offered to each through the
 * tracker ({@link Sends}, PROTOCOL.md section 10). Checked and hashed before the server starts. Main thread only.
 */
public final class SendOptions {
    @Option(names = "--send", paramLabel = "FILE", description = "send this file to every --to: shared privately to"
            + " them (with or without --dir) and offered to each through the tracker, which a recipient's"
            + " peer-client --inbox fetches; repeatable")
    List<Path> files = new ArrayList<>();

    @Option(names = "--to", paramLabel = "ID|NAME", description = "with --send: a peer id (peer-client --whoami), or a"
            + " tracker account's name (every device of it); repeatable")
    List<String> to = new ArrayList<>();

    /** The recipients as given, once {@link #check}ed. */
    private final Set<PeerId> ids = new LinkedHashSet<>();
    private final Set<String> names = new LinkedHashSet<>();

    public boolean any() {
        return !files.isEmpty();
    }

    /**
     * The usage errors: --send and --to go together, each recipient is an id or an account name, each file is a
     * readable regular file with a name a stream may have, two files are not sent under one name.
     */
    void check(boolean live) {
        if (files.isEmpty() != to.isEmpty()) {
            throw new IllegalArgumentException(files.isEmpty() ? "--to: without --send (expected: --send FILE --to"
                    + " ID|NAME)" : "--send: without --to (expected: --send FILE --to ID|NAME, who receives it)");
        }
        if (live && any()) {
            throw new IllegalArgumentException("--send: with --live (expected: one of them; files are sent by a server"
                    + " of files)");
        }
        AccountName.split("--to", to, ids, names);
        Set<String> seen = new LinkedHashSet<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f) || !Files.isReadable(f)) {
                throw new IllegalArgumentException("--send: " + f + (Files.exists(f, LinkOption.NOFOLLOW_LINKS)
                        ? " cannot be read" : " does not exist") + " (expected: a readable file)");
            }
            String name = nameOf(f);
            if (!seen.add(name)) {
                throw new IllegalArgumentException("--send: " + f + " (expected: one file a name; " + name
                        + " is sent already)");
            }
        }
    }

    /** The stream name a sent file takes: its own name, without its folders. */
    static String nameOf(Path f) {
        Path last = f.toAbsolutePath().normalize().getFileName();
        String name = last == null ? "" : last.toString();
        String problem = Wire.nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("--send: " + f + " " + problem + " (expected: a file name a stream may"
                    + " have)");
        }
        return name;
    }

    /** Hashes the files (before the server starts: a large file takes a while), by stream name. */
    Map<Manifest, Path> hash() throws IOException {
        Map<Manifest, Path> hashed = new LinkedHashMap<>();
        for (Path f : files) {
            try {
                long size = Files.size(f);
                hashed.put(ManifestCache.compute(nameOf(f), f, Manifest.chunkSizeFor(size)), f);
            } catch (IOException e) {
                throw new IllegalArgumentException("--send: " + f + " cannot be read: " + Cli.reason(e)
                        + " (expected: a readable file)", e);
            }
        }
        return hashed;
    }

    /**
     * Shares the hashed files from {@code server} to the recipients (and whoever {@code access} lets read every
     * file), offers them, and prints one line per file: what a recipient runs.
     */
    Sends start(PeerServer server, Access access, ReaderNames accounts, Map<Manifest, Path> hashed,
                InetSocketAddress tracker, PrintStream out) throws IOException {
        Sends sends = new Sends(server, access, ids, names, accounts);
        server.sends(sends); // before the first is served: sent files answer to their own readers from the start
        for (Map.Entry<Manifest, Path> e : hashed.entrySet()) {
            sends.add(e.getKey(), e.getValue());
            out.println("sending " + e.getKey().name() + " (" + e.getKey().contentId().hex() + ") to " + String.join(
                    ", ", to) + ": they run peer-client " + tracker.getHostString() + ":" + tracker.getPort()
                    + " --inbox DIR --accept-from " + server.peerId().text());
        }
        out.flush();
        sends.renewEvery();
        return sends;
    }
}
