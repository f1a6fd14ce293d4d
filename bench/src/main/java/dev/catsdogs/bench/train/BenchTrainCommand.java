package dev.catsdogs.bench.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.catsdogs.bench.Workspace;
import dev.catsdogs.inference.cli.ClassifyCommand;
import dev.catsdogs.inference.cli.Failures;
import dev.catsdogs.trainer.cli.DeviceOption;
import dev.catsdogs.trainer.cli.TorchOption;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.device.DeviceSelection;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import picocli.CommandLine.Mixin;
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
                    + " (bench/pytorch/train_step.py), memory across epochs, and the whole"
                    + " default run vs the same workflow in PyTorch from Python"
                    + " (bench/pytorch/workflow.py, about 5 minutes more).",
            "Ends with one line: ratio: fe_speedup=<x> ft_epoch_speedup=<y> total_speedup=<z>"
                    + " step_vs_pytorch=<w> forward_vs_pytorch=<f> whole_vs_pytorch=<v>, after"
                    + " workflow: ours_s=<a> pytorch_s=<b> (v = a / b; a is the whole default"
                    + " run, cached, as composed in the table)",
            "With --workflow, only that whole-run comparison (about 7 minutes): our cached"
                    + " phase 1, phase 2's cache build and one fine-tuning epoch (the whole run"
                    + " composed from them), then workflow.py; ends with the workflow: line and"
                    + " ratio: whole_vs_pytorch=<v>.",
            "With --profile, only the training step (layers from --fine-tune-at on trainable),"
                    + " profiled on both sides (about a minute): a table of self ms per step by"
                    + " operator, the line profile: djl_ms=<a> pytorch_ms=<b> ratio=<r>"
                    + " traces=<dir>, a table of operator calls per step, and last: ops_per_step:"
                    + " ours=<n> pytorch=<m> optimizer=<k> (native operator calls of one step, k"
                    + " of them our optimizer update's)",
            "With --profile --forward, the inference forward with the base frozen (BatchNorm folded"
                    + " into the convolutions, as the trainer's cache builds run it) instead of the"
                    + " step, against PyTorch's forward with BatchNorm folded likewise.",
            "With --device cpu|gpu|gpu:N, only the training step (all layers trainable) and that"
                    + " forward on that device, against train_step.py --device cpu|cuda:N (a"
                    + " minute or two); ends with: ratio: step_vs_pytorch=<x>"
                    + " forward_vs_pytorch=<y> device=<name>. GPU figures need ./catsdogs --gpu"
                    + " bench-train --device gpu and a CUDA build of PyTorch for Python.",
            "With --pipeline, only the --no-cache input pipeline, without a model (seconds): the"
                    + " single-image preprocessing rate on 1 thread and on 2 side by side,"
                    + " BatchLoader epochs at 1 and 2 decoding threads, and the line pipeline:"
                    + " single_image_per_s=<a> threads1_per_s=<b> threads2_per_s=<c>"
                    + " per_thread_efficiency=<b/a> scaling_2_over_1=<c/b> machine_2_over_1=<d/a>"
                    + " loader_over_machine=<c/d> (d: the 2-thread side-by-side rate; also printed"
                    + " by the full run, before its ratio line)"
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
            names = "--workflow",
            negatable = false,
            description =
                    "Only the whole default run, cached, against bench/pytorch/workflow.py: the"
                            + " same workflow, weights, data and frozen-prefix caching (BatchNorm"
                            + " folded where frozen) in PyTorch from Python, --threads threads.")
    private boolean workflow;

    @Option(
            names = "--forward",
            negatable = false,
            description =
                    "With --profile: profile the inference forward with the base frozen (BatchNorm"
                            + " folded) instead of the training step, on both sides.")
    private boolean forward;

    @Option(
            names = "--device",
            paramLabel = "DEVICE",
            converter = DeviceOption.Converter.class,
            description =
                    "Only the step and forward comparison, on cpu, gpu or gpu:N (also where"
                            + " --profile runs). A GPU needs the CUDA libtorch: ./catsdogs --gpu"
                            + " bench-train --device gpu. Without it: the full run, on the CPU.")
    private String device;

    @Option(
            names = "--precision",
            paramLabel = "fp32|bf16|fp16",
            defaultValue = "fp32",
            description =
                    "With --device: the type our step and forwards compute in, as train"
                            + " --precision (default: ${DEFAULT-VALUE}; PyTorch from Python stays"
                            + " fp32).")
    private String precision;

    @Mixin private TorchOption torch = new TorchOption();

    // --precision, checked: the type of the step and forwards (step comparison and profile).
    private Precision type = Precision.FP32;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "32",
            description =
                    "Batch size of every measurement, on both sides (default: ${DEFAULT-VALUE}).")
    private int batchSize;

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
                    "Python with Debian's python3-torch and python3-torchvision (and"
                            + " python3-onnx for workflow.py) (default: ${DEFAULT-VALUE}).")
    private String python;

    @Option(
            names = "--threads",
            description = "Decoding threads and PyTorch threads (default: the number of cores).")
    private Integer threads;

    @Override
    public Integer call() throws Exception {
        int cores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (batchSize < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Received --batch-size " + batchSize + "; expected >= 1");
        }
        type = precision();
        // Without --device: the full run, on the CPU, whose data is checked before the engine
        // loads.
        Device where = Device.cpu();
        DeviceSelection selection = null;
        try {
            torch.apply(System.out);
            if (device != null) {
                selection = DeviceSelection.choose(device, type);
                where = selection.device();
            }
        } catch (IllegalArgumentException e) {
            // No usable GPU, a PyTorch that cannot be used: one clear line, not a stack trace.
            System.err.println("bench-train: " + e.getMessage());
            return Failures.USAGE;
        }
        if (selection != null) {
            selection.warnings().forEach(w -> System.err.println("bench-train: warning: " + w));
        }
        if (profile) {
            return profile(cores, where);
        }
        if (device != null) {
            return stepComparison(cores, selection);
        }
        Path dir = data != null ? data : Workspace.defaults().data();
        Dataset dataset;
        try {
            dataset = Dataset.load(dir, 42);
        } catch (IOException | IllegalArgumentException e) { // a user's --data: one line
            System.err.println("bench-train: " + e.getMessage());
            return Failures.USAGE;
        }
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
                "bench-train%s: %d train / %d validation images from %s, %d cores%n",
                workflow ? " --workflow" : "",
                train.size(),
                validation.size(),
                dir,
                cores);
        TrainingBenchmark ours =
                benchmark(train, validation, dataset.classNames().size(), cores, where);
        if (workflow) {
            double oursS = ours.cachedRun(feEpochs, 10, 100).total();
            WorkflowComparison python = workflow(dir, cores, feEpochs);
            System.out.println();
            System.out.println(workflowLine(oursS, python));
            System.out.printf(
                    Locale.ROOT, "ratio: whole_vs_pytorch=%.2f%n", wholeVsPytorch(oursS, python));
            return 0;
        }

        TrainingBenchmark.Figures f = ours.run(feEpochs, 10, 100, steps);
        JsonObject torch = pytorch(where, Integer.toString(cores), Integer.toString(steps));
        WorkflowComparison python = workflow(dir, cores, feEpochs);
        System.out.println();
        pipeline(train);

        double torchStep = number(torch, "train_step_ms");
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
        System.out.print(stepTable(f.step(), torch, where));
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "memory: peak RSS %d MiB; RSS after epoch 2 %d MiB, after epoch %d %d MiB "
                        + "(plain feature extraction, each after a full GC)%n",
                f.peakRss() >> 20,
                f.rssAfterEpoch2() >> 20,
                feEpochs,
                f.rssAfterLastEpoch() >> 20);
        System.out.println(workflowLine(f.totalCached(), python));
        System.out.printf(
                Locale.ROOT,
                "ratio: fe_speedup=%.2f ft_epoch_speedup=%.2f total_speedup=%.2f "
                        + "step_vs_pytorch=%.2f forward_vs_pytorch=%.2f whole_vs_pytorch=%.2f%n",
                f.feSpeedup(),
                f.ftEpochSpeedup(),
                f.totalUncached() / f.totalCached(),
                f.step().stepMs() / torchStep,
                f.step().forwardFoldedMs() / number(torch, "forward_folded_ms"),
                wholeVsPytorch(f.totalCached(), python));
        return 0;
    }

    /** The {@code workflow:} line; NaN for PyTorch's side when workflow.py did not run. */
    private static String workflowLine(double oursS, WorkflowComparison python) {
        return python != null
                ? python.line(oursS)
                : String.format(
                        Locale.ROOT, "workflow: ours_s=%.1f pytorch_s=NaN (not run)", oursS);
    }

    private static double wholeVsPytorch(double oursS, WorkflowComparison python) {
        return python == null ? Double.NaN : python.wholeVsPytorch(oursS);
    }

    /**
     * Runs bench/pytorch/workflow.py on the same data, threads and epochs (with {@code --quick},
     * every 10th image as ours); its figures, or null when it could not run.
     */
    private WorkflowComparison workflow(Path dir, int cores, int feEpochs)
            throws IOException, InterruptedException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--data",
                                dir.toString(),
                                "--weights",
                                Workspace.root()
                                        .resolve(MobileNetV2Weights.SHIPPED_FILE)
                                        .toString(),
                                "--threads",
                                Integer.toString(cores),
                                "--epochs",
                                Integer.toString(feEpochs),
                                "--batch-size",
                                Integer.toString(batchSize)));
        if (quick) {
            args.addAll(List.of("--every", "10"));
        }
        System.out.println("PyTorch from Python, the whole workflow (bench/pytorch/workflow.py):");
        String last = python("workflow.py", args, false);
        if (last == null) {
            return null;
        }
        try {
            return WorkflowComparison.parse(last);
        } catch (IllegalArgumentException e) {
            System.err.println("PyTorch workflow skipped: " + e.getMessage());
            return null;
        }
    }

    /** {@code --precision}, or a usage error naming the value. */
    private Precision precision() {
        for (Precision p : Precision.values()) {
            if (p.toString().equalsIgnoreCase(precision.strip())) {
                if (p.reduced() && device == null) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "--precision "
                                    + p
                                    + " applies to the step comparison; it needs --device");
                }
                return p;
            }
        }
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "Received --precision " + precision + "; expected one of fp32, bf16, fp16");
    }

    /** {@code --device}: the step and the frozen forward on one device, against PyTorch's. */
    private int stepComparison(int cores, DeviceSelection selection) throws Exception {
        Device where = selection.device();
        int steps = quick ? 3 : 20;
        System.out.printf(
                Locale.ROOT,
                "bench-train --device %s --precision %s: training step and frozen forward at batch"
                        + " %d, %d timed after 3 warm-up, on %s%n",
                device,
                type,
                batchSize,
                steps,
                selection.describe());
        TrainingBenchmark.StepFigures ours = stepOnly(cores, where).stepAndForward(steps);
        JsonObject torch = pytorch(where, Integer.toString(cores), Integer.toString(steps));
        System.out.println();
        System.out.print(stepTable(ours, torch, where));
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "ratio: step_vs_pytorch=%.2f forward_vs_pytorch=%.2f device=%s%s%n",
                ours.stepMs() / number(torch, "train_step_ms"),
                ours.forwardFoldedMs() / number(torch, "forward_folded_ms"),
                where,
                type.reduced() ? " precision=" + type : "");
        return 0;
    }

    /**
     * The step and forward table: ours against PyTorch's, the forward with BatchNorm separate (all
     * layers trainable) and folded (base frozen, as the trainer's cache builds run it).
     */
    private String stepTable(TrainingBenchmark.StepFigures ours, JsonObject torch, Device where) {
        String pytorchSide =
                torch == null
                        ? "PyTorch from Python (not run)"
                        : "PyTorch "
                                + torch.get("torch").getAsString()
                                + " from Python, "
                                + torch.get("device_name").getAsString();
        StringBuilder table = new StringBuilder();
        table.append(
                String.format(
                        Locale.ROOT,
                        "| batch %d, 160x160, median ms, %s | catsdogs (DJL %s, PyTorch %s) | %s |"
                                + " ratio |%n",
                        batchSize,
                        where,
                        Engine.getDjlVersion(),
                        Engine.getInstance().getVersion(),
                        pytorchSide));
        table.append("|---|---|---|---|\n");
        stepRow(
                table,
                "training step (all layers trainable)",
                ours.stepMs(),
                torch,
                "train_step_ms");
        stepRow(
                table,
                "inference forward, BatchNorm separate",
                ours.forwardMs(),
                torch,
                "forward_ms");
        stepRow(
                table,
                "inference forward, base frozen, BatchNorm folded",
                ours.forwardFoldedMs(),
                torch,
                "forward_folded_ms");
        return table.toString();
    }

    private static void stepRow(
            StringBuilder table, String what, double oursMs, JsonObject torch, String key) {
        double torchMs = number(torch, key);
        table.append(
                String.format(
                        Locale.ROOT,
                        "| %s | %.0f | %.0f | %.2f |%n",
                        what,
                        oursMs,
                        torchMs,
                        oursMs / torchMs));
    }

    private static double number(JsonObject json, String key) {
        return json == null || !json.has(key) ? Double.NaN : json.get(key).getAsDouble();
    }

    // The step runs on a random batch: no training data, and 2 classes (one logit), like the
    // default data.
    private TrainingBenchmark stepOnly(int cores, Device where) {
        return benchmark(List.of(), List.of(), 2, cores, where).optPrecision(type);
    }

    /** At 160x160 from the shipped ImageNet weights, printing to standard output. */
    private TrainingBenchmark benchmark(
            List<Sample> train, List<Sample> validation, int classes, int cores, Device where) {
        return new TrainingBenchmark(
                train,
                validation,
                classes,
                Workspace.root().resolve(MobileNetV2Weights.SHIPPED_FILE),
                160,
                batchSize,
                cores,
                where,
                System.out);
    }

    /**
     * {@code --profile}: both sides' traces of the same step (or, with {@code --forward}, of the
     * same frozen forward), summarised into one table.
     */
    private int profile(int cores, Device where) throws IOException, InterruptedException {
        if (profileSteps < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Received --profile-steps " + profileSteps + "; expected at least 1");
        }
        if (fineTuneAt < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Received --fine-tune-at " + fineTuneAt + "; expected 0 or more");
        }
        String stamp =
                LocalDateTime.now()
                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path dir = Workspace.root().resolve("bench/results/profile-" + stamp);
        // Printed and written relative to the repository: summary.md may be committed.
        Path shown = Workspace.root().relativize(dir);
        Files.createDirectories(dir);
        String unit = forward ? "forward" : "step";
        String what;
        if (forward) {
            what = "inference forward, base frozen, BatchNorm folded into the convolutions";
        } else {
            String trainable =
                    fineTuneAt == 0
                            ? "all layers trainable"
                            : "layers from " + fineTuneAt + " on trainable";
            what =
                    "training step, "
                            + trainable
                            + ", our update "
                            + (unfused ? "KerasRmsProp (unfused)" : "fused RMSprop");
        }
        System.out.printf(
                Locale.ROOT,
                "bench-train --profile: %s, batch %d on %s, 3 warm-up + %d profiled on each side,"
                        + " %d threads for PyTorch from Python%n",
                what,
                batchSize,
                where,
                profileSteps,
                cores);

        Path djlTrace = dir.resolve("djl-trace.json");
        Path updateTrace = dir.resolve("djl-update-trace.json");
        Path torchTrace = dir.resolve("pytorch-trace.json");
        TrainingBenchmark ours = stepOnly(cores, where);
        List<String> torchArgs =
                new ArrayList<>(
                        List.of(
                                Integer.toString(cores),
                                Integer.toString(profileSteps),
                                "--fine-tune-at",
                                Integer.toString(fineTuneAt),
                                "--profile",
                                torchTrace.toString()));
        if (forward) {
            ours.profileForward(profileSteps, djlTrace);
            torchArgs.add("--forward");
        } else {
            ours.profileStep(profileSteps, fineTuneAt, !unfused, djlTrace, updateTrace);
        }
        JsonObject torch = pytorch(where, torchArgs.toArray(String[]::new));

        TraceSummary djl = TraceSummary.read(djlTrace, profileSteps);
        TraceSummary pytorch = torch == null ? null : TraceSummary.read(torchTrace, profileSteps);
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
                        "ops_per_%s: ours=%s pytorch=%s",
                        unit,
                        ProfileTable.count(djl.opsPerStep()),
                        pytorch == null ? "NaN" : ProfileTable.count(pytorch.opsPerStep()));
        if (!forward) {
            opsLine +=
                    " optimizer="
                            + ProfileTable.count(
                                    TraceSummary.read(updateTrace, profileSteps).opsPerStep());
        }
        System.out.println();
        System.out.print(table);
        System.out.println();
        System.out.println(line);
        System.out.println();
        System.out.print(calls);
        System.out.println();
        System.out.println(opsLine);

        String summary =
                "# "
                        + (forward ? "Frozen forward" : "Training step")
                        + " profile, "
                        + stamp
                        + "\n\n"
                        + "Self ms per "
                        + unit
                        + " by operator (its time minus that of the operators it calls), mean of "
                        + profileSteps
                        + " profiled "
                        + unit
                        + "s after 3 warm-up ones: batch "
                        + batchSize
                        + ", 3x160x160, "
                        + what
                        + ", on "
                        + where
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
                                        + " threads"
                                        + (forward ? ", BatchNorm folded by torch.fx's fuse" : ""))
                        + ". Operators of at least 1% of either side's total.\n\n"
                        + table
                        + "\n"
                        + line
                        + "\n\n"
                        + "Operator calls per "
                        + unit
                        + " issued by the host (aten:: operators not inside another; from Java,"
                        + " TorchScript or Python), operators of at least 1% of either side's"
                        + " calls."
                        + (forward
                                ? ""
                                : " The optimizer's: our update alone, profiled in"
                                        + " djl-update-trace.json.")
                        + "\n\n"
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
     * Runs bench/pytorch/train_step.py with {@code args} on {@code where}; its last output line, or
     * null (with the install command) when PyTorch is not there or sees no GPU.
     */
    private JsonObject pytorch(Device where, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(args));
        // The same device and batch as our side.
        command.addAll(
                List.of(
                        "--device",
                        where.isGpu() ? "cuda:" + where.getDeviceId() : "cpu",
                        "--batch-size",
                        Integer.toString(batchSize)));
        String last = python("train_step.py", command, where.isGpu());
        if (last == null) {
            return null;
        }
        System.out.println("pytorch: " + last);
        return JsonParser.parseString(last).getAsJsonObject();
    }

    /**
     * Runs bench/pytorch/{@code script} with {@code args} (its output lines shown as they come, for
     * workflow.py's progress); its last output line, or null (with the install command) when
     * PyTorch is not there or sees no GPU.
     */
    private String python(String name, List<String> args, boolean gpu)
            throws IOException, InterruptedException {
        Path script = Workspace.root().resolve("bench/pytorch/" + name);
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(args);
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
                            + " python3-torchvision python3-onnx");
            return null;
        }
        String last = "";
        try (BufferedReader lines =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.isBlank()) {
                    last = line;
                    if (!line.startsWith("{")) {
                        System.out.println("  " + line);
                    }
                }
            }
        }
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
                            + (gpu
                                    ? "); on a GPU it needs a CUDA build of PyTorch and"
                                            + " torchvision for --python (Debian's python3-torch"
                                            + " is CPU-only)"
                                    : "); needs Debian's python3-torch, python3-torchvision"
                                            + " and (workflow.py) python3-onnx: sudo apt-get"
                                            + " install -y python3-torch python3-torchvision"
                                            + " python3-onnx"));
            return null;
        }
        return last.isEmpty() ? "{}" : last;
    }

    /**
     * {@code ./catsdogs bench-train ...}: the launcher runs this with the bench module's class
     * path.
     */
    public static void main(String[] args) {
        System.exit(
                ClassifyCommand.configure(new CommandLine(new BenchTrainCommand())).execute(args));
    }
}
