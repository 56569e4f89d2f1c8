package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pstream.common.wire.PeerId;

class InvitesTest {
    @TempDir
    Path dir;

    @Test
    void anInviteIsRedeemedOnceKeptOnlyAsAHashAndSurvivesARestart() throws IOException {
        Path file = Invites.beside(dir.resolve("owner.key"));
        assertEquals("owner.key.invites", file.getFileName().toString());
        Invites invites = Invites.load(file);
        byte[] folder = invites.create(false, "club/2026 june");
        byte[] everything = invites.create(false, "");
        assertEquals(2, invites.unusedCount());
        String text = Files.readString(file);
        assertFalse(text.contains(HexFormat.of().formatHex(folder)), "the secret itself is kept nowhere");
        assertTrue(text.contains(Invites.hash(folder) + " d club/2026%20june -"), text);
        assertTrue(text.contains(Invites.hash(everything) + " d / -"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        PeerId reader = PeerId.random();
        Invites.Outcome first = invites.redeem(folder, reader);
        assertNotNull(first.invite(), first.refusal());
        assertEquals("club/2026 june", first.invite().scope());
        assertNotNull(invites.redeem(folder, reader).invite(), "its redeemer may ask again (a lost answer)");
        Invites.Outcome second = invites.redeem(folder, PeerId.random());
        assertNull(second.invite());
        assertTrue(second.refusal().startsWith("invite already used"), second.refusal());
        assertFalse(second.unknown(), "a used invite's secret is no guess");
        Invites.Outcome guessed = invites.redeem(new byte[20], reader);
        assertTrue(guessed.refusal().startsWith("unknown invite"));
        assertTrue(guessed.unknown(), "an unknown secret is a wrong guess");

        Invites restarted = Invites.load(file);
        assertEquals(1, restarted.unusedCount());
        assertEquals(reader, restarted.redeemed().get(0).redeemer());
        assertNotNull(restarted.redeem(everything, PeerId.random()).invite(), "the unused one still works");
        assertTrue(restarted.redeem(folder, PeerId.random()).refusal().startsWith("invite already used"));
    }

    @Test
    void aDamagedOrOversizedFileIsRefusedNamingTheLine() throws IOException {
        Path file = dir.resolve("owner.key.invites");
        Files.writeString(file, "# comment\n\ninvite " + "ab".repeat(32) + " f ../x -\n");
        IOException e = assertThrows(IOException.class, () -> Invites.load(file));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        Files.writeString(file, "invite nothex f a -\n");
        assertTrue(assertThrows(IOException.class, () -> Invites.load(file)).getMessage().contains("line 1"));
        Files.write(file, new byte[(int) Invites.MAX_FILE_BYTES + 1]);
        assertTrue(assertThrows(IOException.class, () -> Invites.load(file)).getMessage().contains("bytes"));
        assertEquals(0, Invites.load(dir.resolve("none.invites")).unusedCount(), "no file yet: no invites");
    }
}
