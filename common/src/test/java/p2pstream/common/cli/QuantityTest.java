package p2pstream.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class QuantityTest {

    @Test
    void ratesInDecimalBinaryAndBitUnits() {
        assertEquals(25_000_000, Quantity.rate("25MB/s"));
        assertEquals(25L * 1024 * 1024, Quantity.rate("25MiB/s"));
        assertEquals(25_000_000, Quantity.rate("200Mbit/s"));
        assertEquals(1234, Quantity.rate("1234"));
        assertEquals(1_500_000, Quantity.rate("1.5MB/s"));
        assertEquals(2_000_000_000L / 8, Quantity.rate("2Gbit/s"));
    }

    @Test
    void sizesWithSuffixes() {
        assertEquals(256 * 1024, Quantity.size("256KiB"));
        assertEquals(64L * 1024 * 1024, Quantity.size("64M"));
        assertEquals(2L * 1024 * 1024 * 1024, Quantity.size("2G"));
        assertEquals(0, Quantity.size("0"));
    }

    @Test
    void malformedQuantitiesAreRefusedWithTheExpectedForm() {
        for (String bad : new String[] {"", "fast", "-5MB/s", "25 parsecs", "0", "MB/s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantity.rate(bad), bad);
            assertEquals(true, e.getMessage().contains("expected"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Quantity.size("25MB/s"));
    }
}
