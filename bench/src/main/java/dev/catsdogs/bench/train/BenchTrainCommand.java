package dev.catsdogs.bench.train;

import ai.djl.engine.Engine;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.catsdogs.bench.Workspace;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code catsdogs bench-train}: what caching buys, and our training step vs PyTorch from Python.
 */
@Command(
        name = "bench-train",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark training on real data with the default workflow: feature-extraction phase"
                    + " cached vs --no-cache, one fine-tuning epoch cached vs --no-cache, the whole"
                    + " run, the training step at batch 32 vs PyTorch from Python"
                    + " (bench/pytorch/train_step.py), and memory across epochs.",
            "Ends with one line: ratio: fe_speedup=<x> ft_epoch_speedup=<y> total_speedup=<z>"
                    + " step_vs_pytorch=<w>",
            "With --profile, only the training step (layers from --fine-tune-at on trainable),"
                    + " profiled on both sides (about a minute): a table of self ms per step by"
                    + " operator, the line profile: djl_ms=<a> pytorch_ms=<b> ratio=<r>"
                    + " traces=<dir>, a table of operator calls per step, and last: ops_per_step:"
                    + " ours=<n> pytorch=<m> optimizer=<k> (native operator calls of one step, k"
                    + " of them our optimizer update's)",
            "With --pipeline, only the --no-cache input pipeline, without a model (seconds): the"
                    + " single-image preprocessing rate, BatchLoader epochs at 1 and 2 decoding"
                    + " threads, and the line pipeline: single_image_per_s=<a> threads1_per_s=<b>"
                    + " threads2_per_s=<c> per_thread_efficiency=<b/a> scaling_2_over_1=<c/b>"
                    + " (also printed by the full run, before its ratio line)"
        })
public final class BenchTrainCommand implements Callable<Integer> {

    @Spec private CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "Data (default: ../shared/data/cats_and_dogs_filtered beside the repository).")
    private Path data;

    @Option(
            names = "--quick",
            negatable = false,
            description =
                    "Smoke-sized: 1/10 of the images, 2 feature-extraction epochs, 3 timed steps.")
    private boolean quick;

    @Option(
            names = "--profile",
            negatable = false,
            description =
                    "Only the training step, with libtorch's profiler on ours and PyTorch's on"
                        + " Python's: self ms per step by operator. Chrome traces and summary.md go"
                        + " to bench/results/profile-<time>/.")
    private boolean profile;

    @Option(
            names = "--pipeline",
            negatable = false,
            description =
                    "Only the --no-cache input pipeline, no model: single-image preprocessing vs"
                            + " BatchLoader epochs at 1 and 2 decoding threads, on the training"
                            + " photos at 160x160, batch 32.")
    private boolean pipeline;

    @Option(
            names = "--profile-steps",
            paramLabel = "N",
            defaultValue = "3",
            description =
                    "Steps --profile records, after 3 warm-up steps (default: ${DEFAULT-VALUE}).")
    private int profileSteps;

    @Option(
            names = "--fine-tune-at",
            paramLabel = "LAYER",
            defaultValue = "100",
            description =
                    "With --profile: the first trainable layer of the profiled step, as the"
                        + " trainer's --fine-tune-at (default: ${DEFAULT-VALUE}; 0: all layers).")
    private int fineTuneAt;

    @Option(
            names = "--unfused",
            negatable = false,
            description =
                    "With --profile: our step updates with KerasRmsProp's NDArray operations (about"
                        + " ten native calls per parameter tensor) instead of the fused update the"
                        + " trainer uses, for comparison.")
    private boolean unfused;

    @Option(
            names = "--python",
            defaultValue = "/usr/bin/python3",
            description =
                    "Python with Debian's python3-torch and python3-torchvision (default:"
                            + " ${DEFAULT-VALUE}).")
    private String python;

    @Option(
            names = "--threads",
            description = "Decoding threads and PyTorch threads (default: the number of cores).")
    private Integer threads;

    @Override
    public Integer call() throws Exception {
        int cores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (profile) {
            return profile(cores);
        }
        Path dir = data != null ? data : Workspace.defaults().data();
        Dataset dataset = Dataset.load(dir, 42);
        List<Sample> train = quick ? every(dataset.train(), 10) : dataset.train();
        if (pipeline) {
            System.out.printf(
                    Locale.ROOT,
                    "bench-train --pipeline: %d train images from %s%n",
                    train.size(),
                    dir);
            pipeline(train);
            return 0;
        }
        List<Sample> validation = quick ? every(dataset.validation(), 10) : dataset.validation();
        int feEpochs = quick ? 2 : 10;
        int steps = quick ? 3 : 20;
        System.out.printf(
                Locale.ROOT,
                "bench-train: %d train / %d validation images from %s, %d cores%n",
                train.size(),
                validation.size(),
                dir,
                cores);

        TrainingBenchmark.Figures f =
                new TrainingBenchmark(
                                train,
                                validation,
                                dataset.classNames().size(),
                                Workspace.root().resolve(MobileNetV2Weights.SHIPPED_FILE),
                                160,
                                32,
                                cores,
                                System.out)
                        .run(feEpochs, 10, 100, steps);
        JsonObject torch = pytorch(Integer.toString(cores), Integer.toString(steps));
        System.out.println();
        pipeline(train);

        double torchStep = torch == null ? Double.NaN : torch.get("train_step_ms").getAsDouble();
        double torchForward = torch == null ? Double.NaN : torch.get("forward_ms").getAsDouble();
        System.out.println();
        System.out.println("| measurement | cached | --no-cache | speed-up |");
        System.out.println("|---|---|---|---|");
        row(
                "feature-extraction phase (" + feEpochs + " epochs + validation), s",
                f.feCached(),
                f.feUncached());
        row("one fine-tuning epoch + validation, s", f.ftEpochCached(), f.ftEpochUncached());
        System.out.printf(
                Locale.ROOT,
                "| fine-tuning cache build (once), s | %.1f | - | |%n",
                f.ftCacheBuild());
        row(
                "whole default run (phase 1 + cache + 10 fine-tuning epochs), s",
                f.totalCached(),
                f.totalUncached());
        System.out.println();
        System.out.println(
                "| batch 32, 160x160, median ms | catsdogs (DJL "
                        + Engine.getDjlVersion()
                        + ", PyTorch "
                        + Engine.getInstance().getVersion()
                        + ") | PyTorch from Python"
                        + (torch == null ? "" : " " + torch.get("torch").getAsString())
                        + " | ratio |");
        System.out.println("|---|---|---|---|");
        System.out.printf(
                Locale.ROOT,
                "| training step (all layers trainable) | %.0f | %.0f | %.2f |%n",
                f.stepMs(),
                torchStep,
                f.stepMs() / torchStep);
        System.out.printf(
                Locale.ROOT,
                "| inference forward | %.0f | %.0f | %.2f |%n",
                f.forwardMs(),
                torchForward,
                f.forwardMs() / torchForward);
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "memory: peak RSS %d MiB; RSS after epoch 2 %d MiB, after epoch %d %d MiB "
                        + "(plain feature extraction, each after a full GC)%n",
                f.peakRss() >> 20,
                f.rssAfterEpoch2() >> 20,
                feEpochs,
                f.rssAfterLastEpoch() >> 20);
        System.out.printf(
                Locale.ROOT,
                "ratio: fe_speedup=%.2f ft_epoch_speedup=%.2f total_speedup=%.2f "
                        + "step_vs_pytorch=%.2f%n",
                f.feSpeedup(),
                f.ftEpochSpeedup(),
                f.totalUncached() / f.totalCached(),
                f.stepMs() / torchStep);
        return 0;
    }

    /** {@code --profile}: both sides' traces of the same step, summarised into one table. */
    private int profile(int cores) throws IOException, InterruptedException {
        if (profileSteps < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Received --profile-steps " + profileSteps + "; expected at least 1");
        }
        String stamp =
                LocalDateTime.now()
                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path dir = Workspace.root().resolve("bench/results/profile-" + stamp);
        // Printed and written relative to the repository: summary.md may be committed.
        Path shown = Workspace.root().relativize(dir);
        Files.createDirectories(dir);
        if (fineTuneAt < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Received --fine-tune-at " + fineTuneAt + "; expected 0 or more");
        }
        String trainable =
                fineTuneAt == 0
                        ? "all layers trainable"
                        : "layers from " + fineTuneAt + " on trainable";
        String update = unfused ? "KerasRmsProp (unfused)" : "fused RMSprop";
        System.out.printf(
                Locale.ROOT,
                "bench-train --profile: training step at batch 32, %s, our update %s, 3 warm-up"
                        + " + %d profiled steps on each side, %d threads for PyTorch from Python%n",
                trainable,
                update,
                profileSteps,
                cores);

        Path djlTrace = dir.resolve("djl-trace.json");
        Path updateTrace = dir.resolve("djl-update-trace.json");
        // The step runs on a random batch: no training data, and 2 classes (one logit), like the
        // default data.
        new TrainingBenchmark(
                        List.of(),
                        List.of(),
                        2,
                        Workspace.root().resolve(MobileNetV2Weights.SHIPPED_FILE),
                        160,
                        32,
                        cores,
                        System.out)
                .profileStep(profileSteps, fineTuneAt, !unfused, djlTrace, updateTrace);
        Path torchTrace = dir.resolve("pytorch-trace.json");
        JsonObject torch =
                pytorch(
                        Integer.toString(cores),
                        Integer.toString(profileSteps),
                        "--fine-tune-at",
                        Integer.toString(fineTuneAt),
                        "--profile",
                        torchTrace.toString());

        TraceSummary djl = TraceSummary.read(djlTrace, profileSteps);
        TraceSummary pytorch = torch == null ? null : TraceSummary.read(torchTrace, profileSteps);
        TraceSummary djlUpdate = TraceSummary.read(updateTrace, profileSteps);
        double pytorchMs = pytorch == null ? Double.NaN : pytorch.totalMs();
        String table = ProfileTable.markdown(djl, pytorch);
        String line =
                String.format(
                        Locale.ROOT,
                        "profile: djl_ms=%.1f pytorch_ms=%.1f ratio=%.2f traces=%s",
                        djl.totalMs(),
                        pytorchMs,
                        djl.totalMs() / pytorchMs,
                        shown);
        String calls = ProfileTable.callsMarkdown(djl, pytorch);
        String opsLine =
                String.format(
                        Locale.ROOT,
                        "ops_per_step: ours=%s pytorch=%s optimizer=%s",
                        ProfileTable.count(djl.opsPerStep()),
                        pytorch == null ? "NaN" : ProfileTable.count(pytorch.opsPerStep()),
                        ProfileTable.count(djlUpdate.opsPerStep()));
        System.out.println();
        System.out.print(table);
        System.out.println();
        System.out.println(line);
        System.out.println();
        System.out.print(calls);
        System.out.println();
        System.out.println(opsLine);

        String summary =
                "# Training step profile, "
                        + stamp
                        + "\n\n"
                        + "Self ms per step by operator (its time minus that of the operators it"
                        + " calls), mean of "
                        + profileSteps
                        + " profiled steps after 3 warm-up steps: batch 32, 3x160x160, "
                        + trainable
                        + ", our update "
                        + update
                        + ". catsdogs (DJL "
                        + Engine.getDjlVersion()
                        + ", PyTorch "
                        + Engine.getInstance().getVersion()
                        + ") vs PyTorch"
                        + (torch == null
                                ? " from Python: not run"
                                : " "
                                        + torch.get("torch").getAsString()
                                        + " from Python, "
                                        + cores
                                        + " threads")
                        + ". Operators of at least 1% of either side's total.\n\n"
                        + table
                        + "\n"
                        + line
                        + "\n\n"
                        + "Operator calls per step issued by the host (aten:: operators not inside"
                        + " another; from Java, TorchScript or Python), operators of at least 1% of"
                        + " either side's calls. The optimizer's: our update alone, profiled in"
                        + " djl-update-trace.json.\n\n"
                        + calls
                        + "\n"
                        + opsLine
                        + "\n";
        Files.writeString(dir.resolve("summary.md"), summary, StandardCharsets.UTF_8);
        return 0;
    }

    /** The input pipeline alone: its table and its {@code pipeline:} line. */
    private PipelineBenchmark.Figures pipeline(List<Sample> train) throws Exception {
        PipelineBenchmark.Figures f =
                new PipelineBenchmark(train, 160, 32, System.out).run(quick ? 1 : 3);
        System.out.println();
        System.out.print(f.table(train.size(), 160, 32));
        System.out.println();
        System.out.println(f.line());
        return f;
    }

    private static void row(String what, double cached, double plain) {
        System.out.printf(
                Locale.ROOT, "| %s | %.1f | %.1f | %.2fx |%n", what, cached, plain, plain / cached);
    }

    private static List<Sample> every(List<Sample> samples, int k) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < samples.size(); i += k) {
            out.add(samples.get(i));
        }
        return out;
    }

    /**
     * Runs bench/pytorch/train_step.py with {@code args}; its last output line, or null (with the
     * install command) when PyTorch is not there.
     */
    private JsonObject pytorch(String... args) throws IOException, InterruptedException {
        Path script = Workspace.root().resolve("bench/pytorch/train_step.py");
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(List.of(args));
        Process process;
        try {
            process =
                    new ProcessBuilder(command)
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
        } catch (IOException e) {
            System.err.println(
                    "PyTorch reference skipped: cannot run "
                            + python
                            + " ("
                            + e.getMessage()
                            + "); install it with: sudo apt-get install -y python3-torch"
                            + " python3-torchvision");
            return null;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            System.err.println(
                    "PyTorch reference skipped: " + script + " did not finish within 30 minutes");
            return null;
        }
        if (process.exitValue() != 0) {
            System.err.println(
                    "PyTorch reference failed (exit "
                            + process.exitValue()
                            + "); needs Debian's python3-torch and python3-torchvision: sudo"
                            + " apt-get install -y python3-torch python3-torchvision");
            return null;
        }
        String last = output.strip().lines().reduce((a, b) -> b).orElse("{}");
        System.out.println("pytorch: " + last);
        return JsonParser.parseString(last).getAsJsonObject();
    }

    /**
     * {@code ./catsdogs bench-train ...}: the launcher runs this with the bench module's class
     * path.
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchTrainCommand()).execute(args));
    }
}
