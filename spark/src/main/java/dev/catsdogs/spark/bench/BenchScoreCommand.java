package dev.catsdogs.spark.bench;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.cli.ClassifyCommand;
import dev.catsdogs.spark.JvmReport;
import dev.catsdogs.spark.ModelFile;
import dev.catsdogs.spark.ScoreArgumentException;
import dev.catsdogs.spark.ScoreInputs;
import dev.catsdogs.spark.ScoreJob;
import dev.catsdogs.spark.SparkSessions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-score}: {@code score} on local[N] against {@code classify --threads N} on the same
 * photos (default: the 2,000 training photos, N = 2), one run each after the files are in the page
 * cache, in one JVM: first one classifier alone (its resident memory), then {@code classify}, then
 * {@code score}. Ends with {@code ratio: score_over_classify=<x> startup_s=<y>}: Spark's throughput
 * after start-up over the CLI's, and Spark's start-up time.
 */
@Command(
        name = "bench-score",
        mixinStandardHelpOptions = true,
        description =
                "score on local[N] against classify --threads N on the same photos; prints the"
                        + " throughput ratio, start-up time and resident memory per classifier.")
public class BenchScoreCommand implements Callable<Integer> {

    /**
     * One scoring job split at its first task: what came before is start-up, what follows is the
     * throughput the issue compares.
     */
    record Scoring(ScoreJob.Summary summary, double untilFirstTaskSeconds, double scoringSeconds) {

        static Scoring measure(
                SparkSession spark,
                ModelFile model,
                ScoreJob.Settings settings,
                FirstJobTimeline timeline)
                throws InterruptedException, IOException {
            timeline.arm();
            long start = System.currentTimeMillis();
            ScoreJob.Summary summary = ScoreJob.run(spark, model, settings);
            long end = timeline.awaitJobEnd(10_000);
            long firstTask = timeline.firstTaskLaunchMillis();
            return new Scoring(summary, (firstTask - start) / 1e3, (end - firstTask) / 1e3);
        }

        double imagesPerSecond() {
            return scoringSeconds > 0 ? summary.images() / scoringSeconds : 0;
        }
    }

    private static final double MB = 1024.0 * 1024.0;

    @Spec private CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Photos to score (default: ${DEFAULT-VALUE}).")
    private Path data =
            Path.of(System.getProperty("catsdogs.home", ""))
                    .resolve("../shared/data/cats_and_dogs_filtered/train")
                    .normalize();

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description = "ONNX model (default: the shipped ${DEFAULT-VALUE}).")
    private Path model = ClassifyCommand.defaultModel();

    @Option(
            names = "--cores",
            paramLabel = "N",
            description = "local[N] and classify --threads N (default: ${DEFAULT-VALUE}).")
    private int cores = 2;

    public static void main(String[] args) {
        System.exit(
                ClassifyCommand.configure(new CommandLine(new BenchScoreCommand())).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // A user's mistake is one line and exit 2, before anything is measured.
        if (!Files.isDirectory(data)) {
            err.println(
                    "bench-score: no photo directory "
                            + data
                            + "; pass --data DIR (e.g. the training photos)");
            return CommandLine.ExitCode.USAGE;
        }
        ModelFile checked;
        try {
            checked = ModelFile.inspect(model.toString(), null);
        } catch (ModelLoadException e) {
            err.println("bench-score: cannot use model " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        List<Path> files = photos(data);
        if (files.size() < 96) { // the memory probe alone classifies 3 batches of 32
            err.println(
                    "bench-score: needs at least 96 photos, found " + files.size() + " in " + data);
            return CommandLine.ExitCode.USAGE;
        }
        long bytes = 0;
        for (Path file : files) { // into the page cache, so neither run reads the disk
            bytes += Files.readAllBytes(file).length;
        }
        out.printf(
                Locale.ROOT,
                "bench-score %s: %d photos (%.1f MB) under %s, %d cores, model %s%n",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME),
                files.size(),
                bytes / MB,
                data,
                cores,
                model);
        out.flush();

        // One classifier as an executor builds it (1 ONNX Runtime thread), used with batches of
        // 32; kept open so that its memory is not reused by what follows.
        long rssBefore = JvmReport.currentRssBytes();
        ImageClassifier probe = ImageClassifier.builder(model).optIntraOpThreads(1).build();
        long rssBuilt = JvmReport.currentRssBytes();
        for (int round = 0; round < 3; round++) {
            probe.classifyAll(
                    files.subList(round * 32, round * 32 + 32).stream()
                            .map(ImageInput::of)
                            .toList());
        }
        long rssUsed = JvmReport.currentRssBytes();
        out.printf(
                Locale.ROOT,
                "one classifier: +%.0f MB RSS loaded, +%.0f MB after 3 batches of 32 (native:"
                        + " ONNX Runtime session and arena, OpenCV and input scratch)%n",
                (rssBuilt - rssBefore) / MB,
                (rssUsed - rssBefore) / MB);
        out.flush();

        long t0 = System.nanoTime();
        Writer sink = Writer.nullWriter();
        int exit =
                new CommandLine(new ClassifyCommand())
                        .setOut(new PrintWriter(sink))
                        .setErr(new PrintWriter(sink))
                        .execute(
                                "--threads",
                                Integer.toString(cores),
                                "--model",
                                model.toString(),
                                data.toString());
        double classifySeconds = (System.nanoTime() - t0) / 1e9;
        if (exit != 0) {
            throw new IllegalStateException("classify exited with " + exit);
        }
        double classifyRate = files.size() / classifySeconds;
        out.printf(
                Locale.ROOT,
                "classify --threads %d: %d images in %.1f s = %.1f images/s%n",
                cores,
                files.size(),
                classifySeconds,
                classifyRate);
        out.flush();

        Path output = Files.createTempDirectory("catsdogs-bench-score");
        long rssBeforeSpark = JvmReport.currentRssBytes();
        long t1 = System.nanoTime();
        SparkSession spark =
                SparkSessions.builder(
                                "catsdogs bench-score",
                                "local[" + cores + "]",
                                Map.of("spark.ui.showConsoleProgress", "false"))
                        .getOrCreate();
        FirstJobTimeline timeline = new FirstJobTimeline();
        spark.sparkContext().addSparkListener(timeline);
        try {
            double sessionSeconds = (System.nanoTime() - t1) / 1e9;
            ScoreJob.Settings settings =
                    new ScoreJob.Settings(
                            List.of(data.toString()),
                            output.toString(),
                            ScoreJob.Format.PARQUET,
                            32,
                            true);
            Scoring first = Scoring.measure(spark, checked, settings, timeline);
            ScoreJob.Summary summary = first.summary();
            double startup = sessionSeconds + first.untilFirstTaskSeconds();
            if (summary.images() != files.size() || summary.errors() != 0) {
                throw new IllegalStateException(
                        "score wrote " + summary + " for " + files.size() + " photos");
            }
            int partitions = ScoreJob.partitions(spark, files.size()); // as the run split them
            Runtime rt = Runtime.getRuntime();
            long rssAfter = JvmReport.currentRssBytes();
            double scoreRate = first.imagesPerSecond();
            out.printf(
                    Locale.ROOT,
                    "score local[%d]: start-up %.1f s (session %.1f s, then %.1f s of planning and"
                            + " code generation until the first task); %d images in %.1f s from"
                            + " the first task to the job's end = %.1f images/s (%.1f per core);"
                            + " the whole write %.1f s = %.1f images/s; %d partitions, batches of"
                            + " 32%n",
                    cores,
                    startup,
                    sessionSeconds,
                    first.untilFirstTaskSeconds(),
                    summary.images(),
                    first.scoringSeconds(),
                    scoreRate,
                    scoreRate / cores,
                    summary.seconds(),
                    summary.imagesPerSecond(),
                    partitions);
            out.printf(
                    Locale.ROOT,
                    "score JVM (driver = executor in local mode): RSS %.0f MB before Spark, %.0f MB"
                            + " after scoring; heap %.0f MB used of %.0f MB committed%n",
                    rssBeforeSpark / MB,
                    rssAfter / MB,
                    (rt.totalMemory() - rt.freeMemory()) / MB,
                    rt.totalMemory() / MB);
            // Not the benchmark's figure: the same job again in the warm session, to show how much
            // of the first run was one-time warm-up (JIT, Spark's code generation, the first
            // minibatch shapes of the new ONNX Runtime session).
            Scoring again = Scoring.measure(spark, checked, settings, timeline);
            out.printf(
                    Locale.ROOT,
                    "score again in the same session (warm): %.1f s from the first task = %.1f"
                            + " images/s (%.3f of classify)%n",
                    again.scoringSeconds(),
                    again.imagesPerSecond(),
                    again.imagesPerSecond() / classifyRate);
            out.printf(
                    Locale.ROOT,
                    "ratio: score_over_classify=%.3f startup_s=%.1f%n",
                    scoreRate / classifyRate,
                    startup);
            out.flush();
            return 0;
        } finally {
            spark.stop();
            probe.close();
            deleteTree(output);
        }
    }

    // The files score lists under dir (none: ScoreInputs refuses that, this command says so).
    private static List<Path> photos(Path dir) {
        try {
            return ScoreInputs.list(List.of(dir.toString())).localFiles();
        } catch (ScoreArgumentException e) {
            return List.of();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
