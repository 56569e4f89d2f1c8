package p2pstream.peer.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import p2pstream.common.access.InviteLink;
import p2pstream.common.wire.PeerId;

/**
 * A peer-server's invites (PROTOCOL.md section 10): for each, only the SHA-256 of its secret (a 160-bit random secret
 * needs no slow hash: nobody can search its space), what it lets in (a file by name, or a folder), and the id that
 * redeemed it. Kept in a file beside the server's identity ({@code IDENTITY-FILE.invites}, owner-only, replaced
 * atomically on every change), so a restart keeps the unused invites and lets the redeemers in again. Not
 * thread-safe: {@link Redemptions} holds its lock around every call (the main thread makes invites while the server's
 * first loop redeems).
 *
 * <pre>file: "#" comment lines, then one line per invite:
 * invite &lt;sha-256 of the secret: 64 hex&gt; &lt;f (file) | d (folder)&gt;
 *        &lt;name or prefix, %-escaped as in the link; "/" for everything&gt; &lt;redeemer's peer id | -&gt;</pre>
 */
final class Invites {
    /** Invites a server keeps; more are refused at start (delete the file to start again). */
    static final int MAX_INVITES = 1_024;
    static final long MAX_FILE_BYTES = 256 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String EVERYTHING = "/";

    /** One invite. {@code redeemer}: null while unused. */
    record Invite(String hash, boolean file, String scope, PeerId redeemer) {
    }

    /**
     * What redeeming a secret came to. {@code invite}: the one redeemed, or null when refused; {@code unknown}: the
     * secret is no invite's, a wrong guess (a used one's secret was not guessed).
     */
    record Outcome(Invite invite, String refusal, boolean unknown) {
    }

    private final Path path;
    /** By the secret's hash, in the order made. */
    private final Map<String, Invite> invites = new LinkedHashMap<>();

    private Invites(Path path) {
        this.path = path;
    }

    /** The file kept beside an identity key file. */
    static Path beside(Path identityFile) {
        return identityFile.resolveSibling(identityFile.getFileName() + ".invites");
    }

    /** Reads {@code path} (none yet: no invites); IOException naming the line that is wrong. */
    static Invites load(Path path) throws IOException {
        Invites loaded = new Invites(path);
        List<String> lines;
        try {
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw new IOException("invites " + path + ": " + Files.size(path) + " bytes (expected: at most "
                        + MAX_FILE_BYTES + ")");
            }
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return loaded;
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                Invite invite = parse(line);
                loaded.invites.put(invite.hash(), invite);
            } catch (IllegalArgumentException e) {
                throw new IOException("invites " + path + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
            if (loaded.invites.size() > MAX_INVITES) {
                throw new IOException("invites " + path + ": more than " + MAX_INVITES + " (expected: fewer; delete"
                        + " the file to drop them all)");
            }
        }
        return loaded;
    }

    private static Invite parse(String line) {
        String[] f = line.split(" ", -1);
        if (f.length != 5 || !f[0].equals("invite") || !f[1].matches("[0-9a-f]{64}")
                || !f[2].equals("f") && !f[2].equals("d")) {
            throw new IllegalArgumentException("'" + (line.length() > 80 ? line.substring(0, 80) + "..." : line)
                    + "' (expected: invite SHA256-HEX f|d NAME REDEEMER-ID|-)");
        }
        boolean file = f[2].equals("f");
        String scope = f[3].equals(EVERYTHING) && !file ? "" : InviteLink.unescape(f[3]);
        String problem = InviteLink.scopeProblem(file, scope);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Invite(f[1], file, scope, f[4].equals("-") ? null : PeerId.parse(f[4]));
    }

    /**
     * Makes an invite for the file named {@code scope} ({@code file}) or the folder {@code scope} ("" for
     * everything), saves the file, and returns its secret, which is kept nowhere.
     */
    byte[] create(boolean file, String scope) throws IOException {
        String problem = InviteLink.scopeProblem(file, scope);
        if (problem != null) {
            throw new IllegalArgumentException("--invite: " + problem);
        }
        if (invites.size() >= MAX_INVITES) {
            throw new IllegalArgumentException("--invite: " + path + " holds " + MAX_INVITES + " invites already"
                    + " (expected: fewer; delete the file to drop them all)");
        }
        byte[] secret = new byte[InviteLink.SECRET_BYTES];
        RANDOM.nextBytes(secret);
        String hash = hash(secret);
        invites.put(hash, new Invite(hash, file, scope, null));
        save();
        return secret;
    }

    /**
     * Redeems {@code secret} for {@code reader}: an unused invite becomes the reader's (saved); the reader that used
     * it gets it again (its answer may have been lost); anyone else is refused.
     */
    Outcome redeem(byte[] secret, PeerId reader) throws IOException {
        Invite invite = invites.get(hash(secret));
        if (invite == null) {
            return new Outcome(null, "unknown invite (expected: a link this server made)", true);
        }
        if (invite.redeemer() != null && !invite.redeemer().equals(reader)) {
            return new Outcome(null, "invite already used (expected: an invite nobody redeemed; ask its owner for"
                    + " a new one)", false);
        }
        if (invite.redeemer() == null) {
            invite = new Invite(invite.hash(), invite.file(), invite.scope(), reader);
            invites.put(invite.hash(), invite);
            save();
        }
        return new Outcome(invite, null, false);
    }

    /** The invites redeemed so far, whose redeemers the server lets in again after a restart. */
    List<Invite> redeemed() {
        List<Invite> used = new ArrayList<>();
        for (Invite i : invites.values()) {
            if (i.redeemer() != null) {
                used.add(i);
            }
        }
        return used;
    }

    /** The invites not redeemed yet. */
    int unusedCount() {
        return invites.size() - redeemed().size();
    }

    static String hash(byte[] secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Written beside, owner-only, then moved over the file: never seen half-written. */
    private void save() throws IOException {
        StringBuilder text = new StringBuilder("# p2pstream invites (PROTOCOL.md section 10): the SHA-256 of each"
                + " secret, what it lets in, who redeemed it\n");
        for (Invite i : invites.values()) {
            text.append("invite ").append(i.hash()).append(i.file() ? " f " : " d ")
                    .append(!i.file() && i.scope().isEmpty() ? EVERYTHING : InviteLink.escape(i.scope()))
                    .append(' ').append(i.redeemer() == null ? "-" : i.redeemer().text()).append('\n');
        }
        OwnerFile.replace(path, text.toString(), ".invites");
    }
}
