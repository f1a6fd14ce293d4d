package dev.catsdogs.trainer.cli;

import ai.djl.ndarray.NDManager;
import dev.catsdogs.inference.cli.Failures;
import dev.catsdogs.inference.cli.InterruptSignal;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.quantize.ActivationType;
import dev.catsdogs.trainer.quantize.Int8Export;
import dev.catsdogs.trainer.train.ErrorPictures;
import dev.catsdogs.trainer.train.OutputSettings;
import dev.catsdogs.trainer.train.RunDirectory;
import dev.catsdogs.trainer.train.TrainingConfig;
import dev.catsdogs.trainer.workflow.ModelExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code catsdogs export}: a run directory's trained network to ONNX, proven equal to DJL before it
 * is kept.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Export a trained run to ONNX (opset 13, BatchNorm folded, dynamic batch) with the"
                    + " metadata the inference module reads, after a parity check of DJL vs ONNX"
                    + " Runtime on validation images.",
            "Prints exactly one line 'parity: max_abs_logit_diff=<value> images=<N>'; exits"
                    + " non-zero and leaves no file when the difference exceeds 1e-3 or a predicted"
                    + " label differs.",
            "The model has a second output 'cam' (class activation maps, for classify"
                    + " --explain). Exporting to DIR/model.onnx also writes DIR/errors.png (the"
                    + " model's mistakes with their maps) and, with a test split or more than two"
                    + " classes, DIR/confusion.png.",
            "With --int8, writes the int8 (QDQ) model instead, calibrated on training images and"
                    + " gated on the validation split: prints 'int8: agreement=<a>"
                    + " accuracy_fp32=<b> accuracy_int8=<c> images=<n>' and exits non-zero, writing"
                    + " nothing, unless agreement >= 0.995 and the accuracy drops <= 0.3 points."
        })
final class ExportCommand implements Callable<Integer> {

    @Option(
            names = "--run",
            required = true,
            paramLabel = "DIR",
            description = "A run directory written by 'train'.")
    private Path run;

    @Option(
            names = "--out",
            paramLabel = "FILE.onnx",
            description = "Output file (default: DIR/model.onnx, with --int8 DIR/model-int8.onnx).")
    private Path out;

    @Option(
            names = "--parity-images",
            description = "Validation images of the parity check (default: ${DEFAULT-VALUE}).")
    private int parityImages = OutputSettings.DEFAULT_PARITY_IMAGES;

    @Option(
            names = "--with-preprocessing",
            negatable = false,
            description =
                    "Export a graph taking uint8 RGB NHWC pixels at the model size (scaling and"
                            + " layout in the graph), for consumers without our preprocessing (e.g."
                            + " Python, C++, web).")
    private boolean withPreprocessing;

    @Option(
            names = "--int8",
            negatable = false,
            description =
                    "Write the int8 model (post-training static quantization, QDQ) instead of the"
                            + " float one. The range method and which layers get 7-bit weights"
                            + " (against int16 saturation in x86 kernels without VNNI) are chosen"
                            + " on 256 held-out training images; written only if it agrees with the"
                            + " float model on >= 99.5%% of the validation images.")
    private boolean int8;

    @Mixin private CalibrationImagesOption calibrationImages = new CalibrationImagesOption();

    @Option(
            names = "--int8-activations",
            paramLabel = "U8S8|S8S8",
            description =
                    "With --int8: uint8 or int8 activations (weights are int8 either way; default:"
                            + " ${DEFAULT-VALUE}).")
    private String int8Activations = Int8Export.DEFAULT_ACTIVATIONS.name();

    @Spec private CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        try (RunDirectory runDir = openRun()) {
            return export(runDir);
        }
    }

    // Locked for the export: never while a training run or another export writes it.
    private RunDirectory openRun() throws IOException {
        try {
            return RunDirectory.openToWrite(run, "export");
        } catch (IllegalStateException e) {
            throw usageError("--run " + e.getMessage());
        }
    }

    private int export(RunDirectory runDir) throws IOException {
        TrainingConfig config = runDir.readConfig();
        Path dataRoot = runDir.dataRoot();
        if (!Files.isDirectory(dataRoot)) {
            throw new IOException(
                    dataRoot
                            + ": the run's data is no longer there (moved or deleted?); the parity"
                            + " check needs its validation images");
        }
        Dataset dataset = Dataset.load(dataRoot, config.seed());
        AtomicBoolean stop = new AtomicBoolean();
        try (NDManager manager = NDManager.newBaseManager();
                InterruptSignal signal = InterruptSignal.install(() -> stop.set(true))) {
            TransferNetwork network = runDir.loadNetwork(manager);
            if (int8) {
                byte[] floatModel = ModelExport.serialize(runDir, network, dataset, config, false);
                Int8Export.Result result =
                        Int8Export.export(
                                floatModel,
                                dataset,
                                new Int8Export.Settings(
                                        calibrationImages.value(int8),
                                        activations(),
                                        config.seed()),
                                out != null ? out : runDir.file(RunDirectory.MODEL_INT8),
                                stop::get,
                                System.out::println);
                print(result);
                return result.passed() ? 0 : Failures.FAILURE;
            }
            ModelExport.Result result =
                    ModelExport.export(
                            runDir,
                            out,
                            network,
                            dataset,
                            config,
                            parityImages,
                            withPreprocessing,
                            stop::get);
            print(result);
            if (result.passed() && out == null && !withPreprocessing) {
                // The run's own model: its mistakes join the run's other pictures.
                System.out.println(
                        ErrorPictures.write(runDir, result.file(), dataset, stop::get)
                                .line(runDir));
            }
            return result.passed() ? 0 : Failures.FAILURE;
        } catch (TrainingInterruptedException e) {
            System.err.println("interrupted: no model file was written");
            return Failures.INTERRUPTED;
        }
    }

    /** Every option checked before any work, so a bad one never costs a parity check. */
    private void checkOptions() {
        if (int8 && withPreprocessing) {
            throw usageError(
                    "--int8 quantizes the float NCHW model; it cannot be combined with"
                            + " --with-preprocessing");
        }
        calibrationImages.value(int8);
        if (!int8 && spec.commandLine().getParseResult().hasMatchedOption("--int8-activations")) {
            throw usageError("--int8-activations applies to the int8 model; it needs --int8");
        }
        activations();
        if (parityImages < 1) {
            throw usageError("Received --parity-images " + parityImages + "; expected at least 1");
        }
        if (!Files.isDirectory(run)) {
            throw usageError(
                    "--run "
                            + run
                            + ": "
                            + (Files.exists(run) ? "not a directory" : "not found")
                            + "; expected a run directory written by 'catsdogs train'");
        }
        if (out != null) {
            if (Files.isDirectory(out)) {
                throw usageError("--out " + out + ": is a directory; expected a file name");
            }
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null && Files.isDirectory(parent) && !Files.isWritable(parent)) {
                throw usageError("--out " + out + ": its directory is not writable");
            }
        }
    }

    private ActivationType activations() {
        try {
            return ActivationType.parse(int8Activations);
        } catch (IllegalArgumentException e) {
            throw usageError("--int8-activations: " + e.getMessage());
        }
    }

    private CommandLine.ParameterException usageError(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static void print(Int8Export.Result result) {
        System.out.println(
                "int8 choice (held-out training images): ranges "
                        + result.method().describe()
                        + ", 7-bit weights "
                        + result.guard().describe());
        System.out.println(result.gate().line());
        System.out.println(result.kernelsLine());
        if (result.passed()) {
            System.out.println(
                    "exported: "
                            + result.file().toAbsolutePath()
                            + " ("
                            + result.bytes()
                            + " bytes)");
        } else {
            System.err.println(
                    "export failed: the int8 gate refused the model: "
                            + result.gate().failure()
                            + "; no file written");
        }
    }

    static void print(ModelExport.Result result) {
        System.out.println(result.parityLine());
        if (result.passed()) {
            System.out.println(
                    "exported: "
                            + result.file().toAbsolutePath()
                            + " ("
                            + result.bytes()
                            + " bytes)");
        } else {
            System.err.println("export failed: " + result.failure());
        }
    }
}
