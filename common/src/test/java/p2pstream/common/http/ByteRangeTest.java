package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Range headers against a body of known size: 206 ranges, 416 and headers to ignore. */
class ByteRangeTest {
    private static final long SIZE = 1000;

    @Test
    void singleOpenAndSuffixRanges() {
        assertEquals(new ByteRange(0, 1), ByteRange.parse("bytes=0-1", SIZE));
        assertEquals(2, ByteRange.parse("bytes=0-1", SIZE).length(), "bytes=0-1 is exactly two bytes");
        assertEquals(new ByteRange(500, 999), ByteRange.parse("bytes=500-", SIZE), "open-ended: to the end");
        assertEquals(new ByteRange(900, 999), ByteRange.parse("bytes=-100", SIZE), "the last 100");
        assertEquals(new ByteRange(0, 999), ByteRange.parse("bytes=-5000", SIZE), "a suffix longer than the body");
        assertEquals(new ByteRange(999, 999), ByteRange.parse("bytes=999-999", SIZE));
        assertEquals(new ByteRange(0, 0), ByteRange.parse("Bytes=0-0", SIZE), "the unit is case-insensitive");
    }

    @Test
    void anEndPastTheSizeIsClipped() {
        assertEquals(new ByteRange(10, 999), ByteRange.parse("bytes=10-5000", SIZE));
        assertEquals(new ByteRange(10, 999), ByteRange.parse("bytes=10-99999999999999999999999", SIZE),
                "digits beyond a long are a number past any size");
        assertEquals("bytes 10-999/1000", ByteRange.parse("bytes=10-5000", SIZE).contentRange(SIZE));
    }

    @Test
    void theFirstRangeOfSeveralIsTaken() {
        assertEquals(new ByteRange(0, 9), ByteRange.parse("bytes=0-9, 20-29,-5", SIZE));
        assertEquals(new ByteRange(20, 29), ByteRange.parse("bytes=5000-6000, 20-29", SIZE),
                "the first one that lies within the body");
        assertEquals(new ByteRange(3, 4), ByteRange.parse("bytes=, 3-4 ,", SIZE), "empty list elements mean nothing");
    }

    @Test
    void rangesOutsideTheBodyAreUnsatisfiable() {
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=1000-", SIZE));
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=1000-2000, 3000-", SIZE));
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=-0", SIZE));
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=0-", 0), "an empty body has no byte to give");
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=-1", 0));
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=99999999999999999999-", SIZE));
        assertFalse(ByteRange.UNSATISFIABLE.isSatisfiable());
        assertEquals("bytes */1000", ByteRange.UNSATISFIABLE.contentRange(SIZE));
    }

    @Test
    void headersToIgnoreServeTheWholeBody() {
        for (String header : new String[] {null, "", "bytes", "bytes=", "bytes=,", "items=0-1", "bytes 0-1",
                "bytes=1-0", "bytes=a-b", "bytes=0-1,x", "bytes=--1", "bytes=-", "bytes=1", "bytes=+1-2",
                "bytes=0-1-2", "bytes= 0 -1"}) {
            assertNull(ByteRange.parse(header, SIZE), header);
        }
    }
}
