package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Output that is not a terminal gets short plain lines, never carriage-return redraws. */
class ProgressListenerTest {

    @Test
    void withoutATerminalEveryLineIsPlain() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressListener progress =
                new ProgressListener(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        for (int done = 32; done <= 2000; done += 32) {
            progress.onCacheProgress("train", 155, Math.min(done, 2000), 2000);
        }
        progress.onCacheBuilt("train", 155, 2000, 12.5, "device (cpu()), 10.2 MB");
        progress.onEpochStart(Phase.FEATURE_EXTRACTION, 1, 63);
        for (int batch = 1; batch <= 63; batch++) {
            progress.onBatch(Phase.FEATURE_EXTRACTION, 1, batch, 0.5, 0.75, 900);
        }
        progress.onEpochEnd(
                new EpochRecord(Phase.FEATURE_EXTRACTION, 1, 0.5, 0.75, 0.4, 0.8, 2.0, 900));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), "no carriage returns: " + text);
        List<String> lines = text.lines().toList();
        assertEquals(
                5, lines.size(), "three quarter marks, the cache line, the epoch line:\n" + text);
        assertTrue(lines.get(0).startsWith("caching train @155: "), lines.get(0));
        assertTrue(
                lines.get(3).startsWith("cached train activations before layer 155"), lines.get(3));
        assertTrue(lines.get(3).endsWith("; cache: device (cpu()), 10.2 MB"), lines.get(3));
        assertTrue(lines.get(4).startsWith("Epoch 1/0 - 2.0s - loss: 0.5000"), lines.get(4));
        assertTrue(lines.stream().allMatch(l -> l.length() < 120), text);
    }
}
