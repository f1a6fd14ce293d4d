package dev.catsdogs.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * What one JVM that ran tasks holds: its process id, the models with a classifier in {@link
 * ExecutorClassifiers}, and its resident memory ({@code VmRSS} from {@code /proc/self/status}: heap
 * plus the native memory of ONNX Runtime and OpenCV, which the heap does not see).
 *
 * @param pid the process id
 * @param models SHA-256 of each model with a classifier in that JVM
 * @param rssBytes resident set size, -1 where {@code /proc} is not available
 */
public record JvmReport(long pid, List<String> models, long rssBytes) implements Serializable {

    public JvmReport {
        models = List.copyOf(models);
    }

    /** This JVM. */
    public static JvmReport current() {
        return new JvmReport(
                ProcessHandle.current().pid(), ExecutorClassifiers.models(), currentRssBytes());
    }

    /**
     * One report per JVM that ran one of {@code tasks} small tasks, by pid (in local mode: the
     * driver). Enough tasks reach every executor in practice, not by guarantee.
     */
    public static List<JvmReport> executors(SparkSession spark, int tasks) {
        List<String> lines =
                spark.range(0, tasks, 1, tasks)
                        .mapPartitions(new Probe(), Encoders.STRING())
                        .collectAsList();
        Map<Long, JvmReport> byPid = new LinkedHashMap<>();
        for (String line : lines) {
            String[] parts = line.split(" ", -1);
            List<String> models = parts[2].isEmpty() ? List.of() : List.of(parts[2].split(","));
            byPid.putIfAbsent(
                    Long.parseLong(parts[0]),
                    new JvmReport(Long.parseLong(parts[0]), models, Long.parseLong(parts[1])));
        }
        return new ArrayList<>(byPid.values());
    }

    /** {@code VmRSS} of this process in bytes, -1 if unknown. */
    public static long currentRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: unknown
        }
        return -1;
    }

    private static final class Probe implements MapPartitionsFunction<Long, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<String> call(Iterator<Long> ignored) {
            JvmReport me = current();
            return List.of(me.pid() + " " + me.rssBytes() + " " + String.join(",", me.models()))
                    .iterator();
        }
    }
}
