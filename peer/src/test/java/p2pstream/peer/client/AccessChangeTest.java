package p2pstream.peer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pstream.common.net.Await.await;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.HostileCase;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.Trial;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Role;
import p2pstream.common.wire.Streams;
import p2pstream.peer.server.Access;
import p2pstream.peer.server.PeerServer;
import p2pstream.peer.store.Manifest;
import p2pstream.peer.swarm.StreamFailure;
import p2pstream.peer.swarm.Timings;
import p2pstream.peer.tracker.Security;
import p2pstream.peer.tracker.TrackerTrust;
import p2pstream.peer.viewer.Viewer;
import p2pstream.tracker.Tracker;

/**
 * Who may read, changed while the server runs (in-JVM tracker and server): an id written into the allow file finds
 * and fetches the file identical; taken off, it no longer finds it at the tracker, its open session ends with
 * FORBIDDEN and a new fetch is refused (status 7); a folder's access file lets its id read that folder only, and is
 * re-read when it changes; an oversized, malformed or linked access file leaves its folder to nobody.
 */
@Timeout(90)
class AccessChangeTest {
    private static final Identity OWNER = Identity.generate();
    private static final Identity READER = Identity.generate();
    private static final Identity FOLDER = Identity.generate();

    @TempDir
    Path dir;

    private static Security as(Identity who) {
        return new Security(StaticKey.of(who, false), TrackerTrust.any());
    }

    private Path allowFile;
    private Path top;
    private Path inFolder;

    /** share/top.bin (the allow file decides) and share/a/x.bin (a/.p2paccess allows FOLDER). */
    private PeerServer server(Tracker tracker) throws Exception {
        top = TestSwarm.randomFile(Files.createDirectories(dir.resolve("share")), "top.bin", 1 << 20, 71);
        inFolder = TestSwarm.randomFile(Files.createDirectories(dir.resolve("share/a")), "x.bin", 1 << 20, 72);
        Files.writeString(dir.resolve("share/a/.p2paccess"), "allow " + FOLDER.peerId().text() + "\n");
        allowFile = Files.writeString(dir.resolve("allow.txt"), "# nobody yet\n");
        PeerServer server = PeerServer.start(PeerServer.Config.loopback(tracker.address(), dir.resolve("share"))
                .withWatch(50, 60_000).withSecurity(as(OWNER))
                .withAccess(Access.allowing(OWNER, List.of()).withAllowFile(allowFile)));
        server.announced().get(10, TimeUnit.SECONDS);
        return server;
    }

    private static Viewer viewer(Tracker tracker, Identity who) throws Exception {
        return new Viewer(new Viewer.Config(tracker.address(), false, 0, 0, InetAddress.getLoopbackAddress(),
                Timings.DEFAULT, as(who)));
    }

    private static List<String> listed(Viewer v) {
        try {
            return v.list("", 100).get(10, TimeUnit.SECONDS).streams().stream().map(Streams.Entry::name).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ContentId idOf(PeerServer server, String name) {
        return server.manifests().stream().filter(m -> m.name().equals(name)).map(Manifest::contentId).findFirst()
                .orElseThrow();
    }

    private WatchException refusedStraight(PeerServer server, String name, Identity who) {
        return assertThrows(WatchException.class, () -> TestSwarm.download(
                Watch.Config.of(null, idOf(server, name).hex()).withPeerAddresses(List.of(server.address()))
                        .withSecurity(as(who)).withUpload(false), dir.resolve("refused.bin")));
    }

    @Test
    void anIdAddedToTheAllowFileFetchesAndOnceTakenOffIsHiddenRefusedAndCutOff() throws Exception {
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = server(tracker);
             Viewer reader = viewer(tracker, READER)) {
            assertEquals(List.of(), listed(reader));
            Files.writeString(allowFile, "# friends\n" + READER.peerId().text() + "\n");
            await("the reader lists top.bin", () -> listed(reader).equals(List.of("top.bin")));
            Path out = dir.resolve("top.out");
            TestSwarm.download(Watch.Config.of(tracker.address(), "top.bin").withSecurity(as(READER))
                    .withUpload(false), out);
            assertEquals(TestSwarm.sha256(top), TestSwarm.sha256(out));

            // a session open while the reader is taken off
            try (RawClient open = RawClient.secure(server.address(), StaticKey.of(READER))) {
                open.send(new Hello(Role.CLIENT, READER.peerId(), 0, idOf(server, "top.bin")));
                open.expect(MessageType.HELLO, Hello::decode);
                Files.writeString(allowFile, "# friends\n");
                ErrorMessage cut = readUntilError(open);
                assertEquals(ErrorCode.FORBIDDEN.code(), cut.code(), cut.message());
                assertTrue(cut.message().contains("may not read it"), cut.message());
                open.expectEof();
            }
            await("the tracker hides top.bin from the reader", () -> listed(reader).isEmpty());
            WatchException byName = assertThrows(WatchException.class, () -> TestSwarm.download(
                    Watch.Config.of(tracker.address(), "top.bin").withSecurity(as(READER)).withUpload(false),
                    dir.resolve("again.bin")));
            assertEquals(StreamFailure.NOT_FOUND, byName.exitStatus(), byName.getMessage());
            WatchException straight = refusedStraight(server, "top.bin", READER);
            assertEquals(StreamFailure.FORBIDDEN, straight.exitStatus(), straight.getMessage());
        }
    }

    private static ErrorMessage readUntilError(RawClient c) throws Exception {
        while (true) {
            RawClient.Frame f = c.read();
            if (f.type() == MessageType.ERROR.code()) {
                return ErrorMessage.decode(f.buffer());
            }
        }
    }

    @Test
    void aFolderAccessFileLetsItsIdReadThatFolderOnlyAndIsReReadWhenItChanges() throws Exception {
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = server(tracker);
             Viewer folder = viewer(tracker, FOLDER);
             Viewer reader = viewer(tracker, READER)) {
            Files.writeString(allowFile, READER.peerId().text() + "\n");
            await("the reader lists top.bin", () -> listed(reader).equals(List.of("top.bin")));
            assertEquals(List.of("a/x.bin"), listed(folder), "the folder's id sees its folder only");
            Path out = dir.resolve("x.out");
            TestSwarm.download(Watch.Config.of(tracker.address(), "a/x.bin").withSecurity(as(FOLDER))
                    .withUpload(false), out);
            assertEquals(TestSwarm.sha256(inFolder), TestSwarm.sha256(out));
            assertEquals(StreamFailure.FORBIDDEN, refusedStraight(server, "top.bin", FOLDER).exitStatus());
            assertEquals(StreamFailure.FORBIDDEN, refusedStraight(server, "a/x.bin", READER).exitStatus(),
                    "the server-wide list does not reach into a folder with an access file");

            Files.writeString(dir.resolve("share/a/.p2paccess"), "allow " + FOLDER.peerId().text() + "\nallow "
                    + READER.peerId().text() + "\n");
            await("the reader lists a/x.bin too", () -> listed(reader).equals(List.of("a/x.bin", "top.bin")));
            Files.writeString(dir.resolve("share/a/.p2paccess"), "public\n");
            try (Viewer stranger = viewer(tracker, Identity.generate())) {
                await("a/ public: anyone lists a/x.bin", () -> listed(stranger).equals(List.of("a/x.bin")));
            }
        }
    }

    @HostileCase(value = "A folder's .p2paccess oversized (70 KiB), malformed, binary, or a link to /dev/zero, written"
            + " while the server runs", expect = "each refused with a log line: the folder is readable by nobody (its"
            + " id refused FORBIDDEN, hidden at the tracker) and the server goes on serving the rest",
            section = HostileCase.ACCESS)
    void aBadAccessFileLeavesItsFolderToNobody(Trial trial) throws Exception {
        try (Tracker tracker = Tracker.start(Tracker.Config.loopback());
             PeerServer server = server(tracker);
             Viewer folder = viewer(tracker, FOLDER);
             Viewer reader = viewer(tracker, READER)) {
            Files.writeString(allowFile, READER.peerId().text() + "\n");
            await("the folder's id lists a/x.bin", () -> listed(folder).equals(List.of("a/x.bin")));
            await("the reader lists top.bin", () -> listed(reader).equals(List.of("top.bin")));
            Path access = dir.resolve("share/a/.p2paccess");
            String good = "allow " + FOLDER.peerId().text() + "\n";
            List<Runnable> bad = List.of(
                    () -> write(access, good + "#".repeat(70 * 1024)),
                    () -> write(access, good + "allow " + "Z".repeat(40) + "\n"),
                    () -> replace(access, f -> Files.write(f, new byte[] {'a', (byte) 0xc3, 0x28, '\n'})),
                    () -> replace(access, f -> Files.createSymbolicLink(f, Path.of("/dev/zero"))));
            int refused = 0;
            for (Runnable b : bad) {
                b.run();
                await("a/x.bin hidden from the folder's id", () -> listed(folder).isEmpty());
                WatchException e = refusedStraight(server, "a/x.bin", FOLDER);
                assertEquals(StreamFailure.FORBIDDEN, e.exitStatus(), e.getMessage());
                assertEquals(List.of("top.bin"), listed(reader), "the rest stays as it was");
                refused++;
                write(access, good);
                await("a/x.bin back for the folder's id", () -> listed(folder).equals(List.of("a/x.bin")));
            }
            trial.record("bad access files refused (folder closed, then reopened)", refused);
            Path out = dir.resolve("x.out");
            TestSwarm.download(Watch.Config.of(tracker.address(), "a/x.bin").withSecurity(as(FOLDER))
                    .withUpload(false), out);
            assertEquals(TestSwarm.sha256(inFolder), TestSwarm.sha256(out));
            Path rest = dir.resolve("top.out");
            TestSwarm.download(Watch.Config.of(tracker.address(), "top.bin").withSecurity(as(READER))
                    .withUpload(false), rest);
            assertEquals(TestSwarm.sha256(top), TestSwarm.sha256(rest));
            assertFalse(Files.exists(dir.resolve("refused.bin")) && Files.size(dir.resolve("refused.bin")) > 0);
        }
    }

    /** What takes the access file's place. */
    private interface Replacement {
        void make(Path file) throws Exception;
    }

    private static void replace(Path file, Replacement r) {
        try {
            Files.deleteIfExists(file);
            r.make(file);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void write(Path file, String text) {
        replace(file, f -> Files.writeString(f, text));
    }
}
