package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;

/**
 * The revocations file ({@code peer-server --revoke}) and what a revoked id may do: nothing, whatever the list, an
 * admission or an access file says; the renewal period's grant lifetime.
 */
class RevocationsTest {
    private static final Identity OWNER = Identity.generate();
    private static final PeerId ANN = PeerId.random();
    private static final PeerId BOB = PeerId.random();
    private static final ContentId ID = ContentId.of(new byte[32]);
    private static final long NOW = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void revokeAndUnrevokeEditTheFileBesideTheIdentityOwnerOnly() throws Exception {
        Path file = Revocations.fileOf(dir.resolve("identity.key"));
        assertEquals(dir.resolve("identity.key.revoked"), file);
        assertTrue(Revocations.load(file).ids().isEmpty(), "no file: nobody revoked");
        assertTrue(Revocations.change(file, BOB, true).contains("revoked"));
        assertTrue(Revocations.change(file, BOB, true).contains("revoked already"));
        Revocations.change(file, ANN, true);
        assertEquals(List.of(BOB, ANN), new ArrayList<>(Revocations.load(file).ids()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Revocations.change(file, BOB, false).contains("no longer revoked"));
        assertTrue(Revocations.change(file, BOB, false).contains("was not revoked"));
        assertEquals(Set.of(ANN), Revocations.load(file).ids());
    }

    @Test
    void aBadFileStopsTheStartAndABadEditKeepsTheIdsRevokedBefore() throws Exception {
        Path file = dir.resolve("k.revoked");
        Files.writeString(file, "# revoked\n" + BOB.text() + "\nnot-an-id\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Revocations.load(file));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        Files.write(file, new byte[Revocations.MAX_BYTES + 1]);
        assertThrows(IllegalArgumentException.class, () -> Revocations.load(file));

        Files.writeString(file, BOB.text() + "\n");
        Revocations r = Revocations.load(file);
        List<Set<PeerId>> told = new ArrayList<>();
        Files.writeString(file, BOB.text() + "\ngarbage\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        r.check(told::add);
        assertTrue(told.isEmpty(), "a bad edit changes nothing");
        assertEquals(Set.of(BOB), r.ids());
        Files.writeString(file, ANN.text() + "\n" + BOB.text() + "\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        r.check(told::add);
        assertEquals(List.of(Set.of(ANN, BOB)), told);
        Files.delete(file);
        r.check(told::add);
        assertEquals(Set.of(), told.get(told.size() - 1), "the file deleted: nobody revoked");
    }

    @Test
    void aRevokedIdIsLetInByNothingAndGetsNoGrant() throws Exception {
        Path file = dir.resolve("k.revoked");
        Revocations.change(file, BOB, true);
        Access a = Access.allowing(OWNER, List.of(ANN, BOB)).withRevocations(Revocations.load(file));
        assertTrue(a.admit(BOB, ""), "an admission is recorded, and counts for nothing");
        assertEquals(Set.of(ANN), a.readers("x.bin").scopes().keySet());
        assertTrue(a.refusal(BOB, true, "x.bin", "stream 1").contains("may not read it"));
        assertNull(a.refusal(ANN, true, "x.bin", "stream 1"));
        assertNull(a.grantFor(BOB, ID, "x.bin", NOW));
        assertNull(a.grantForStream(BOB, ID, NOW));
        assertNull(a.grantForPrefix(BOB, "", NOW));
        PrivateAnnounce p = (PrivateAnnounce) a.announcement(new Announce(ID, "x.bin", 1000, 16384, 1, 1), NOW);
        assertEquals(List.of(ANN), p.grants().stream().map(g -> g.grantee()).toList());

        a.revoked(Set.of());
        assertEquals(Set.of(ANN, BOB), a.readers("x.bin").scopes().keySet(), "unrevoked: let in again");
        a.revoked(Set.of(ANN, BOB));
        assertFalse(a.readers("x.bin").admits(ANN));
        assertNull(a.announcement(new Announce(ID, "x.bin", 1000, 16384, 1, 1), NOW), "nobody left: withdrawn");
    }

    @Test
    void aRenewalPeriodMakesGrantsValidTwiceIt() {
        Access a = Access.allowing(OWNER, List.of(ANN)).withGrantRenewal(1_000);
        assertEquals(1_000, a.renewalMillis());
        assertEquals(NOW + 2_000, a.grantFor(ANN, ID, "x.bin", NOW).expiresMillis());
        assertThrows(IllegalArgumentException.class, () -> Access.allowing(OWNER, List.of(ANN)).withGrantRenewal(999));
        assertEquals(Access.GRANT_LIFETIME_MILLIS / 2, Access.allowing(OWNER, List.of(ANN)).renewalMillis());
    }
}
