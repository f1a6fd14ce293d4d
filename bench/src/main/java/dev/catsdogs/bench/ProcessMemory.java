package dev.catsdogs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory from {@code /proc/self/status} (Linux). Native memory (ONNX
 * Runtime, OpenCV, libtorch) is invisible to the Java heap, so memory figures are RSS.
 */
public final class ProcessMemory {

    private ProcessMemory() {}

    /** VmRSS in KiB. */
    public static long rssKib() {
        return statusKib("VmRSS:");
    }

    /** VmHWM (peak RSS) in KiB. */
    public static long peakRssKib() {
        return statusKib("VmHWM:");
    }

    /**
     * RSS after a full collection, in KiB: live memory rather than how far G1 has let the Java heap
     * grow.
     */
    public static long liveRssKib() {
        System.gc();
        return rssKib();
    }

    private static long statusKib(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException(
                    "cannot read " + key + " from /proc/self/status (Linux only): " + e, e);
        }
        throw new IllegalStateException("/proc/self/status has no " + key + " line");
    }
}
