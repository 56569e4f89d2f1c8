package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.access.Grant;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.Clock;
import p2pstream.common.net.EventLoop;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.PeerId;

/**
 * Who may read as the access changes: the server-wide list, the allow file re-read, access files (nearest wins,
 * public, refused ones fail closed), admissions by prefix, names through the accounts hook; what grants and
 * announcements say of each.
 */
class AccessTest {
    private static final Identity OWNER = Identity.generate();
    private static final PeerId ANN = PeerId.random();
    private static final PeerId BOB = PeerId.random();
    private static final PeerId CAROL = PeerId.random();
    private static final ContentId ID = ContentId.of(new byte[32]);
    private static final long NOW = 1_000_000;

    @TempDir
    Path dir;

    private static FolderAccess folders(Map<String, ReaderList> rules, String... refused) {
        return new FolderAccess(rules, Set.of(refused));
    }

    private static ReaderList ids(PeerId... ids) {
        return new ReaderList(Set.of(ids), Set.of(), false);
    }

    @Test
    void theServerWideListGrantsByContentIdAndRefusesOthersAndPlaintext() {
        Access a = Access.allowing(OWNER, List.of(ANN));
        assertNull(a.refusal(ANN, true, "x.bin", "stream 1"));
        assertTrue(a.refusal(BOB, true, "x.bin", "stream 1").startsWith("stream 1 is private: peer "));
        assertTrue(a.refusal(ANN, false, "x.bin", "stream 1").contains("never travels in plaintext"));
        Grant g = a.grantFor(ANN, ID, "x.bin", NOW);
        assertEquals(ID, g.contentId());
        assertEquals(NOW + Access.GRANT_LIFETIME_MILLIS, g.expiresMillis());
        assertNull(a.grantFor(BOB, ID, "x.bin", NOW));
        PrivateAnnounce p = assertInstanceOf(PrivateAnnounce.class, a.announcement(announce("x.bin"), NOW));
        assertEquals(List.of(ANN), p.grants().stream().map(Grant::grantee).toList());
    }

    private static Announce announce(String name) {
        return new Announce(ID, name, 1000, 16384, 1, 1);
    }

    @Test
    void accessFilesDecideForTheirFolderNearestFirstAndARefusedOneLetsNobodyIn() {
        Access a = Access.allowing(OWNER, List.of(ANN));
        a.folders(folders(Map.of("a", ids(BOB), "a/pub", ReaderList.ANYONE, "a/b", ids(CAROL),
                "bad", ReaderList.NOBODY), "bad"));
        assertEquals(Set.of(ANN), a.readers("top.bin").scopes().keySet(), "no access file: the server-wide list");
        assertEquals(Map.of(BOB, "a"), a.readers("a/x.bin").scopes());
        assertEquals(Map.of(CAROL, "a/b"), a.readers("a/b/c/y.bin").scopes(), "the nearest file wins");
        assertTrue(a.readers("a/pub/z.bin").anyone());
        assertSame(a.announcement(announce("a/pub/z.bin"), NOW).getClass(), Announce.class, "public: ANNOUNCE");
        assertEquals(Map.of(BOB, "a"), a.readers("a/bc.bin").scopes(), "a/b does not cover a/bc.bin");
        assertEquals(Permissions.Readers.NOBODY, a.readers("bad/w.bin"));
        assertNull(a.announcement(announce("bad/w.bin"), NOW), "nobody: withdrawn");
        Grant g = a.grantFor(BOB, ID, "a/x.bin", NOW);
        assertEquals("a", g.prefix(), "a folder's reader gets the folder's grant");
        assertNull(a.grantFor(ANN, ID, "a/x.bin", NOW), "the server-wide list does not reach into a/");
        PrivateAnnounce p = assertInstanceOf(PrivateAnnounce.class, a.announcement(announce("a/x.bin"), NOW));
        assertEquals(ID, p.grants().get(0).contentId(), "the tracker's copy by content id");

        Access open = Access.anyone(OWNER);
        open.folders(folders(Map.of("a", ids(BOB))));
        assertTrue(open.readers("top.bin").anyone());
        assertEquals(Set.of(BOB), open.readers("a/x.bin").scopes().keySet());
        Access unsigned = Access.anyone();
        unsigned.folders(folders(Map.of("a", ids(BOB))));
        assertEquals(Permissions.Readers.NOBODY, unsigned.readers("a/x.bin"), "no identity to sign: nobody");
    }

    @Test
    void admittingLetsOneIdReadAPrefixButNotAFolderWhoseAccessFileWasRefused() {
        Access a = Access.allowing(OWNER, List.of());
        a.folders(folders(Map.of("bad", ReaderList.NOBODY), "bad"));
        assertEquals(Permissions.Readers.NOBODY, a.readers("x.bin"));
        a.admit(BOB, "club/");
        a.admit(CAROL, "");
        a.admit(CAROL, "bad");
        assertEquals(Map.of(BOB, "club", CAROL, ""), a.readers("club/june.mp4").scopes());
        assertEquals(Map.of(CAROL, ""), a.readers("clubs.mp4").scopes());
        assertEquals("club", a.grantFor(BOB, ID, "club/june.mp4", NOW).prefix());
        assertEquals(ID, a.grantFor(CAROL, ID, "x.bin", NOW).contentId());
        assertEquals(Permissions.Readers.NOBODY, a.readers("bad/x.bin"), "fail closed");
        assertThrows(IllegalArgumentException.class, () -> a.admit(BOB, "../etc"));
        assertThrows(IllegalArgumentException.class, () -> a.admit(BOB, "/abs"));
    }

    @Test
    void namesLetInTheDevicesTheAccountsHookKnows() {
        Access a = Access.allowing(OWNER, List.of());
        a.folders(folders(Map.of("a", new ReaderList(Set.of(), Set.of("bob"), false))));
        assertEquals(Map.of(), a.readers("a/x.bin").scopes(), "no accounts yet: a name lets nobody in");
        a.names(name -> name.equals("bob") ? Set.of(BOB, CAROL) : Set.of());
        assertEquals(Set.of(BOB, CAROL), a.readers("a/x.bin").scopes().keySet());
    }

    @Test
    void changesOnTheServersLoopAreToldThereAndTheAllowFileIsReReadWhenItChanges() throws Exception {
        Path file = Files.writeString(dir.resolve("allow.txt"), "# nobody yet\n");
        Access a = Access.allowing(OWNER, List.of()).withAllowFile(file);
        assertEquals(Map.of(), a.readers("x.bin").scopes());
        EventLoop loop = new EventLoop("access-test", Clock.SYSTEM).start();
        try {
            AtomicInteger changes = new AtomicInteger();
            Thread[] on = new Thread[1];
            a.bind(loop, () -> {
                on[0] = Thread.currentThread();
                changes.incrementAndGet();
            });
            a.admit(BOB, "");
            await("the admission applied", () -> changes.get() == 1);
            assertTrue(on[0].getName().contains("access-test"), "told on the loop: " + on[0].getName());
            assertEquals(Set.of(BOB), a.readers("x.bin").scopes().keySet());

            Files.writeString(file, ANN.text() + "\n");
            await("the allow file re-read", () -> a.readers("x.bin").admits(ANN));
            Files.writeString(file, "# comment only\n" + CAROL.text() + "\n");
            await("the next edit read", () -> a.readers("x.bin").admits(CAROL));
            assertFalse(a.readers("x.bin").admits(ANN), "ANN taken off");
        } finally {
            loop.close();
        }
    }

    @Test
    void aBadEditOfTheAllowFileIsLoggedAndThePreviousReadersKept() throws Exception {
        Path file = Files.writeString(dir.resolve("allow.txt"), ANN.text() + "\n");
        AllowFile allow = AllowFile.load(file);
        List<ReaderList> told = new ArrayList<>();
        Files.writeString(file, ANN.text() + "\nNot A Name!\n");
        allow.check(told::add);
        assertEquals(List.of(), told);
        assertEquals(Set.of(ANN), allow.readers().ids());
        Files.delete(file);
        allow.check(told::add);
        assertEquals(Set.of(ANN), allow.readers().ids(), "a file gone keeps what it said");
        Files.writeString(file, BOB.text() + "\n");
        allow.check(told::add);
        assertEquals(List.of(ids(BOB)), told);
        Files.writeString(file, "x".repeat(40));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AllowFile.load(file));
        assertTrue(e.getMessage().startsWith("--allow-file: " + file + " line 1: "), e.getMessage());
    }
}
