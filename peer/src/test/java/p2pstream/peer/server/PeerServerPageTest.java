package p2pstream.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.decoder.Decoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import p2pstream.common.access.InviteLink;
import p2pstream.common.wire.PeerId;

/** The page's invites: each link drawn as a QR code that another decoder (ZXing) reads back to the same link. */
class PeerServerPageTest {
    private static final Pattern SVG = Pattern.compile("<svg [^>]*viewBox=\"0 0 (\\d+) \\d+\"[^>]*>.*?d=\"([^\"]*)\"");
    private static final Pattern MODULE = Pattern.compile("M(\\d+),(\\d+)h1v1h-1z");

    private static PeerServerStatus status(List<Redemptions.Shown> invites) {
        return new PeerServerStatus("peer", "127.0.0.1:2050", true, 1, 1, 10, 10, 0, 0, 0, 0, Map.of(), "", 1, 10, 1,
                List.of(), null, invites);
    }

    /** Every QR code on {@code html}, decoded by ZXing from the modules the SVG draws. */
    private static List<String> decodedCodes(String html) throws Exception {
        List<String> texts = new ArrayList<>();
        Matcher svg = SVG.matcher(html);
        while (svg.find()) {
            int size = Integer.parseInt(svg.group(1)) - 8; // the quiet zone: 4 modules each side
            BitMatrix bits = new BitMatrix(size);
            Matcher m = MODULE.matcher(svg.group(2));
            while (m.find()) {
                bits.set(Integer.parseInt(m.group(1)) - 4, Integer.parseInt(m.group(2)) - 4);
            }
            texts.add(new Decoder().decode(bits).getText());
        }
        return texts;
    }

    @Test
    void eachInviteIsAQrCodeThatDecodesToItsLink() throws Exception {
        byte[] secret = new byte[InviteLink.SECRET_BYTES];
        secret[3] = 7;
        String file = new InviteLink("tracker.example:2045", PeerId.random(), "203.0.113.5:2050", true,
                "club/june 2026.mp4", secret, null).text();
        String all = new InviteLink("tracker.example:2045", PeerId.random(), "203.0.113.5:2050", false, "", secret,
                PeerId.random()).text();
        String html = PeerServerPage.html(status(List.of(new Redemptions.Shown("file club/june 2026.mp4", file),
                new Redemptions.Shown("everything shared", all))));
        assertEquals(List.of(file, all), decodedCodes(html));
        assertTrue(html.contains("invite for file club/june 2026.mp4 (one peer, once)"), html);
    }

    @Test
    void noInvitesNoHeadingAndBeyondLoopbackNoLinks() throws Exception {
        assertFalse(PeerServerPage.html(status(List.of())).contains("Invites"));
        assertFalse(PeerServerPage.html(status(null)).contains("Invites"));
        assertEquals(List.of(), decodedCodes(PeerServerPage.html(status(null))));
    }
}
