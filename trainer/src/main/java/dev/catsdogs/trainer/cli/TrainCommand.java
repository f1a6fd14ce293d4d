package dev.catsdogs.trainer.cli;

import ai.djl.ndarray.NDManager;
import dev.catsdogs.inference.cli.Failures;
import dev.catsdogs.inference.cli.InterruptSignal;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.device.DeviceSelection;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.quantize.Int8Export;
import dev.catsdogs.trainer.train.ClassWeighting;
import dev.catsdogs.trainer.train.DataSettings;
import dev.catsdogs.trainer.train.ModelSettings;
import dev.catsdogs.trainer.train.OutputSettings;
import dev.catsdogs.trainer.train.PhaseSettings;
import dev.catsdogs.trainer.train.Recipe;
import dev.catsdogs.trainer.train.RunDirectory;
import dev.catsdogs.trainer.train.RuntimeSettings;
import dev.catsdogs.trainer.train.Setting;
import dev.catsdogs.trainer.train.TrainingConfig;
import dev.catsdogs.trainer.train.TrainingRun;
import dev.catsdogs.trainer.workflow.RunExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code catsdogs train}: the seed's two-phase transfer-learning workflow, then ONNX export. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train a classifier on an ImageNet MobileNetV2: feature extraction (base frozen), then"
                + " fine-tuning from --fine-tune-at, then export to ONNX. Defaults are TensorFlow's"
                + " transfer-learning tutorial.",
            "Writes config.json, report.json, history.csv, curves.png, samples.png, summary.txt,"
                    + " model.params and model.onnx (with --int8 also model-int8.onnx) to --out."
        })
final class TrainCommand implements Callable<Integer> {

    @Option(
            names = "--seed",
            description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    private long seed = TrainingConfig.DEFAULT_SEED;

    @Option(
            names = "--class-weight",
            paramLabel = "none|balanced",
            description =
                    "Weigh each class's images in the training loss: none, or balanced"
                            + " (n_samples / (n_classes * class count)) for imbalanced data"
                            + " (default: ${DEFAULT-VALUE}).")
    private String classWeight = ClassWeighting.NONE.toString();

    @Option(
            names = "--resume",
            paramLabel = "RUN_DIR",
            description =
                    "Continue an interrupted run after its last completed epoch, with its own"
                            + " settings and data (only --device and --torch may be given with"
                            + " it).")
    private Path resume;

    @Option(
            names = "--recipe",
            paramLabel = "seed|tutorial",
            description =
                    "Settings in one flag: seed (the default: no augmentation, no dropout, RMSprop"
                        + " in both phases) or tutorial (the current TensorFlow tutorial: --augment"
                        + " flip,rotate=0.2 --dropout 0.2 --optimizer adam --fine-tune-optimizer"
                        + " rmsprop). Options given explicitly win.")
    private String recipe = Recipe.SEED.toString();

    @Option(
            names = "--eval-steps",
            description =
                    "Validation batches evaluated before training (default: ${DEFAULT-VALUE}).")
    private int evalSteps = TrainingConfig.DEFAULT_EVALUATION_STEPS;

    @Mixin private DataOptions dataOptions = new DataOptions();

    @Mixin private ModelOptions modelOptions = new ModelOptions();

    @Mixin private ScheduleOptions scheduleOptions = new ScheduleOptions();

    @Mixin private RuntimeOptions runtimeOptions = new RuntimeOptions();

    @Mixin private OutputOptions outputOptions = new OutputOptions();

    @Mixin private TorchOption torch = new TorchOption();

    @Option(
            names = "--int8",
            negatable = false,
            description =
                    "Also export the int8 model (model-int8.onnx), calibrated on training images"
                            + " and gated on the validation split.")
    private boolean int8;

    @Mixin private CalibrationImagesOption calibrationImages = new CalibrationImagesOption();

    @Spec private CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (resume != null) {
            TrainingRun run = resumedRun();
            // The run's own device unless --device says otherwise; its precision.
            String deviceSpec =
                    runtimeOptions.deviceGiven()
                            ? runtimeOptions.device()
                            : run.config().runtime().device();
            DeviceSelection selection =
                    selectDevice(deviceSpec, run.config().runtime().precision());
            if (selection == null) {
                run.close();
                return Failures.USAGE;
            }
            return train(run, selection, false);
        }
        TrainingConfig config = checkedConfig();
        DeviceSelection selection =
                selectDevice(runtimeOptions.device(), config.runtime().precision());
        if (selection == null) {
            return Failures.USAGE;
        }
        Dataset dataset = Dataset.load(dataOptions.directory(), seed);
        return train(newRun(config, modelOptions.weightsFile(), dataset), selection, int8);
    }

    /**
     * The interrupted run of {@code --resume}, with no other option than {@code --device} and
     * {@code --torch} (where it trains): it continues with the settings it was started with.
     */
    private TrainingRun resumedRun() throws IOException {
        for (CommandLine.Model.OptionSpec option :
                spec.commandLine().getParseResult().matchedOptions()) {
            String name = option.longestName();
            // Where to train is not a setting of the run: the machine may have changed.
            if (!name.equals("--resume") && !name.equals("--device") && !name.equals("--torch")) {
                throw errors().error(
                                "--resume continues a run with the settings it started with; it"
                                        + " takes no other option than --device and --torch (got "
                                        + name
                                        + ")");
            }
        }
        try {
            return TrainingRun.resume(resume, Versions.current().get("catsdogs"), System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw errors().error("--resume " + e.getMessage());
        }
    }

    /**
     * Trains {@code run} on {@code selection}'s device, then exports its model ({@code withInt8}:
     * the int8 one too).
     */
    private int train(TrainingRun run, DeviceSelection selection, boolean withInt8)
            throws IOException {
        TrainingConfig config = run.config();
        try (run;
                NDManager manager = NDManager.newBaseManager(selection.device());
                InterruptSignal signal = InterruptSignal.install(run::requestStop)) {
            String where = selection.describe();
            System.out.println("run directory: " + run.directory().path().toAbsolutePath());
            System.out.println("training on " + where);
            run.report().recordDevice(selection.reportFields());
            TransferNetwork network = run.run(manager, Versions.current(), where);
            if (config.outputs().export()) {
                RunExport.FloatOutcome exported = RunExport.exportModel(run, network);
                ExportCommand.print(exported.result());
                if (!exported.result().passed()) {
                    System.err.println(
                            "train: the run is complete in "
                                    + run.directory().path()
                                    + ", but its ONNX export failed the parity check; no"
                                    + " model.onnx was written");
                    return Failures.FAILURE;
                }
                System.out.println(exported.mistakes().line(run.directory()));
            }
            if (config.outputs().export() && withInt8) {
                Int8Export.Result int8Result =
                        RunExport.exportInt8(
                                run, calibrationImages.value(int8), System.out::println);
                ExportCommand.print(int8Result);
                if (!int8Result.passed()) {
                    System.err.println(
                            "train: the run and its float model are complete in "
                                    + run.directory().path()
                                    + ", but the int8 model failed its gate; no model-int8.onnx"
                                    + " was written");
                    return Failures.FAILURE;
                }
            }
            System.out.println(
                    "done: " + run.directory().file(RunDirectory.REPORT).toAbsolutePath());
            return 0;
        } catch (TrainingInterruptedException e) {
            System.err.println(
                    "interrupted: "
                            + run.directory().file(RunDirectory.REPORT)
                            + " says how far the run got");
            return Failures.INTERRUPTED;
        }
    }

    /**
     * {@code --torch} first (it must precede the engine's loading), then the device for {@code
     * --device} and {@code --precision}, its warnings printed; null, the reason printed in one
     * line, when they cannot be used (a usage error: nothing ran).
     */
    private DeviceSelection selectDevice(String deviceSpec, Precision precision) {
        PrintWriter err = spec.commandLine().getErr();
        try {
            torch.apply(System.out);
            DeviceSelection chosen = DeviceSelection.choose(deviceSpec, precision);
            chosen.warnings().forEach(w -> err.println("train: warning: " + w));
            err.flush();
            return chosen;
        } catch (IllegalArgumentException e) {
            err.println("train: " + e.getMessage());
            err.flush();
            return null;
        }
    }

    /**
     * The run, its directory created and locked once the inputs are known good: an --out that
     * cannot be created, or that another process is writing, is a usage error.
     */
    private TrainingRun newRun(TrainingConfig config, Path weightsFile, Dataset dataset)
            throws IOException {
        try {
            return new TrainingRun(
                    config, weightsFile, dataset, System.out, outputOptions.overwrite());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw errors().error("--out " + e.getMessage());
        }
    }

    /** The options as a configuration, every bad value a usage error naming its option. */
    private TrainingConfig checkedConfig() {
        UsageErrors errors = errors();
        if (int8 && outputOptions.noExport()) {
            throw errors.error(
                    "--int8 quantizes the exported model; it cannot be combined with --no-export");
        }
        calibrationImages.value(int8);
        // The recipe's settings, then the ones given explicitly.
        Recipe chosen = errors.choice("--recipe", recipe, Recipe.values());
        DataSettings data = dataOptions.settings(chosen);
        ModelSettings model = modelOptions.settings(chosen);
        PhaseSettings featureExtraction = scheduleOptions.featureExtraction(chosen);
        PhaseSettings fineTuning = scheduleOptions.fineTuning(chosen);
        RuntimeSettings runtime = runtimeOptions.settings();
        OutputSettings outputs = outputOptions.settings();
        ClassWeighting weighting =
                errors.choice("--class-weight", classWeight, ClassWeighting.values());
        return errors.build(
                () ->
                        new TrainingConfig(
                                seed,
                                chosen,
                                data,
                                model,
                                featureExtraction,
                                fineTuning,
                                weighting,
                                evalSteps,
                                runtime,
                                outputs),
                Map.of(
                        Setting.EVALUATION_STEPS, "--eval-steps",
                        Setting.AUGMENT_VIEWS, "--augment-views"));
    }

    private UsageErrors errors() {
        return new UsageErrors(spec);
    }
}
