package p2pstream.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuantityTest {

    @Test
    void ratesInDecimalBinaryAndBitUnits() {
        assertEquals(25_000_000, Quantity.rate("--rate", "25MB/s"));
        assertEquals(25L * 1024 * 1024, Quantity.rate("--rate", "25MiB/s"));
        assertEquals(25_000_000, Quantity.rate("--rate", "200Mbit/s"));
        assertEquals(1234, Quantity.rate("--rate", "1234"));
        assertEquals(1_500_000, Quantity.rate("--rate", "1.5MB/s"));
        assertEquals(2_000_000_000L / 8, Quantity.rate("--rate", "2Gbit/s"));
        assertEquals(500_000, Quantity.rate("--rate", "500kB/s"));
    }

    @Test
    void aRateWithASingleLetterIsAmbiguousAndRefusedWithTheAcceptedForms() {
        for (String bad : new String[] {"4M", "4m", "500K", "2G", "4M/s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Quantity.rate("--rate", bad), bad);
            assertEquals("--rate: " + bad + " (expected: a rate such as 4Mbit/s, 500kB/s, 25MiB/s or bytes per second)",
                    e.getMessage());
        }
    }

    @Test
    void sizesWithSuffixes() {
        assertEquals(256 * 1024, Quantity.size("--start", "256KiB"));
        assertEquals(64L * 1024 * 1024, Quantity.size("--start", "64M"));
        assertEquals(2L * 1024 * 1024 * 1024, Quantity.size("--start", "2G"));
        assertEquals(0, Quantity.size("--start", "0"));
    }

    @Test
    void malformedQuantitiesAreRefusedWithTheExpectedForm() {
        for (String bad : new String[] {"", "fast", "-5MB/s", "25 parsecs", "0", "MB/s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Quantity.rate("--rate", bad), bad);
            assertTrue(e.getMessage().startsWith("--rate: ") && e.getMessage().contains("expected"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Quantity.size("--start", "25MB/s"));
    }

    @Test
    void durationsWithUnitsAndABareNumberInTheOptionsOldUnit() {
        assertEquals(500, Quantity.durationMillis("--linger", "500ms", 1));
        assertEquals(5_000, Quantity.durationMillis("--linger", "5s", 1));
        assertEquals(1_500, Quantity.durationMillis("--latency", "1.5s", 1000));
        assertEquals(120_000, Quantity.durationMillis("--linger", "2m", 1));
        assertEquals(3_600_000, Quantity.durationMillis("--linger", "1h", 1));
        assertEquals(250, Quantity.durationMillis("--chunk-interval", "250", 1));
        assertEquals(20_000, Quantity.durationMillis("--no-peer-timeout", "20", 1000));
        assertEquals(0, Quantity.durationMillis("--reveal-delay", "0", 1));
        assertEquals(5_000, Quantity.durationMillis("--linger", " 5 s ", 1));
    }

    @Test
    void malformedDurationsNameTheOptionAndTheAcceptedForms() {
        for (String bad : new String[] {"", "soon", "-5s", "5x", "5s/s", "5 parsecs", "ms", "9999999h"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Quantity.durationMillis("--latency", bad, 1000), bad);
            assertTrue(e.getMessage().startsWith("--latency: " + bad + " (expected: a duration such as 500ms, 5s or 2m,"
                    + " or a bare number of seconds"), e.getMessage());
        }
    }

    @Test
    void bytesForPeople() {
        assertEquals("512 B", Quantity.bytesText(512));
        assertEquals("1.5 KiB", Quantity.bytesText(1536));
        assertEquals("20.0 MiB", Quantity.bytesText(20L << 20));
        assertEquals("1.50 GiB", Quantity.bytesText(3L << 29));
    }
}
