package dev.catsdogs.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.data.SampleDecoder;
import dev.catsdogs.trainer.data.ShuffleMode;
import dev.catsdogs.trainer.data.SkippedFile;
import dev.catsdogs.trainer.data.Split;
import dev.catsdogs.trainer.io.AtomicFiles;
import dev.catsdogs.trainer.model.ClassifierHead;
import dev.catsdogs.trainer.model.MobileNetV2;
import dev.catsdogs.trainer.model.ModelSummary;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One run of the seed's workflow: examine the data, evaluate the untrained head, feature
 * extraction, fine-tuning, test; everything it produces goes to the run directory, written
 * atomically, with {@code report.json} kept current so an interruption loses nothing written.
 */
public final class TrainingRun {

    public static final String CONFIG = "config.json";
    public static final String REPORT = "report.json";
    public static final String HISTORY = "history.csv";
    public static final String CURVES = "curves.png";
    public static final String SAMPLES = "samples.png";
    public static final String SUMMARY = "summary.txt";
    public static final String PARAMETERS = "model.params";

    private final TrainingConfig config;
    private final Path weightsFile;
    private final Dataset dataset;
    private final PrintStream out;
    private final RunReport report;
    private final History history;
    private final AtomicBoolean stop = new AtomicBoolean();

    /**
     * @param config the settings
     * @param weightsFile the resolved local ImageNet weights
     * @param dataset the resolved data set
     * @param out where progress lines go
     */
    public TrainingRun(TrainingConfig config, Path weightsFile, Dataset dataset, PrintStream out) throws IOException {
        this.config = config;
        this.weightsFile = weightsFile;
        this.dataset = dataset;
        this.out = out;
        Files.createDirectories(config.outDir());
        report = new RunReport(config.outDir().resolve(REPORT));
        history = new History(config.outDir().resolve(HISTORY));
    }

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

    /** Runs the whole workflow; returns the trained network (owned by {@code manager}). */
    public TransferNetwork run(NDManager manager, Map<String, String> versions) throws IOException {
        long started = System.nanoTime();
        writeConfig(versions);
        Engine.getInstance().setRandomSeed((int) config.seed());
        List<String> classes = dataset.classNames();
        ImagePreprocessor pre = new ImagePreprocessor(PreprocessingSpec.mobileNetV2(config.imageSize()));

        // 1. Examine.
        examine(pre);

        // The model: ImageNet base, fresh head, base frozen.
        MobileNetV2Weights weights = MobileNetV2Weights.read(weightsFile);
        TransferNetwork network = new TransferNetwork(
                new MobileNetV2(config.imageSize(), weights.paddingStyle()),
                new ClassifierHead(classes.size()));
        network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, config.imageSize(), config.imageSize()));
        weights.applyTo(network.base());
        network.freezeBase();
        report.section("model").addProperty("padding_style", weights.paddingStyle().name());
        report.section("model").addProperty("classes", classes.size());
        report.section("model").addProperty("image_size", config.imageSize());

        SampleDecoder decoder = SampleDecoder.of(pre.tensorSize(), pre::preprocess);
        BatchLoader train = loader(dataset.train(), decoder, ShuffleMode.EACH_EPOCH);
        BatchLoader validation = loader(dataset.validation(), decoder, ShuffleMode.NONE);
        int totalEpochs = config.initialEpochs() + config.fineTuneEpochs();
        List<TrainingListener> listeners = List.of(new ProgressListener(out, totalEpochs), history);
        TransferTrainer trainer = new TransferTrainer(network, manager, classes.size(), listeners, stop::get);

        try {
            // 2-3. Evaluate before training, then feature extraction.
            int pooled = network.base().layers().size();
            long phaseStart = System.nanoTime();
            try (Feed trainFeed = feed(train, network, pooled, manager, "train");
                    Feed valFeed = feed(validation, network, pooled, manager, "validation")) {
                Evaluation initial = trainer.evaluate(valFeed, config.evaluationSteps());
                report.putEvaluation("initial", "val_", initial);
                out.printf(Locale.ROOT, "before training (%d validation images): loss %.4f, accuracy %.4f%n",
                        initial.images(), initial.loss(), initial.accuracy());
                checkpoint(network, train, validation);
                runPhase(Phase.FEATURE_EXTRACTION, trainer, network, trainFeed, valFeed, 0, config.initialEpochs(),
                        config.learningRate(), phaseStart, train, validation);
            }

            // 4. Fine-tuning from layer fineTuneAt.
            if (config.fineTuneEpochs() > 0) {
                network.setTrainableFrom(config.fineTuneAt());
                JsonObject ft = report.section(Phase.FINE_TUNING.key());
                ft.addProperty("fine_tune_at", config.fineTuneAt());
                ft.addProperty("trainable_variables", network.trainableParameters().size());
                int cut = network.base().cutPointAtOrBefore(config.fineTuneAt());
                long fineTuneStart = System.nanoTime();
                try (Feed trainFeed = feed(train, network, cut, manager, "train");
                        Feed valFeed = feed(validation, network, cut, manager, "validation")) {
                    runPhase(Phase.FINE_TUNING, trainer, network, trainFeed, valFeed, config.initialEpochs(),
                            config.fineTuneEpochs(), config.fineTuneLearningRate(), fineTuneStart, train, validation);
                }
            }

            // 6. Test split.
            if (!dataset.test().isEmpty()) {
                BatchLoader test = loader(dataset.test(), decoder, ShuffleMode.NONE);
                Evaluation e = trainer.evaluate(new ImageFeed(test, config.imageSize()), Integer.MAX_VALUE);
                report.putTest(e, classes);
                out.printf(Locale.ROOT, "test (%d images): loss %.4f, accuracy %.4f%n", e.images(), e.loss(), e.accuracy());
                recordSkipped(train, validation, test);
            }
            report.section("timing").addProperty("total_seconds", (System.nanoTime() - started) / 1e9);
            AtomicFiles.writeString(config.outDir().resolve(SUMMARY), ModelSummary.render(network) + "\n" + resultsTable());
            report.finish("completed", null);
            report.write();
            return network;
        } catch (TransferTrainer.TrainingInterruptedException e) {
            report.finish("interrupted", null);
            report.write();
            throw e;
        } catch (IOException | RuntimeException e) {
            report.finish("failed", e.toString());
            report.write();
            throw e;
        }
    }

    private void runPhase(Phase phase, TransferTrainer trainer, TransferNetwork network, Feed trainFeed, Feed valFeed,
            int firstEpochIndex, int epochs, float learningRate, long phaseStartNanos, BatchLoader train,
            BatchLoader validation) throws IOException {
        if (epochs == 0) {
            return;
        }
        JsonObject section = report.section(phase.key());
        section.addProperty("cached_from_layer", trainFeed.boundary());
        section.addProperty("learning_rate", learningRate);
        section.addProperty("trainable_params", trainableParams(network));
        // Phase time includes building its activation cache: that is part of what the phase costs.
        section.addProperty("cache_seconds", (System.nanoTime() - phaseStartNanos) / 1e9);
        long start = phaseStartNanos;
        trainer.listenersPhaseStart(phase, firstEpochIndex + 1, firstEpochIndex + epochs);
        try (KerasRmsProp optimizer = new KerasRmsProp(learningRate, config.rho(), config.epsilon())) {
            for (int e = firstEpochIndex; e < firstEpochIndex + epochs; e++) {
                long epochStart = System.nanoTime();
                TransferTrainer.TrainMetrics m = trainer.trainEpoch(phase, trainFeed, e, e + 1, optimizer);
                Evaluation v = trainer.evaluate(valFeed, Integer.MAX_VALUE);
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                EpochRecord record = new EpochRecord(phase, e + 1, m.loss(), m.accuracy(), v.loss(), v.accuracy(),
                        seconds, m.images() / m.seconds());
                trainer.listenersEpochEnd(record);
                section.addProperty("epochs", e + 1 - firstEpochIndex);
                section.addProperty("loss", m.loss());
                section.addProperty("accuracy", m.accuracy());
                section.addProperty("val_loss", v.loss());
                section.addProperty("val_accuracy", v.accuracy());
                section.addProperty("seconds", (System.nanoTime() - start) / 1e9);
                checkpoint(network, train, validation);
            }
        }
        trainer.listenersPhaseEnd(phase, (System.nanoTime() - start) / 1e9);
    }

    /** Parameters, curves and report after every epoch: an interruption loses at most one epoch. */
    private void checkpoint(TransferNetwork network, BatchLoader... loaders) throws IOException {
        AtomicFiles.write(config.outDir().resolve(PARAMETERS), stream -> {
            DataOutputStream data = new DataOutputStream(stream);
            network.saveParameters(data);
            data.flush();
        });
        CurvesPlot.write(config.outDir().resolve(CURVES), history.records(), config.fineTuneEpochs() > 0
                ? config.initialEpochs() : 0);
        recordSkipped(loaders);
        report.write();
    }

    // Boundary 0 (every layer trainable): nothing is frozen to cache, but the decoded, resized images
    // still are, so each image is decoded once rather than once per epoch.
    private Feed feed(BatchLoader loader, TransferNetwork network, int boundary, NDManager manager, String what) {
        if (!config.cache()) {
            return new ImageFeed(loader, config.imageSize());
        }
        long startNanos = System.nanoTime();
        try (ProgressBar bar = new ProgressBarBuilder()
                .setTaskName("Caching " + what + " @" + boundary).setInitialMax(loader.size())
                .setStyle(ProgressBarStyle.ASCII).clearDisplayOnFinish().build()) {
            CachedFeed feed = CachedFeed.compute(loader, network, boundary, manager, config.imageSize(),
                    config.cacheBudgetBytes(), done -> {
                        bar.stepTo(done);
                        if (stop.get()) {
                            throw new TransferTrainer.TrainingInterruptedException();
                        }
                    });
            out.printf(Locale.ROOT, "cached %s %s: %d images in %.1fs%s%n", what,
                    boundary == 0 ? "decoded images" : "activations before layer " + boundary, feed.size(),
                    (System.nanoTime() - startNanos) / 1e9, feed.spilled() ? " (spilled to disk)" : "");
            return feed;
        }
    }

    private BatchLoader loader(List<Sample> samples, SampleDecoder decoder, ShuffleMode shuffle) {
        return BatchLoader.builder(samples, decoder).optBatchSize(config.batchSize()).optSeed(config.seed())
                .optShuffle(shuffle).optThreads(config.decoderThreads()).build();
    }

    private void examine(ImagePreprocessor pre) throws IOException {
        JsonObject data = report.section("data");
        data.addProperty("root", dataset.root().toString());
        data.addProperty("layout", dataset.layout().name().toLowerCase(Locale.ROOT));
        data.add("classes", Json.gson().toJsonTree(dataset.classNames()));
        data.addProperty("train", dataset.train().size());
        data.addProperty("validation", dataset.validation().size());
        data.addProperty("test", dataset.test().size());
        data.add("counts", Json.gson().toJsonTree(dataset.counts()));
        for (Split split : Split.values()) {
            Map<String, Integer> counts = dataset.counts().get(split);
            if (counts != null && !counts.isEmpty()) {
                out.printf(Locale.ROOT, "%-10s %s%n", split.dirName(), counts);
            }
        }
        recordSkipped();
        SamplesGrid.write(config.outDir().resolve(SAMPLES), dataset.train(), dataset.classNames(), pre,
                config.sampleImages());
        report.write();
    }

    /** Files skipped by the scan (extension) and by decoding, each once. */
    private void recordSkipped(BatchLoader... loaders) {
        List<SkippedFile> skipped = new ArrayList<>(dataset.skipped());
        for (BatchLoader loader : loaders) {
            skipped.addAll(loader.skipped());
        }
        JsonArray array = new JsonArray();
        for (SkippedFile s : skipped) {
            JsonObject o = new JsonObject();
            o.addProperty("path", s.path().toString());
            o.addProperty("reason", s.reason());
            array.add(o);
        }
        report.putArray("data", "skipped", array);
        report.section("data").addProperty("skipped_count", skipped.size());
    }

    private static long trainableParams(TransferNetwork network) {
        long n = 0;
        for (var p : network.trainableParameters()) {
            n += p.getShape().size();
        }
        return n;
    }

    private String resultsTable() {
        JsonObject r = report.snapshot();
        StringBuilder s = new StringBuilder("Results\n");
        for (String phase : new String[] {"initial", "feature_extraction", "fine_tuning", "test"}) {
            if (r.has(phase)) {
                s.append(String.format(Locale.ROOT, "%-20s %s%n", phase, r.get(phase)));
            }
        }
        return s.toString();
    }

    private void writeConfig(Map<String, String> versions) throws IOException {
        JsonObject json = Json.gson().toJsonTree(config).getAsJsonObject();
        json.addProperty("weights_file", weightsFile.toString());
        json.addProperty("data_root", dataset.root().toString());
        json.add("classes", Json.gson().toJsonTree(dataset.classNames()));
        json.add("versions", Json.gson().toJsonTree(versions));
        AtomicFiles.writeString(config.outDir().resolve(CONFIG), Json.gson().toJson(json) + "\n");
    }

    /** Resolves {@code auto|cpu|gpu|gpu:N} to a DJL device. */
    public static Device device(String spec) {
        Engine engine = Engine.getInstance();
        String s = spec.toLowerCase(Locale.ROOT);
        if (s.equals("auto")) {
            return engine.defaultDevice();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("gpu") || s.startsWith("gpu:")) {
            int id = s.equals("gpu") ? 0 : Integer.parseInt(s.substring(4));
            if (id >= engine.getGpuCount()) {
                throw new IllegalArgumentException("Received --device " + spec + " but DJL sees " + engine.getGpuCount()
                        + " GPU(s). Run ./catsdogs --gpu ... (CUDA libtorch instead of the bundled CPU one), or use "
                        + "--device cpu");
            }
            return Device.gpu(id);
        }
        throw new IllegalArgumentException("Received --device " + spec + "; expected one of auto, cpu, gpu, gpu:N");
    }
}
