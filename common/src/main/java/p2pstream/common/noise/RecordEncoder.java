package p2pstream.common.noise;

import java.nio.ByteBuffer;

/**
 * Seals the frame stream one direction of a connection sends into records ({@link Records}): each record takes up
 * to {@link Records#MAX_PLAINTEXT_BYTES}, encrypted under the next nonce. Every {@link #REKEY_RECORDS} records
 * both ends move to a new key (Noise Rekey), keeping AES-GCM's use of one key far inside its safety margin.
 * Allocates nothing per record beyond the JDK's nonce parameters. Confined to the thread of its connection.
 */
public final class RecordEncoder {
    /** Records per key: 2^20, so 16 GiB of full records. */
    static final long REKEY_RECORDS = 1L << 20;
    private static final byte[] NO_AD = new byte[0];

    private final CipherState cipher;
    private final long rekeyRecords;
    private long records;

    RecordEncoder(CipherState cipher) {
        this(cipher, REKEY_RECORDS);
    }

    RecordEncoder(CipherState cipher, long rekeyRecords) {
        this.cipher = cipher;
        this.rekeyRecords = rekeyRecords;
    }

    /**
     * Seals the next up to {@link Records#MAX_PLAINTEXT_BYTES} of {@code plaintext} (position to limit) into one
     * record at {@code out}'s position, moving both past what was taken and written.
     *
     * @return plaintext bytes taken: all of them up to the maximum, or fewer when {@code out} has less room; 0, and
     *         nothing written, when there is nothing to take or no room for a byte of it
     * @throws IllegalStateException when the key's nonces are used up (the connection must end)
     */
    public int encode(ByteBuffer plaintext, ByteBuffer out) {
        int room = out.remaining() - Records.LENGTH_BYTES - Records.TAG_BYTES;
        int take = Math.min(Math.min(plaintext.remaining(), Records.MAX_PLAINTEXT_BYTES), room);
        if (take <= 0) {
            return 0;
        }
        int limit = plaintext.limit();
        plaintext.limit(plaintext.position() + take);
        out.putShort((short) (take + Records.TAG_BYTES));
        try {
            cipher.encryptWithAd(NO_AD, plaintext, out);
        } finally {
            plaintext.limit(limit);
        }
        if (++records % rekeyRecords == 0) {
            cipher.rekey();
        }
        return take;
    }

    /** Records sealed so far. */
    public long records() {
        return records;
    }

    @Override
    public String toString() {
        return "RecordEncoder[" + records + " records, " + cipher + "]";
    }
}
