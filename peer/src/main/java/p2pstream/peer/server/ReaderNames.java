package p2pstream.peer.server;

import java.util.Set;
import p2pstream.common.wire.PeerId;

/**
 * Turns an account name of {@code --allow}, an {@code --allow-file} or a {@code .p2paccess} into the peer ids of
 * that tracker account's devices ({@link AccountReaders}, from the tracker's DEVICES answers); {@link #NONE} knows no
 * name, so a name lets nobody in (logged once). An implementation answers from what it knows now, never blocks, and
 * tells the server's {@link Access#namesChanged} when what it knows changes. Called on the server's loop thread.
 */
@FunctionalInterface
public interface ReaderNames {
    /** Knows no account: names let nobody in. */
    ReaderNames NONE = name -> Set.of();

    /** The peer ids of the devices of account {@code name} (empty when unknown). */
    Set<PeerId> devicesOf(String name);
}
