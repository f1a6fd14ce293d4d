package dev.catsdogs.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemoryCheckTest {

    private static MemoryCheck.Result result(long warm, long end) {
        return new MemoryCheck.Result(
                100_000,
                2,
                110_000,
                180_000,
                warm,
                end,
                end + 10,
                2_700,
                2_800,
                460.5,
                new long[] {warm, warm + 1, end});
    }

    @Test
    void lineRoundTrips() {
        MemoryCheck.Result r = result(214_000, 216_048);
        MemoryCheck.Result back = MemoryCheck.Result.parse(r.line());
        assertEquals(r.classifications(), back.classifications());
        assertEquals(r.rssWarmKib(), back.rssWarmKib());
        assertEquals(r.rssEndKib(), back.rssEndKib());
        assertEquals(r.seconds(), back.seconds(), 0.05);
        assertArrayEquals(r.samplesKib(), back.samplesKib());
        assertEquals(2_048, back.growthKib());
    }

    @Test
    void growthWithinTheLimitIsFlat() {
        assertTrue(result(200_000, 200_000 + MemoryCheck.FLAT_LIMIT_KIB).flat());
        MemoryCheck.Result leaking = result(200_000, 200_001 + MemoryCheck.FLAT_LIMIT_KIB);
        assertFalse(leaking.flat());
        assertTrue(leaking.summary().contains("NOT FLAT"), leaking.summary());
    }

    @Test
    void summaryStatesBeforeAfterAndGrowth() {
        String s = result(214_016, 216_064).summary();
        assertTrue(s.contains("after warm-up 209.0 MiB"), s);
        assertTrue(s.contains("100,000 classifications from 2 threads"), s);
        assertTrue(s.contains("growth +2.0 MiB (21 bytes per classification)"), s);
        assertTrue(s.endsWith(": flat"), s);
    }

    @Test
    void incompleteLineIsRejected() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> MemoryCheck.Result.parse("memory: classifications=5"));
        assertTrue(e.getMessage().contains("memory: classifications=5"), e.getMessage());
    }

    @Test
    void readsThisProcessRss() {
        long rss = ProcessMemory.rssKib();
        assertTrue(rss > 10_000 && rss < 64L * 1024 * 1024, "VmRSS " + rss + " KiB");
    }
}
