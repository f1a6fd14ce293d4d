package dev.catsdogs.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.trainer.data.Augmentation;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.data.SampleDecoder;
import dev.catsdogs.trainer.data.ShuffleMode;
import dev.catsdogs.trainer.model.ClassifierHead;
import dev.catsdogs.trainer.model.MobileNetV2;
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
        this.directory = RunDirectory.create(config.outDir(), overwrite);
        this.report = directory.newReport();
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
     * throws {@link TransferTrainer.TrainingInterruptedException}. Safe from any thread.
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
        directory.writeConfig(config, weights.file(), dataset, versions, where);
        report.put("training_device", where);
        Engine.getInstance().setRandomSeed((int) config.seed());
        try (ImagePreprocessor pre = config.preprocessor()) {
            TransferNetwork network = imageNetTransferNetwork(manager);
            SampleDecoder decoder = SampleDecoder.of(pre);
            try (BatchLoader train =
                            loader(
                                    dataset.train(),
                                    decoder,
                                    ShuffleMode.EACH_EPOCH,
                                    config.augmentation());
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
                TransferTrainer trainer =
                        TransferTrainer.builder(network, manager)
                                .addListener(new DataCheck(out))
                                .addListener(new ProgressListener(out))
                                .addListener(
                                        new SamplesGrid(directory.file(RunDirectory.SAMPLES), pre))
                                .addListener(new History(directory.file(RunDirectory.HISTORY)))
                                .addListener(new Checkpoint(directory))
                                .addListener(new CurvesPlot(directory.file(RunDirectory.CURVES)))
                                .addListener(
                                        new SummaryFile(
                                                directory.file(RunDirectory.SUMMARY), report))
                                .addListener(report)
                                .optStopSignal(stop::get)
                                .build();
                trainer.fit(new TrainingContext(config, dataset, network, train, validation, test));
            }
            return network;
        }
    }

    /** The ImageNet base with its weights, a fresh head, the base frozen. */
    private TransferNetwork imageNetTransferNetwork(NDManager manager) throws IOException {
        int size = config.imageSize();
        TransferNetwork network =
                new TransferNetwork(
                        new MobileNetV2(size, weights.paddingStyle()),
                        new ClassifierHead(dataset.classNames().size(), config.dropout()));
        network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, size, size));
        weights.applyTo(network.base());
        network.freezeBase();
        network.setPrecision(config.precision());
        return network;
    }

    private BatchLoader loader(
            List<Sample> samples,
            SampleDecoder decoder,
            ShuffleMode shuffle,
            Augmentation augmentation) {
        return BatchLoader.builder(samples, decoder)
                .optAugmentation(augmentation)
                .optBatchSize(config.batchSize())
                .optSeed(config.seed())
                .optShuffle(shuffle)
                .optThreads(config.decoderThreads())
                .build();
    }
}
