package dev.catsdogs.bench.train;

import ai.djl.Device;
import dev.catsdogs.bench.Workspace;
import dev.catsdogs.inference.cli.ClassifyCommand;
import dev.catsdogs.inference.cli.CliLogging;
import dev.catsdogs.inference.cli.Failures;
import dev.catsdogs.trainer.cli.DeviceOption;
import dev.catsdogs.trainer.cli.TorchOption;
import dev.catsdogs.trainer.device.DeviceSelection;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.train.DataSettings;
import dev.catsdogs.trainer.train.ModelSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code catsdogs bench-train}: what caching buys, and our training step vs PyTorch from Python.
 * The options and their checks; each mode is its own class ({@link FullRun}, {@link
 * StepComparison}, {@link ProfileRun}, {@link PipelineRun}) and everything they print that is read
 * back goes through {@link BenchTrainReport}.
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
                            + " photos at 160x160, --batch-size.")
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

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "" + DataSettings.DEFAULT_BATCH_SIZE,
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
            defaultValue = "" + ModelSettings.DEFAULT_FINE_TUNE_AT,
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
        if (batchSize < 1) {
            throw usage("Received --batch-size " + batchSize + "; expected >= 1");
        }
        Precision type = precision();
        if (profile) {
            if (profileSteps < 1) {
                throw usage("Received --profile-steps " + profileSteps + "; expected at least 1");
            }
            if (fineTuneAt < 0) {
                throw usage("Received --fine-tune-at " + fineTuneAt + "; expected 0 or more");
            }
        }
        // Without --device: on the CPU, where the full run checks its data before the engine
        // loads.
        DeviceSelection selection = null;
        try {
            torch.apply(System.out);
            if (device != null) {
                selection = DeviceSelection.choose(device, type);
            }
        } catch (IllegalArgumentException e) {
            // No usable GPU, a PyTorch that cannot be used: one clear line, not a stack trace.
            System.err.println("bench-train: " + e.getMessage());
            return Failures.USAGE;
        }
        if (selection != null) {
            selection.warnings().forEach(w -> System.err.println("bench-train: warning: " + w));
        }
        BenchSettings settings =
                new BenchSettings(
                        batchSize,
                        threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                        selection != null ? selection.device() : Device.cpu(),
                        type,
                        quick,
                        python,
                        System.out);
        if (profile) {
            return ProfileRun.run(
                    settings,
                    new BenchTrainReport.Profiled(forward, fineTuneAt, !unfused, profileSteps));
        }
        if (selection != null) {
            return StepComparison.run(settings, device, selection.describe());
        }
        BenchPhotos photos;
        try {
            photos = BenchPhotos.load(data != null ? data : Workspace.defaults().data(), settings);
        } catch (IOException | IllegalArgumentException e) { // a user's --data: one line
            System.err.println("bench-train: " + e.getMessage());
            return Failures.USAGE;
        }
        if (pipeline) {
            return PipelineRun.run(settings, photos);
        }
        return workflow ? FullRun.workflow(settings, photos) : FullRun.run(settings, photos);
    }

    /** {@code --precision}, or a usage error naming the value. */
    private Precision precision() {
        for (Precision p : Precision.values()) {
            if (p.toString().equalsIgnoreCase(precision.strip())) {
                if (p.reduced() && device == null) {
                    throw usage(
                            "--precision "
                                    + p
                                    + " applies to the step comparison; it needs --device");
                }
                return p;
            }
        }
        throw usage("Received --precision " + precision + "; expected one of fp32, bf16, fp16");
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /**
     * {@code ./catsdogs bench-train ...}: the launcher runs this with the bench module's class
     * path.
     */
    public static void main(String[] args) {
        CliLogging.install();
        System.exit(
                ClassifyCommand.configure(new CommandLine(new BenchTrainCommand())).execute(args));
    }
}
