package p2pstream.peer.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import p2pstream.common.cli.IdentityOptions;
import p2pstream.common.wire.PeerId;
import p2pstream.peer.store.Manifest;
import picocli.CommandLine.Option;

/**
 * The peer-server's access options ({@code --private}, {@code --allow}, {@code --allow-file}) as a picocli mixin:
 * who may read what it shares, checked before anything starts, and the lines telling how a reader fetches each
 * private file. Main thread only.
 */
public final class AccessOptions {
    private static final int PRIVATE_LINES = 100;

    @Option(names = "--private", description = "share with the peer ids --allow and --allow-file name only, over"
            + " encrypted connections: the tracker gets a grant per allowed id and shows the files to those ids only,"
            + " who fetch them by name (peer-client TRACKER NAME) and may re-serve them to each other")
    boolean privateShare;

    @Option(names = "--allow", paramLabel = "ID", description = "with --private: a peer id (peer-client --whoami) that"
            + " may read every shared file; repeatable")
    List<String> allow = new ArrayList<>();

    @Option(names = "--allow-file", paramLabel = "FILE", description = "with --private: a file of peer ids (or account"
            + " names) that may read every shared file, one a line, # comments; re-read when it changes (at most 64 KiB"
            + " and 1024 entries)")
    Path allowFile;

    public boolean isPrivate() {
        return privateShare;
    }

    /**
     * Who may read: the options checked (usage errors first), then the identity that signs the grants read (or made).
     * A public server's folders may still be made private by access files. Invites or a provider password
     * ({@code invite}) let readers in at run time, so no --allow is needed with them.
     */
    Access access(IdentityOptions identity, boolean publishingLive, InviteOptions invite) throws IOException {
        invite.check(privateShare);
        boolean lettingIn = invite.any();
        if (!privateShare) {
            if (!allow.isEmpty() || allowFile != null) {
                throw new IllegalArgumentException((allowFile != null ? "--allow-file" : "--allow")
                        + ": without --private (expected: --private --allow ID or --private --allow-file FILE)");
            }
            return publishingLive ? Access.anyone() : Access.anyone(identity.identity());
        }
        if (allow.isEmpty() && allowFile == null && !lettingIn) {
            throw new IllegalArgumentException("--private: no --allow ID nor --allow-file FILE (expected: who may"
                    + " read, or --invite, or --password-file)");
        }
        List<PeerId> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String text : allow) {
            if (!ReaderList.idLike(text) && ReaderList.NAME.matcher(text).matches()) {
                names.add(text); // an account name: every device of it, asked of the tracker
                continue;
            }
            try {
                ids.add(PeerId.parse(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--allow: " + e.getMessage() + " (or a tracker account's name:"
                        + " 1 to 32 of a-z 0-9 _ . -)");
            }
        }
        AllowFile file = allowFile == null ? null : AllowFile.load(allowFile); // before the identity is made
        Access access = Access.allowing(identity.identity(), ids, names);
        return file == null ? access : access.withAllowFile(file);
    }

    /**
     * How a reader fetches each private file: by name through the tracker, which shows it to the allowed ids only,
     * or straight from this server, pinned by its id (so the reader takes its grant, PROTOCOL.md section 10). At most
     * {@value #PRIVATE_LINES} lines.
     */
    static void printPrivate(PeerServer server, InetSocketAddress tracker, InetSocketAddress a) {
        List<Manifest> shared = server.manifests();
        String trackerText = tracker.getHostString() + ":" + tracker.getPort();
        for (Manifest m : shared.subList(0, Math.min(PRIVATE_LINES, shared.size()))) {
            System.out.println("private " + m.name() + ": peer-client " + trackerText + " " + m.name()
                    + " (or: peer-client - " + m.contentId().hex() + " --peer " + a.getAddress().getHostAddress() + ":"
                    + a.getPort() + "#" + server.peerId().text() + ")");
        }
        if (shared.size() > PRIVATE_LINES) {
            System.out.println("private: " + (shared.size() - PRIVATE_LINES) + " more (peer-client " + trackerText
                    + " --list, as an allowed id, lists them)");
        }
        System.out.flush();
    }
}
