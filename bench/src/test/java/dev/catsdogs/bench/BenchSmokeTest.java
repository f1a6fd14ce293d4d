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

    /** Runs {@code ./catsdogs bench} in this JVM; returns its stdout. */
    private static String bench(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream p = new PrintStream(progress, true, StandardCharsets.UTF_8)) {
            exit = BenchCommand.commandLine(o, p).execute(args);
        }
        String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, report + "\n" + progress.toString(StandardCharsets.UTF_8));
        return report;
    }

    @Test
    void smokeRunWritesJmhJsonAndEndsWithAParsableRatioLine() throws Exception {
        Path int8 =
                Int8TestModel.write(
                        Workspace.defaults().model(), results.resolve("test-int8.onnx"));
        String report =
                bench("--smoke", "--results", results.toString(), "--int8-model", int8.toString());

        List<String> lines = report.lines().toList();
        BenchReport.Ratios ratios = BenchReport.Ratios.parse(lines.get(lines.size() - 1));
        for (double r :
                new double[] {
                    ratios.e2eOverRaw(),
                    ratios.ortOverDjl(),
                    ratios.ortOverOpenCvDnn(),
                    ratios.fractionOfPeak(),
                    ratios.int8OverFp32(),
                    ratios.e2eInt8OverFp32()
                }) {
            assertTrue(r > 0 && Double.isFinite(r), lines.get(lines.size() - 1));
        }
        assertTrue(
                lines.stream()
                        .anyMatch(
                                l ->
                                        l.startsWith(
                                                "| ONNX Runtime only (runRaw), prepared tensor,"
                                                        + " int8 model | 1 | 1 x 1 |")),
                report);
        assertTrue(
                lines.stream()
                        .anyMatch(
                                l ->
                                        l.startsWith(
                                                "| end to end: JPEG bytes -> label + probability,"
                                                        + " int8 model | 1 | 1 x 1 |")),
                report);
        assertTrue(
                lines.stream().anyMatch(l -> l.startsWith("int8 vs float on 4 photos: same label")),
                report);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("ratio:")).count());
        assertTrue(
                report.contains(
                        "| benchmark | batch | threads | images/s | ms per image | error |"),
                report);
        assertTrue(
                lines.stream().anyMatch(l -> l.startsWith("memory: classifications=200 ")), report);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("parity vs ONNX Runtime")), report);
        assertTrue(
                lines.stream()
                        .anyMatch(
                                l ->
                                        l.startsWith("model: ")
                                                && l.contains(
                                                        ", input 160x160, 2 classes, 152.8M MACs"
                                                                + " per image (Conv2D ")),
                report);

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
        int int8Runs = 0;
        for (JsonElement run : runs) {
            int8Runs += run.toString().contains("\"precision\":\"int8\"") ? 1 : 0;
        }
        assertEquals(2, int8Runs, "raw and end to end at batch 1 with the int8 model");
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
    void withoutAnInt8ModelTheInt8RowsAreSkippedWithOneLineSayingHowToMakeIt() throws Exception {
        // a float model with no -int8.onnx beside it
        Path fp32 =
                Files.copy(
                        Workspace.defaults().model(), results.resolve("catsdogs-mobilenetv2.onnx"));
        String report =
                bench(
                        "--smoke",
                        "--results",
                        results.toString(),
                        "--model",
                        fp32.toString(),
                        "--include",
                        "OrtBenchmark",
                        "--memory",
                        "0");
        List<String> lines = report.lines().toList();
        assertEquals(
                1,
                lines.stream()
                        .filter(
                                l ->
                                        l.startsWith("int8: ")
                                                && l.contains(
                                                        "catsdogs-mobilenetv2-int8.onnx not"
                                                                + " found, int8 rows skipped")
                                                && l.contains(Workspace.INT8_EXPORT_HINT))
                        .count(),
                report);
        assertTrue(lines.stream().noneMatch(l -> l.contains("int8 model |")), report);
        String ratio = lines.get(lines.size() - 1);
        assertTrue(ratio.endsWith(" int8_over_fp32=n/a e2e_int8_over_fp32=n/a"), ratio);
    }

    @Test
    void aMissingInt8ModelFileIsAUsageErrorNamingIt() {
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine cmd =
                BenchCommand.commandLine(System.out, System.err)
                        .setErr(new java.io.PrintWriter(err, true));
        Path missing = results.resolve("nope-int8.onnx");
        int exit = cmd.execute("--smoke", "--int8-model", missing.toString());
        assertEquals(2, exit, err.toString());
        assertTrue(
                err.toString().startsWith("bench: int8 model file not found: " + missing)
                        && !err.toString().contains("\tat "),
                err.toString());
    }

    @Test
    void anUnknownOptionIsOneLineAndExit2() {
        java.io.StringWriter err = new java.io.StringWriter();
        int exit =
                BenchCommand.commandLine(System.out, System.err)
                        .setErr(new java.io.PrintWriter(err, true))
                        .execute("--nosuch");
        assertEquals(2, exit, err.toString());
        assertEquals(
                "bench: Unknown option: '--nosuch' (see bench --help)", err.toString().strip());
    }

    @Test
    void fullPlanRunsTheWholeGridWithTheClosePairsMirroredFirst() {
        List<BenchPlan.Step> full = BenchPlan.full().steps();
        // preprocess 4 (scaled and full-size JPEG decoding, each with libturbojpeg when installed
        // and with OpenCV's decoder), ORT 3 batches x 2 threads x 2 precisions = 12, e2e 2 batches
        // x 2 threads x 2 precisions = 8, 2 callers 1, DJL 2, OpenCV 2, peak 2 = 31, and raw and
        // e2e at batch 1 (both precisions) and 2 callers a second time
        assertEquals(36, full.size());
        assertEquals(31, BenchPlan.grid().size());
        assertEquals(new java.util.HashSet<>(BenchPlan.grid()), new java.util.HashSet<>(full));
        assertEquals(
                List.of(
                        "OrtBenchmark.runRaw batch=1 intraOpThreads=1 precision=fp32",
                        "OrtBenchmark.runRaw batch=1 intraOpThreads=1 precision=int8",
                        "EndToEndBenchmark.classify batch=1 intraOpThreads=1 precision=fp32",
                        "EndToEndBenchmark.classify batch=1 intraOpThreads=1 precision=int8",
                        "ConcurrencyBenchmark.twoCallers",
                        "ConcurrencyBenchmark.twoCallers",
                        "EndToEndBenchmark.classify batch=1 intraOpThreads=1 precision=int8",
                        "EndToEndBenchmark.classify batch=1 intraOpThreads=1 precision=fp32",
                        "OrtBenchmark.runRaw batch=1 intraOpThreads=1 precision=int8",
                        "OrtBenchmark.runRaw batch=1 intraOpThreads=1 precision=fp32"),
                full.subList(0, 10).stream().map(Object::toString).toList());
        assertTrue(full.subList(0, 15).containsAll(BenchPlan.RATIO_STEPS));
        assertEquals(full.subList(0, 15), BenchPlan.quick().steps());
        assertTrue(
                BenchPlan.full().describe().startsWith("36 runs of 31 configurations"),
                BenchPlan.full().describe());
    }

    @Test
    void withoutInt8DropsExactlyTheInt8Configurations() {
        BenchPlan full = BenchPlan.full().withoutInt8();
        assertEquals(24, full.steps().size(), "21 configurations, three of them twice");
        assertTrue(full.steps().stream().noneMatch(s -> s.toString().contains("int8")));
        // the quick plan as it was before the int8 rows: raw, e2e, 2 callers mirrored, then 5
        assertEquals(11, BenchPlan.quick().withoutInt8().steps().size());
    }

    @Test
    void includeAndWithoutFilterSteps() {
        BenchPlan ort = BenchPlan.full().including(java.util.regex.Pattern.compile("^Ort"));
        assertEquals(14, ort.steps().size(), "12 configurations, batch 1 x 1 thread twice");
        assertTrue(
                BenchPlan.full()
                        .without(dev.catsdogs.bench.jmh.OpenCvDnnBenchmark.class)
                        .steps()
                        .stream()
                        .noneMatch(s -> s.benchmark().startsWith("OpenCv")));
    }
}
