package p2pstream.peer.server;

import io.nayuki.qrcodegen.DataTooLongException;
import io.nayuki.qrcodegen.QrCode;

/**
 * A link's QR code as modules for {@code HtmlPage.qrCode}, from io.nayuki:qrcodegen (one small, dependency-free and
 * well-tested encoder): the server's invite links and the gateway's watch links. Stateless; any thread.
 */
public final class QrModules {
    private QrModules() {
    }

    /**
     * {@code text}'s QR code, {@code [y][x]} dark; medium error correction, as phones read it at a glance. Null when
     * the text does not fit in the largest code (about 2,300 bytes: a link with a very long name).
     */
    public static boolean[][] of(String text) {
        QrCode qr;
        try {
            qr = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
        } catch (DataTooLongException e) {
            return null;
        }
        boolean[][] dark = new boolean[qr.size][qr.size];
        for (int y = 0; y < qr.size; y++) {
            for (int x = 0; x < qr.size; x++) {
                dark[y][x] = qr.getModule(x, y);
            }
        }
        return dark;
    }
}
