package p2pstream.peer.swarm;

import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import p2pstream.common.access.Grant;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;

/**
 * The grant a tracker's PEERS answer carries for a private stream, read and checked: its signature verifies, it names
 * this viewer, and it covers the stream found. The owner's signature is what counts: the tracker only hands it on.
 * Any thread (stateless).
 */
public final class PeersGrant {
    private static final Logger log = LoggerFactory.getLogger(PeersGrant.class);

    private PeersGrant() {
    }

    /** Our grant in {@code found} when it checks out; null when it does not (logged) or when there is none. */
    public static Grant read(Peers found, PeerId self) {
        byte[] bytes = found.grant();
        if (bytes == null) {
            return null;
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            Grant g = Grant.decode(in);
            String wrong = in.hasRemaining() ? "grant: " + in.remaining() + " bytes after it"
                    : g.check(self, g.owner(), found.contentId(), found.name(), Long.MIN_VALUE);
            if (wrong == null) {
                return g;
            }
            log.warn("tracker's grant for {} refused: {}", found.name(), wrong);
        } catch (ProtocolException e) {
            log.warn("tracker's grant for {} refused: {}", found.name(), e.getMessage());
        }
        return null;
    }
}
