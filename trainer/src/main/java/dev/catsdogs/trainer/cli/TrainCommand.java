package dev.catsdogs.trainer.cli;

import ai.djl.ndarray.NDManager;
import dev.catsdogs.inference.cli.Failures;
import dev.catsdogs.inference.cli.InterruptSignal;
import dev.catsdogs.inference.cli.ThreadLimit;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Augmentation;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.TutorialDataset;
import dev.catsdogs.trainer.device.DeviceSelection;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.optimizer.OptimizerType;
import dev.catsdogs.trainer.quantize.Int8Export;
import dev.catsdogs.trainer.train.ClassWeighting;
import dev.catsdogs.trainer.train.DataSettings;
import dev.catsdogs.trainer.train.EarlyStopping;
import dev.catsdogs.trainer.train.InvalidSettingException;
import dev.catsdogs.trainer.train.LearningRateSchedule;
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
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
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
            names = "--data",
            paramLabel = "DIR",
            description =
                    "Images: train/ validation/ [test/] of class folders, or class folders only"
                            + " (split 80/10/10 by --seed). Default: download the tutorial's"
                            + " cats_and_dogs_filtered.zip once.")
    private Path data;

    @Option(
            names = "--data-url",
            paramLabel = "URL",
            description = "Where the tutorial's zip is downloaded from.")
    private URI dataUrl = TutorialDataset.DEFAULT_URL;

    @Option(
            names = "--weights",
            paramLabel = "PATH|URL",
            description =
                    "ImageNet MobileNetV2 as ONNX (default: the shipped"
                            + " models/mobilenet_v2_1.0_224_int8_per_tensor.onnx).")
    private String weights;

    @Option(
            names = "--weights-sha256",
            paramLabel = "HEX",
            description = "Expected SHA-256 of a downloaded --weights.")
    private String weightsSha256;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Run directory (default: runs/<timestamp>).")
    private Path out;

    @Option(
            names = "--seed",
            description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    private long seed = TrainingConfig.DEFAULT_SEED;

    @Option(names = "--image-size", description = "Input size (default: ${DEFAULT-VALUE}).")
    private int imageSize = DataSettings.DEFAULT_IMAGE_SIZE;

    @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE}).")
    private int batchSize = DataSettings.DEFAULT_BATCH_SIZE;

    @Option(
            names = "--epochs",
            description = "Feature-extraction epochs (default: ${DEFAULT-VALUE}).")
    private int epochs = PhaseSettings.DEFAULT_EPOCHS;

    @Option(
            names = "--fine-tune-epochs",
            description = "Fine-tuning epochs; 0 skips fine-tuning (default: ${DEFAULT-VALUE}).")
    private int fineTuneEpochs = PhaseSettings.DEFAULT_EPOCHS;

    @Option(
            names = "--fine-tune-at",
            description =
                    "First trainable Keras layer of the base when fine-tuning (default:"
                            + " ${DEFAULT-VALUE}, block_11_expand_BN).")
    private int fineTuneAt = ModelSettings.DEFAULT_FINE_TUNE_AT;

    @Option(
            names = "--learning-rate",
            description = "Learning rate, feature extraction (default: ${DEFAULT-VALUE}).")
    private float learningRate = PhaseSettings.DEFAULT_LEARNING_RATE;

    @Option(
            names = "--fine-tune-learning-rate",
            description = "Learning rate, fine-tuning (default: ${DEFAULT-VALUE}).")
    private float fineTuneLearningRate = PhaseSettings.DEFAULT_FINE_TUNE_LEARNING_RATE;

    @Option(
            names = "--early-stopping",
            paramLabel = "PATIENCE",
            description =
                    "Stop a phase after PATIENCE epochs without a lower validation loss and keep"
                            + " its best epoch's weights (Keras' EarlyStopping with"
                            + " restore_best_weights); 0: off (default: ${DEFAULT-VALUE}).")
    private int earlyStopping;

    @Option(
            names = "--early-stopping-min-delta",
            paramLabel = "DELTA",
            description =
                    "How much lower a validation loss must be to count as better (default:"
                            + " ${DEFAULT-VALUE}).")
    private float earlyStoppingMinDelta;

    @Option(
            names = "--lr-schedule",
            paramLabel = "constant|cosine",
            description =
                    "Learning rate within each phase: constant, or cosine decay to 0 at the"
                            + " phase's last step (default: ${DEFAULT-VALUE}).")
    private String lrSchedule = LearningRateSchedule.Kind.CONSTANT.toString();

    @Option(
            names = "--warmup-epochs",
            paramLabel = "N",
            description =
                    "With --lr-schedule cosine: a linear warm-up from 0 over the first N epochs of"
                            + " each phase (default: ${DEFAULT-VALUE}).")
    private int warmupEpochs;

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
            names = "--augment",
            paramLabel = "SPEC",
            description =
                    "Random changes to training images, Keras' layers on the resized image:"
                            + " none, or a list of flip, rotate=F (F of a full turn), zoom=F,"
                            + " contrast=F, e.g. flip,rotate=0.2 (default: the recipe's). Bilinear,"
                            + " reflected border; reproducible from --seed and the epoch.")
    private String augment;

    @Option(
            names = "--augment-views",
            paramLabel = "K",
            description =
                    "With --augment: cache K augmented views of every training image per phase and"
                        + " draw one per epoch (K passes of the frozen layers, instead of one per"
                        + " epoch). Default 0: the training split is not cached, every epoch draws"
                        + " anew (exact).")
    private int augmentViews;

    @Option(
            names = "--dropout",
            paramLabel = "F",
            description =
                    "Dropout before the Dense layer, in training only (default: the recipe's; 0"
                            + " for seed).")
    private Float dropout;

    @Option(
            names = "--optimizer",
            paramLabel = "rmsprop|adam",
            description =
                    "Optimizer of feature extraction, Keras' defaults (default: the recipe's;"
                            + " rmsprop for seed).")
    private String optimizer;

    @Option(
            names = "--fine-tune-optimizer",
            paramLabel = "rmsprop|adam",
            description = "Optimizer of fine-tuning (default: the recipe's; rmsprop for both).")
    private String fineTuneOptimizer;

    @Option(
            names = "--eval-steps",
            description =
                    "Validation batches evaluated before training (default: ${DEFAULT-VALUE}).")
    private int evalSteps = TrainingConfig.DEFAULT_EVALUATION_STEPS;

    @Option(
            names = "--device",
            defaultValue = "auto",
            converter = DeviceOption.Converter.class,
            description =
                    "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}; auto takes a CUDA GPU when"
                            + " DJL sees one).")
    private String device;

    @Option(
            names = "--precision",
            paramLabel = "fp32|bf16|fp16",
            defaultValue = "fp32",
            description =
                    "Number type of the forward passes (cache builds and training): fp32 (the"
                        + " default), bf16 (GPUs of compute capability 8.0+, CPUs with AVX512-BF16"
                        + " or AMX) or fp16 (GPUs, with loss scaling). Weights, optimizer, loss and"
                        + " the exported model stay fp32.")
    private String precision;

    @Mixin private TorchOption torch = new TorchOption();

    @Option(
            names = "--no-cache",
            negatable = false,
            description =
                    "Run the frozen layers every epoch instead of caching their activations (same"
                            + " results, slower).")
    private boolean noCache;

    @Option(
            names = "--cache-budget",
            defaultValue = "4g",
            paramLabel = "SIZE",
            description =
                    "Memory for each activation cache, e.g. 512m, 4g: a cache that fits stays on"
                            + " the training device (on a GPU, keep it under its free memory);"
                            + " a larger one is kept in host memory up to this size and"
                            + " memory-mapped from a temp file beyond it (default:"
                            + " ${DEFAULT-VALUE}).")
    private String cacheBudget;

    @Option(
            names = "--threads",
            description = "Image decoding threads (default: the number of cores).")
    private Integer threads;

    @Option(
            names = "--full-jpeg-decode",
            negatable = false,
            description =
                    "Decode every JPEG at full size before the resize. By default a JPEG is"
                            + " decoded straight at 1/8, 1/4 or 1/2 size (the smallest that still"
                            + " covers --image-size; several times faster). The model records"
                            + " which, and the classifier decodes the same way.")
    private boolean fullJpegDecode;

    @Option(
            names = "--no-export",
            negatable = false,
            description = "Skip the ONNX export at the end.")
    private boolean noExport;

    @Option(
            names = "--parity-images",
            description =
                    "Validation images of the export's parity check (default: ${DEFAULT-VALUE}).")
    private int parityImages = OutputSettings.DEFAULT_PARITY_IMAGES;

    @Option(
            names = "--int8",
            negatable = false,
            description =
                    "Also export the int8 model (model-int8.onnx), calibrated on training images"
                            + " and gated on the validation split.")
    private boolean int8;

    @Mixin private CalibrationImagesOption calibrationImages = new CalibrationImagesOption();

    @Option(
            names = "--overwrite",
            negatable = false,
            description =
                    "Reuse a non-empty --out: remove the files an earlier run wrote there (only"
                            + " those; a directory holding anything else is refused).")
    private boolean overwrite;

    @Spec private CommandSpec spec;

    // The option of each setting the user can get wrong; a phase's settings name their epochs and
    // learning rate alike, so those take the table of the phase being built.
    private static final Map<Setting, String> OPTION_OF_SETTING =
            new EnumMap<>(
                    Map.ofEntries(
                            Map.entry(Setting.IMAGE_SIZE, "--image-size"),
                            Map.entry(Setting.BATCH_SIZE, "--batch-size"),
                            Map.entry(Setting.AUGMENT_VIEWS, "--augment-views"),
                            Map.entry(Setting.DROPOUT, "--dropout"),
                            Map.entry(Setting.FINE_TUNE_AT, "--fine-tune-at"),
                            Map.entry(Setting.EARLY_STOPPING_PATIENCE, "--early-stopping"),
                            Map.entry(
                                    Setting.EARLY_STOPPING_MIN_DELTA, "--early-stopping-min-delta"),
                            Map.entry(Setting.WARMUP_EPOCHS, "--warmup-epochs"),
                            Map.entry(Setting.EVALUATION_STEPS, "--eval-steps"),
                            Map.entry(Setting.DECODER_THREADS, "--threads"),
                            Map.entry(Setting.CACHE_BUDGET_BYTES, "--cache-budget"),
                            Map.entry(Setting.PARITY_IMAGES, "--parity-images")));

    private static final Map<Setting, String> FEATURE_EXTRACTION_OPTIONS =
            new EnumMap<>(
                    Map.of(Setting.EPOCHS, "--epochs", Setting.LEARNING_RATE, "--learning-rate"));

    private static final Map<Setting, String> FINE_TUNING_OPTIONS =
            new EnumMap<>(
                    Map.of(
                            Setting.EPOCHS,
                            "--fine-tune-epochs",
                            Setting.LEARNING_RATE,
                            "--fine-tune-learning-rate"));

    @Override
    public Integer call() throws Exception {
        if (resume != null) {
            TrainingRun run = resumedRun();
            // The run's own device unless --device says otherwise; its precision.
            String deviceSpec =
                    spec.commandLine().getParseResult().hasMatchedOption("--device")
                            ? device
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
        DeviceSelection selection = selectDevice(device, config.runtime().precision());
        if (selection == null) {
            return Failures.USAGE;
        }
        Path dataDir =
                data != null ? data : TutorialDataset.builder().optUrl(dataUrl).build().resolve();
        Dataset dataset = Dataset.load(dataDir, seed);
        Path weightsFile = WeightsOption.resolve(weights, weightsSha256);
        return train(newRun(config, weightsFile, dataset), selection, int8);
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
                throw usageError(
                        "--resume continues a run with the settings it started with; it takes no"
                                + " other option than --device and --torch (got "
                                + name
                                + ")");
            }
        }
        try {
            return TrainingRun.resume(resume, Versions.current().get("catsdogs"), System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw usageError("--resume " + e.getMessage());
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
            return new TrainingRun(config, weightsFile, dataset, System.out, overwrite);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw usageError("--out " + e.getMessage());
        }
    }

    /** The options as a configuration, every bad value a usage error naming its option. */
    private TrainingConfig checkedConfig() {
        int cores = Runtime.getRuntime().availableProcessors();
        int maxThreads = ThreadLimit.max(cores);
        if (threads != null && (threads < 1 || threads > maxThreads)) {
            throw usageError(
                    "Received --threads "
                            + threads
                            + "; expected 1.."
                            + maxThreads
                            + " ("
                            + ThreadLimit.FACTOR
                            + " x the "
                            + cores
                            + " cores)");
        }
        if (int8 && noExport) {
            throw usageError(
                    "--int8 quantizes the exported model; it cannot be combined with --no-export");
        }
        calibrationImages.value(int8);
        if (data != null && !Files.isDirectory(data)) {
            throw usageError(
                    "--data "
                            + data
                            + ": "
                            + (Files.exists(data) ? "not a directory" : "not found")
                            + "; expected a directory of class folders");
        }
        if (weights != null
                && !WeightsOption.isUrl(weights)
                && !Files.isRegularFile(Path.of(weights))) {
            throw usageError(
                    "--weights "
                            + weights
                            + ": "
                            + (Files.isDirectory(Path.of(weights)) ? "a directory" : "not found")
                            + "; expected an ImageNet MobileNetV2 .onnx file or a URL");
        }
        Path outDir =
                out != null
                        ? out
                        : Path.of(
                                "runs",
                                LocalDateTime.now()
                                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        usage(() -> RunDirectory.checkCanCreate(outDir, overwrite), "--out ");
        long budget = usage(() -> ByteSizes.parse(cacheBudget), "--cache-budget ");
        // The recipe's settings, then the ones given explicitly.
        Recipe chosen = choice("--recipe", recipe, Recipe.values());
        Augmentation augmentation =
                augment != null
                        ? usage(() -> Augmentation.parse(augment), "--augment ")
                        : chosen.augmentation();
        LearningRateSchedule schedule =
                usage(
                        () ->
                                new LearningRateSchedule(
                                        choice(
                                                "--lr-schedule",
                                                lrSchedule,
                                                LearningRateSchedule.Kind.values()),
                                        warmupEpochs));
        EarlyStopping stopping =
                usage(() -> new EarlyStopping(earlyStopping, earlyStoppingMinDelta));
        OptimizerType firstOptimizer =
                optimizer != null
                        ? choice("--optimizer", optimizer, OptimizerType.values())
                        : chosen.optimizer();
        OptimizerType secondOptimizer =
                fineTuneOptimizer != null
                        ? choice("--fine-tune-optimizer", fineTuneOptimizer, OptimizerType.values())
                        : chosen.fineTuneOptimizer();
        DataSettings dataSettings =
                usage(
                        () ->
                                new DataSettings(
                                        data,
                                        dataUrl,
                                        imageSize,
                                        batchSize,
                                        augmentation,
                                        augmentViews,
                                        !fullJpegDecode));
        ModelSettings model =
                usage(
                        () ->
                                new ModelSettings(
                                        weights,
                                        weightsSha256,
                                        dropout != null ? dropout : chosen.dropout(),
                                        fineTuneAt));
        PhaseSettings featureExtraction =
                usage(
                        () ->
                                new PhaseSettings(
                                        epochs, firstOptimizer, learningRate, schedule, stopping),
                        FEATURE_EXTRACTION_OPTIONS);
        PhaseSettings fineTuning =
                usage(
                        () ->
                                new PhaseSettings(
                                        fineTuneEpochs,
                                        secondOptimizer,
                                        fineTuneLearningRate,
                                        schedule,
                                        stopping),
                        FINE_TUNING_OPTIONS);
        Precision chosenPrecision = choice("--precision", precision, Precision.values());
        RuntimeSettings runtime =
                usage(
                        () ->
                                new RuntimeSettings(
                                        device,
                                        chosenPrecision,
                                        !noCache,
                                        budget,
                                        threads != null ? threads : cores));
        OutputSettings outputs =
                usage(
                        () ->
                                new OutputSettings(
                                        outDir,
                                        OutputSettings.DEFAULT_SAMPLE_IMAGES,
                                        !noExport,
                                        parityImages));
        ClassWeighting weighting = choice("--class-weight", classWeight, ClassWeighting.values());
        return usage(
                () ->
                        new TrainingConfig(
                                seed,
                                chosen,
                                dataSettings,
                                model,
                                featureExtraction,
                                fineTuning,
                                weighting,
                                evalSteps,
                                runtime,
                                outputs));
    }

    /** The constant named {@code value} (as its {@code toString()}), or a usage error. */
    private <E extends Enum<E>> E choice(String option, String value, E[] choices) {
        for (E e : choices) {
            if (e.toString().equalsIgnoreCase(value.strip())) {
                return e;
            }
        }
        throw usageError(
                "Received "
                        + option
                        + " "
                        + value
                        + "; expected one of "
                        + Arrays.stream(choices)
                                .map(Object::toString)
                                .collect(Collectors.joining(", ")));
    }

    private <T> T usage(Supplier<T> check) {
        return usage(check, Map.of());
    }

    /**
     * Builds settings; one out of range becomes a usage error naming its option ({@code options}
     * first, then the command's table), any other IllegalArgumentException one with its message.
     */
    private <T> T usage(Supplier<T> check, Map<Setting, String> options) {
        try {
            return check.get();
        } catch (InvalidSettingException e) {
            String option = options.getOrDefault(e.setting(), OPTION_OF_SETTING.get(e.setting()));
            throw usageError(
                    option == null
                            ? e.getMessage()
                            : "Received "
                                    + option
                                    + " "
                                    + e.value()
                                    + "; expected "
                                    + e.expected());
        } catch (IllegalArgumentException e) {
            throw usageError(e.getMessage());
        }
    }

    /** Runs a parse; its IllegalArgumentException becomes a usage error after {@code prefix}. */
    private <T> T usage(Supplier<T> parse, String prefix) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw usageError(prefix + e.getMessage());
        }
    }

    private CommandLine.ParameterException usageError(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
