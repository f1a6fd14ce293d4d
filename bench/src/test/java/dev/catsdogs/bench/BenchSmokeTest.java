package dev.catsdogs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * CI's smoke of the harness, so it cannot rot: every benchmark once, in this JVM, for 100 ms, and a
 * 200-classification memory check. It proves the harness runs and its output parses; the figures
 * come from {@code ./catsdogs bench}, never from here.
 */
class BenchSmokeTest {

    @TempDir Path results;

    @Test
    void smokeRunWritesJmhJsonAndEndsWithAParsableRatioLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream p = new PrintStream(progress, true, StandardCharsets.UTF_8)) {
            exit =
                    new CommandLine(new BenchCommand(o, p))
                            .execute("--smoke", "--results", results.toString());
        }
        String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, report + "\n" + progress.toString(StandardCharsets.UTF_8));

        List<String> lines = report.lines().toList();
        BenchReport.Ratios ratios = BenchReport.Ratios.parse(lines.get(lines.size() - 1));
        for (double r :
                new double[] {
                    ratios.e2eOverRaw(),
                    ratios.ortOverDjl(),
                    ratios.ortOverOpenCvDnn(),
                    ratios.fractionOfPeak()
                }) {
            assertTrue(r > 0 && Double.isFinite(r), lines.get(lines.size() - 1));
        }
        assertEquals(1, lines.stream().filter(l -> l.startsWith("ratio:")).count());
        assertTrue(
                report.contains(
                        "| benchmark | batch | threads | images/s | ms per image | error |"),
                report);
        assertTrue(
                lines.stream().anyMatch(l -> l.startsWith("memory: classifications=200 ")), report);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("parity vs ONNX Runtime")), report);

        Path json;
        try (Stream<Path> files = Files.list(results)) {
            json =
                    files.filter(f -> f.getFileName().toString().endsWith(".json"))
                            .findFirst()
                            .orElseThrow();
        }
        JsonArray runs = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        // one entry per configuration: the mirrored runs are merged, as two forks
        assertEquals(BenchPlan.RATIO_STEPS.size(), runs.size(), json.toString());
        for (JsonElement run : runs) {
            String benchmark = run.getAsJsonObject().get("benchmark").getAsString();
            int forks =
                    run.getAsJsonObject()
                            .getAsJsonObject("primaryMetric")
                            .getAsJsonArray("rawData")
                            .size();
            assertEquals(
                    benchmark.endsWith("runRaw")
                                    || benchmark.endsWith("classify")
                                    || benchmark.endsWith("twoCallers")
                            ? 2
                            : 1,
                    forks,
                    benchmark);
        }
        for (JsonElement run : runs) {
            double score =
                    run.getAsJsonObject()
                            .getAsJsonObject("primaryMetric")
                            .get("score")
                            .getAsDouble();
            assertTrue(score > 0, run.toString());
        }
    }

    @Test
    void fullPlanRunsTheWholeGridWithTheClosePairsMirroredFirst() {
        List<BenchPlan.Step> full = BenchPlan.full().steps();
        // preprocess 4 (scaled and full-size JPEG decoding, each with libturbojpeg when installed
        // and with OpenCV's decoder), ORT 3 batches x 2 threads, e2e 2, 2 callers 1, DJL 2, OpenCV
        // 2, peak 2 = 19, and raw, e2e, 2 callers at batch 1 a second time
        assertEquals(22, full.size());
        assertEquals(19, BenchPlan.grid().size());
        assertEquals(new java.util.HashSet<>(BenchPlan.grid()), new java.util.HashSet<>(full));
        assertEquals(
                List.of(
                        "OrtBenchmark.runRaw batch=1 intraOpThreads=1",
                        "EndToEndBenchmark.classify batch=1",
                        "ConcurrencyBenchmark.twoCallers",
                        "ConcurrencyBenchmark.twoCallers",
                        "EndToEndBenchmark.classify batch=1",
                        "OrtBenchmark.runRaw batch=1 intraOpThreads=1"),
                full.subList(0, 6).stream().map(Object::toString).toList());
        assertTrue(full.subList(0, 11).containsAll(BenchPlan.RATIO_STEPS));
        assertEquals(full.subList(0, 11), BenchPlan.quick().steps());
        assertTrue(
                BenchPlan.full().describe().startsWith("22 runs of 19 configurations"),
                BenchPlan.full().describe());
    }

    @Test
    void includeAndWithoutFilterSteps() {
        BenchPlan ort = BenchPlan.full().including(java.util.regex.Pattern.compile("^Ort"));
        assertEquals(7, ort.steps().size(), "6 configurations, batch 1 x 1 thread twice");
        assertTrue(
                BenchPlan.full()
                        .without(dev.catsdogs.bench.jmh.OpenCvDnnBenchmark.class)
                        .steps()
                        .stream()
                        .noneMatch(s -> s.benchmark().startsWith("OpenCv")));
    }
}
