package p2pstream.common.access;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import p2pstream.common.wire.PeerId;

class InviteLinkTest {
    /** The id of the public key 00 01 .. 1f (PROTOCOL.md section 9). */
    private static final PeerId OWNER = PeerId.parse("MMG42KL-GYQZWNV-EISKREL-XMS3J4K");
    private static final byte[] SECRET = new byte[20];

    static {
        for (int i = 0; i < SECRET.length; i++) {
            SECRET[i] = (byte) (i * 13);
        }
    }

    @Test
    void aFileInviteReadsBackFromItsOneSpelling() {
        InviteLink link = new InviteLink("tracker.example:2045", OWNER, "203.0.113.5:2050", true, "club/june 1.mp4",
                SECRET, null);
        String text = link.text();
        assertEquals("p2ps://tracker.example:2045#o=MMG42KL-GYQZWNV-EISKREL-XMS3J4K&a=203.0.113.5:2050"
                + "&f=club/june%201.mp4&s=AAGRUJZUIFHFW2DVQKHZZKNWYPIN32XX", text); // Python's b32encode agrees
        InviteLink back = InviteLink.parse(text);
        assertEquals("tracker.example:2045", back.tracker());
        assertEquals(OWNER, back.owner());
        assertEquals("203.0.113.5:2050", back.ownerAddress());
        assertTrue(back.isFile());
        assertEquals("club/june 1.mp4", back.scope());
        assertArrayEquals(SECRET, back.secret());
        assertNull(back.trackerId());
    }

    @Test
    void aFolderForEverythingWithAPinnedTrackerOnIpv6ReadsBack() {
        PeerId tracker = PeerId.random();
        String name = "été/ü";
        InviteLink link = new InviteLink("[2001:db8::1]:2045", OWNER, "[::1]:9", false, "", SECRET, tracker);
        InviteLink back = InviteLink.parse(link.text());
        assertFalse(back.isFile());
        assertEquals("", back.scope());
        assertEquals(tracker, back.trackerId());
        assertEquals("[::1]:9", back.ownerAddress());
        InviteLink folder = new InviteLink("t:1", OWNER, "o:2", false, name, SECRET, null);
        assertTrue(folder.text().contains("&d=%C3%A9t%C3%A9/%C3%BC&"), folder.text());
        assertEquals(name, InviteLink.parse(folder.text()).scope());
    }

    @Test
    void anyOtherSpellingIsRefusedAndTheSecretIsNeverEchoed() {
        String good = new InviteLink("t.example:2045", OWNER, "o.example:2050", true, "a b", SECRET, null).text();
        String[] bad = {
            good.toLowerCase(), // the secret and id in lower case
            good.replace("%20", "%2a").replace("a%2a", "a%20"), // (unchanged: see next)
            good.replace("a%20b", "a%2fb"), // an escape of what needs none, and lower-case hex
            good.replace("a%20b", "a b"), // a raw space
            good.replace("&s=", "&x=1&s="), // an unknown key
            good + "&t=" + OWNER.text() + "&t=" + OWNER.text(), // a key twice
            good.replace("#o=", "#a=1&o="),
            good.replace(":2045", ":02045"), // a port's leading zero
            good.replace(":2045", ":70000"),
            good.replace("f=a%20b", "f="), // a file without a name
            good.replace("f=a%20b", "f=../x"),
            good.replace("f=a%20b", "f=%00"),
            good.replace("f=a%20b", "f=%C3"), // not UTF-8
            good.substring(0, good.length() - 8), // a secret cut short (12 bytes)
            good.replace("p2ps://", "http://"),
            "p2ps://" + "x".repeat(5000),
        };
        for (String text : bad) {
            if (text.equals(good)) {
                continue;
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InviteLink.parse(text),
                    text);
            assertTrue(e.getMessage().startsWith("invite link: "), e.getMessage());
            assertFalse(e.getMessage().contains(InviteLink.base32(SECRET)), e.getMessage());
        }
        assertFalse(InviteLink.parse(good).toString().contains(InviteLink.base32(SECRET)));
    }

    @Test
    void aLinkIsMadeOnlyOfWhatItCanCarry() {
        assertThrows(IllegalArgumentException.class,
                () -> new InviteLink("t:1", OWNER, "o:2", true, "", SECRET, null));
        assertThrows(IllegalArgumentException.class,
                () -> new InviteLink("t:1", OWNER, "o:2", true, "a", new byte[16], null));
        assertThrows(IllegalArgumentException.class,
                () -> new InviteLink("t 1:1", OWNER, "o:2", true, "a", SECRET, null));
        assertThrows(IllegalArgumentException.class,
                () -> new InviteLink("t:1", OWNER, "o:2", false, "a/", SECRET, null));
    }
}
