package dev.catsdogs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The machine in one line: cores, CPU model, memory, OS, Java, whether jemalloc is preloaded. */
public final class Machine {

    private Machine() {}

    /** For the benchmarks' headers. */
    public static String describe() {
        Runtime rt = Runtime.getRuntime();
        String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
        return String.format(
                Locale.ROOT,
                "%d cores (nproc), %s, %.1f GiB; %s %s; Java %s; jemalloc " + "preloaded: %s",
                rt.availableProcessors(),
                cpuModel(),
                memoryGib(),
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("java.version"),
                preload.contains("jemalloc") ? "yes" : "NO");
    }

    /** {@code model name} of /proc/cpuinfo, as {@code lscpu} shows it. */
    static String cpuModel() {
        for (String line : lines("/proc/cpuinfo")) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).strip();
            }
        }
        return System.getProperty("os.arch");
    }

    private static double memoryGib() {
        for (String line : lines("/proc/meminfo")) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
            }
        }
        return Double.NaN;
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            return List.of();
        }
    }
}
