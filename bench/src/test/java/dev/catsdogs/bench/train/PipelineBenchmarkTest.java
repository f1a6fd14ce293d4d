package dev.catsdogs.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.bench.Workspace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench-train --pipeline} on a handful of real photos: it runs without a model and prints
 * its table and a {@code pipeline:} line of sane positive figures. The figures come from the real
 * run, never from here.
 */
class PipelineBenchmarkTest {

    private static final Pattern LINE =
            Pattern.compile(
                    "pipeline: single_image_per_s=(\\S+) threads1_per_s=(\\S+)"
                            + " threads2_per_s=(\\S+) per_thread_efficiency=(\\S+)"
                            + " scaling_2_over_1=(\\S+) machine_2_over_1=(\\S+)"
                            + " loader_over_machine=(\\S+)");

    @TempDir Path data;

    @Test
    void aMissingDataDirectoryIsOneLineAndExitTwo() {
        Run run = benchTrain("--pipeline", "--data", data.resolve("absent").toString());
        assertEquals(2, run.exit(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("absent") && run.err().contains("does not exist"), run.err());
    }

    @Test
    void pipelineRowPrintsAParsableLineOfPositiveFigures() throws Exception {
        // 20 cats and 20 dogs of the real training photos, in a data folder of their own.
        Path shared = Workspace.defaults().data();
        for (String kind : List.of("cats", "dogs")) {
            for (String split : List.of("train", "validation")) {
                Path to = Files.createDirectories(data.resolve(split).resolve(kind));
                try (Stream<Path> files = Files.list(shared.resolve(split).resolve(kind))) {
                    for (Path f : files.sorted().limit(split.equals("train") ? 20 : 2).toList()) {
                        Files.copy(f, to.resolve(f.getFileName()));
                    }
                }
            }
        }
        Run run = benchTrain("--pipeline", "--data", data.toString());
        String report = run.out();
        assertEquals(0, run.exit(), report + run.err());
        assertTrue(report.contains("| BatchLoader epoch (decode + batch assembly) | 2 |"), report);
        List<String> lines = report.lines().filter(l -> l.startsWith("pipeline:")).toList();
        assertEquals(1, lines.size(), report);
        Matcher m = LINE.matcher(lines.get(0));
        assertTrue(m.matches(), lines.get(0));
        for (int g = 1; g <= 7; g++) {
            double v = Double.parseDouble(m.group(g));
            assertTrue(v > 0 && Double.isFinite(v), lines.get(0));
        }
        // Sane: a rate of real 160x160 photos on a CPU, and ratios of like with like.
        assertTrue(Double.parseDouble(m.group(1)) < 1e6, lines.get(0));
        for (int g = 4; g <= 7; g++) {
            assertTrue(Double.parseDouble(m.group(g)) < 10, lines.get(0));
        }
        assertTrue(
                report.contains(
                        "| preprocess one image per thread, side by side (no loader) | 2 |"),
                report);
    }

    private record Run(int exit, String out, String err) {}

    // bench-train prints to System.out and System.err: both are captured for the run.
    private static Run benchTrain(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            exit = new CommandLine(new BenchTrainCommand()).execute(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Run(
                exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
