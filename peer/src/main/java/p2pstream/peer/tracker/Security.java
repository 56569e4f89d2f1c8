package p2pstream.peer.tracker;

import p2pstream.common.identity.Identity;
import p2pstream.common.noise.StaticKey;

/**
 * How a peer secures its connections (PROTOCOL.md section 9): the static key its identity signed, which every
 * handshake proves, and how it decides the tracker is the one it means. Thread-safe (immutable parts).
 */
public record Security(StaticKey key, TrackerTrust trackerTrust) {

    /** A fresh identity kept in memory that takes any tracker: in-process tests and one-off tools. */
    public static Security ephemeral() {
        return new Security(StaticKey.of(Identity.generate()), TrackerTrust.any());
    }
}
