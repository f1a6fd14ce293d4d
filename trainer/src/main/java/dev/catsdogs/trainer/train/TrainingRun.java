package dev.catsdogs.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Augmentation;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.data.SampleDecoder;
import dev.catsdogs.trainer.data.ShuffleMode;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One run of the seed's workflow into a run directory: builds the network from the ImageNet
 * weights, the loaders and the listeners (progress, samples, history, checkpoints, curves, summary,
 * report), and hands them to a {@link TransferTrainer}, which runs the workflow and fires every
 * event. Everything the run produces is written atomically, with {@code report.json} kept current
 * so an interruption loses nothing written.
 */
public final class TrainingRun implements AutoCloseable {

    private final TrainingConfig config;
    private final MobileNetV2Weights weights;
    private final Dataset dataset;
    private final PrintStream out;
    private final RunDirectory directory;
    private final RunReport report;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final boolean resuming;
    private final java.util.List<TrainingListener> extraListeners = new java.util.ArrayList<>();

    /**
     * @param config the settings
     * @param weightsFile the resolved local ImageNet weights
     * @param dataset the resolved data set
     * @param out where progress lines go
     * @param overwrite whether an earlier run's files in the run directory may be replaced
     * @throws IllegalArgumentException when the run directory is not empty and may not be
     *     overwritten (see {@link RunDirectory#checkCanCreate}) or cannot be created
     * @throws IllegalStateException when another process writes the run directory
     * @throws dev.catsdogs.trainer.onnx.WeightImportException when the weights file is unusable;
     *     the run directory is created only once the weights have been read
     */
    public TrainingRun(
            TrainingConfig config,
            Path weightsFile,
            Dataset dataset,
            PrintStream out,
            boolean overwrite)
            throws IOException {
        this.config = config;
        this.weights = MobileNetV2Weights.read(weightsFile);
        this.dataset = dataset;
        this.out = out;
        this.directory = RunDirectory.create(config.outputs().dir(), overwrite);
        this.report = directory.newReport();
        this.resuming = false;
    }

    private TrainingRun(
            RunDirectory directory, TrainingConfig config, Dataset dataset, PrintStream out)
            throws IOException {
        this.config = config;
        this.weights = MobileNetV2Weights.read(directory.weightsFile());
        this.dataset = dataset;
        this.out = out;
        this.directory = directory;
        this.report = directory.existingReport().running();
        this.resuming = true;
    }

    /**
     * The interrupted run in {@code dir}, to continue after its last completed epoch with the
     * settings, data and weights it started with ({@code train --resume}). Its directory is locked
     * for this process.
     *
     * @param version this catsdogs version; the run must have been started by it
     * @throws IllegalArgumentException saying why the run cannot be resumed: not a run directory,
     *     completed, without a checkpoint, started by another version, or its data changed
     * @throws IllegalStateException when another process writes the run directory
     */
    public static TrainingRun resume(Path dir, String version, PrintStream out) throws IOException {
        RunDirectory directory;
        try {
            directory = RunDirectory.openToWrite(dir, "train --resume");
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        try {
            String status = directory.status();
            if (status.equals("completed")) {
                throw new IllegalArgumentException(
                        dir + ": the run is complete; nothing to resume (train a new run instead)");
            }
            if (!java.nio.file.Files.isRegularFile(directory.file(RunDirectory.CHECKPOINT))) {
                throw new IllegalArgumentException(
                        dir
                                + ": no "
                                + RunDirectory.CHECKPOINT
                                + " (the run stopped before its first epoch ended, or was"
                                + " written by a version without resume); train it again");
            }
            TrainingConfig config = directory.readConfig();
            Dataset dataset = Dataset.load(directory.dataRoot(), config.seed());
            checkOrigin(
                    directory,
                    dataset,
                    CheckpointFile.readOrigin(directory.file(RunDirectory.CHECKPOINT)),
                    new CheckpointFile.Origin(version, dataset.fingerprint()));
            return new TrainingRun(directory, config, dataset, out);
        } catch (IOException | RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    /** Releases the run directory's lock ({@link RunLock}); the files stay. */
    @Override
    public void close() throws IOException {
        directory.close();
    }

    /** Asks whether a stop was requested, e.g. for the export after training. */
    public boolean stopRequested() {
        return stop.get();
    }

    /** The run's settings. */
    public TrainingConfig config() {
        return config;
    }

    /** The data it trains on. */
    public Dataset dataset() {
        return dataset;
    }

    /** Adds a listener after the run's own ones, e.g. one that stops the run at a chosen point. */
    public void addListener(TrainingListener listener) {
        extraListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** Where the run writes. */
    public RunDirectory directory() {
        return directory;
    }

    /** The run's report, kept current while it runs. */
    public RunReport report() {
        return report;
    }

    /**
     * Asks the run to stop at the next batch (Ctrl-C): it then writes an "interrupted" report and
     * throws {@link TrainingInterruptedException}. Safe from any thread.
     */
    public void requestStop() {
        stop.set(true);
    }

    /**
     * Runs the whole workflow; returns the trained network (owned by {@code manager}).
     *
     * @param versions library versions, for provenance
     * @param where the training device as the user should read it, e.g. {@code cpu, 2 threads}
     */
    public TransferNetwork run(NDManager manager, Map<String, String> versions, String where)
            throws IOException {
        CheckpointFile.Origin origin =
                new CheckpointFile.Origin(versions.get("catsdogs"), dataset.fingerprint());
        if (resuming) {
            directory.recordResumption(where);
        } else {
            directory.writeConfig(config, weights.file(), dataset, versions, where);
        }
        report.recordTrainingDevice(where);
        Engine.getInstance().setRandomSeed((int) config.seed());
        try (ImagePreprocessor pre = config.preprocessor()) {
            TransferNetwork network =
                    weights.newTransferNetwork(
                            config.data().imageSize(),
                            dataset.classNames().size(),
                            config.model().dropout(),
                            manager);
            network.setPrecision(config.runtime().precision());
            TrainingState resumeFrom = null;
            if (resuming) {
                resumeFrom = readCheckpoint(network, manager);
                // Loaded arrays are new: mark what trains and fold BatchNorm again from them.
                network.freezeBase();
            }
            SampleDecoder decoder = SampleDecoder.of(pre);
            try (BatchLoader train =
                            loader(
                                    dataset.train(),
                                    decoder,
                                    ShuffleMode.EACH_EPOCH,
                                    config.data().augmentation());
                    BatchLoader validation =
                            loader(
                                    dataset.validation(),
                                    decoder,
                                    ShuffleMode.NONE,
                                    Augmentation.NONE);
                    BatchLoader test =
                            dataset.test().isEmpty()
                                    ? null
                                    : loader(
                                            dataset.test(),
                                            decoder,
                                            ShuffleMode.NONE,
                                            Augmentation.NONE)) {
                TransferTrainer.Builder trainer =
                        TransferTrainer.builder(network, manager)
                                .addListener(new DataCheck(out))
                                .addListener(new ProgressListener(out))
                                .addListener(
                                        new SamplesGrid(directory.file(RunDirectory.SAMPLES), pre))
                                .addListener(new History(directory.file(RunDirectory.HISTORY)))
                                .addListener(new Checkpoint(directory, origin))
                                .addListener(new CurvesPlot(directory.file(RunDirectory.CURVES)))
                                .addListener(
                                        new SummaryFile(
                                                directory.file(RunDirectory.SUMMARY), report))
                                .addListener(report)
                                .optStopSignal(stop::get);
                extraListeners.forEach(trainer::addListener);
                if (resumeFrom != null) {
                    trainer.optResumeFrom(resumeFrom);
                }
                trainer.build()
                        .fit(
                                new TrainingContext(
                                        config, dataset, network, train, validation, test));
            }
            return network;
        }
    }

    /** The checkpoint's state, its parameters loaded into {@code network}. */
    private TrainingState readCheckpoint(TransferNetwork network, NDManager manager)
            throws IOException {
        return CheckpointFile.read(directory.file(RunDirectory.CHECKPOINT), network, manager)
                .state();
    }

    /**
     * Refuses to continue a run with another product version or other data than it started with.
     */
    private static void checkOrigin(
            RunDirectory directory,
            Dataset dataset,
            CheckpointFile.Origin then,
            CheckpointFile.Origin now) {
        if (!java.util.Objects.equals(then.version(), now.version())) {
            throw new IllegalArgumentException(
                    directory.path()
                            + ": the run was started by catsdogs "
                            + then.version()
                            + ", this is "
                            + now.version()
                            + "; resume it with that version, or train it again");
        }
        if (!then.dataFingerprint().equals(now.dataFingerprint())) {
            throw new IllegalArgumentException(
                    directory.path()
                            + ": the data in "
                            + dataset.root()
                            + " changed since the run started (files added, removed or"
                            + " resized); train it again");
        }
    }

    private BatchLoader loader(
            List<Sample> samples,
            SampleDecoder decoder,
            ShuffleMode shuffle,
            Augmentation augmentation) {
        return BatchLoader.builder(samples, decoder)
                .optAugmentation(augmentation)
                .optBatchSize(config.data().batchSize())
                .optSeed(config.seed())
                .optShuffle(shuffle)
                .optThreads(config.runtime().decoderThreads())
                .build();
    }
}
