package dev.catsdogs.bench.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.catsdogs.bench.ProcessMemory;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.data.SampleDecoder;
import dev.catsdogs.trainer.data.ShuffleMode;
import dev.catsdogs.trainer.feed.CachedFeed;
import dev.catsdogs.trainer.feed.Feed;
import dev.catsdogs.trainer.feed.ImageFeed;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import dev.catsdogs.trainer.optimizer.FusedRmsProp;
import dev.catsdogs.trainer.optimizer.KerasRmsProp;
import dev.catsdogs.trainer.optimizer.Optimizer;
import dev.catsdogs.trainer.train.EpochRecord;
import dev.catsdogs.trainer.train.Phase;
import dev.catsdogs.trainer.train.Recipe;
import dev.catsdogs.trainer.train.TrainingConfig;
import dev.catsdogs.trainer.train.TrainingListener;
import dev.catsdogs.trainer.train.TransferTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * Measures what caching buys and what one training step costs, on real data with the default
 * workflow's settings: the feature-extraction phase cached vs plain, one fine-tuning epoch cached
 * vs plain, the training step at batch 32, and memory across epochs. Also profiles that training
 * step alone, for {@code bench-train --profile}.
 */
public final class TrainingBenchmark {

    // The product's phase settings: a constant learning rate, no early stopping; no class weights.
    private static final TrainingConfig DEFAULTS = TrainingConfig.of(Recipe.SEED, Path.of("bench"));

    /**
     * Steps run before any is timed or profiled: the first ones pay for allocation and kernel
     * selection.
     */
    private static final int WARM_UP_STEPS = 3;

    /** Figures of one benchmark run; times in seconds unless named otherwise. */
    public record Figures(
            double feCached,
            double feUncached,
            double ftCacheBuild,
            double ftEpochCached,
            double ftEpochUncached,
            int feEpochs,
            int ftEpochs,
            StepFigures step,
            long rssAfterEpoch2,
            long rssAfterLastEpoch,
            long peakRss) {

        public double feSpeedup() {
            return feUncached / feCached;
        }

        public double ftEpochSpeedup() {
            return ftEpochUncached / ftEpochCached;
        }

        /** The cached parts: the default run as {@code ./catsdogs train} runs it. */
        public CachedRun cached() {
            return new CachedRun(feCached, ftCacheBuild, ftEpochCached, ftEpochs);
        }

        /** Whole default run: phase 1, plus phase 2's cache build and its epochs. */
        public double totalCached() {
            return cached().total();
        }

        public double totalUncached() {
            return feUncached + ftEpochs * ftEpochUncached;
        }
    }

    /**
     * The default run, cached as {@code ./catsdogs train} runs it; times in seconds.
     *
     * @param featureExtraction phase 1: cache build, epochs and validation after each
     * @param ftCacheBuild phase 2's cache build (once)
     * @param ftEpoch one fine-tuning epoch + validation
     * @param ftEpochs the fine-tuning epochs the whole run counts
     */
    public record CachedRun(
            double featureExtraction, double ftCacheBuild, double ftEpoch, int ftEpochs) {

        /** Phase 1, plus phase 2's cache build and its epochs (every epoch does the same work). */
        public double total() {
            return featureExtraction + ftCacheBuild + ftEpochs * ftEpoch;
        }
    }

    private final List<Sample> trainSamples;
    private final List<Sample> validationSamples;
    private final int classes;
    private final Path weights;
    private final int imageSize;
    private final int batchSize;
    private final int threads;
    private final Device device;
    private final PrintStream out;
    private Precision precision = Precision.FP32;

    public TrainingBenchmark(
            List<Sample> train,
            List<Sample> validation,
            int classes,
            Path weights,
            int imageSize,
            int batchSize,
            int threads,
            Device device,
            PrintStream out) {
        this.trainSamples = List.copyOf(train);
        this.validationSamples = List.copyOf(validation);
        this.classes = classes;
        this.weights = weights;
        this.imageSize = imageSize;
        this.batchSize = batchSize;
        this.threads = threads;
        this.device = device;
        this.out = out;
    }

    /**
     * The type every measured forward computes in ({@code --precision}); default float32. Weights,
     * optimizer and loss stay float32, as in training.
     */
    public TrainingBenchmark optPrecision(Precision precision) {
        this.precision = precision;
        return this;
    }

    /**
     * Runs everything.
     *
     * @param feEpochs feature-extraction epochs (10 in the default workflow)
     * @param ftEpochs fine-tuning epochs the whole-run figure counts (10); one is measured per mode
     * @param steps timed training steps (after 3 warm-up steps)
     */
    public Figures run(int feEpochs, int ftEpochs, int fineTuneAt, int steps) throws IOException {
        try (ImagePreprocessor pre =
                        new ImagePreprocessor(PreprocessingSpec.mobileNetV2(imageSize));
                BatchLoader train = trainLoader(pre);
                BatchLoader validation = validationLoader(pre);
                NDManager manager = NDManager.newBaseManager(device)) {
            out.println("feature extraction, cached:");
            double feCached = featureExtraction(manager, train, validation, feEpochs, true, null);
            out.println("feature extraction, plain (--no-cache):");
            long[] rss = new long[2];
            double feUncached = featureExtraction(manager, train, validation, feEpochs, false, rss);

            out.println("one fine-tuning epoch, cached:");
            double[] cached = fineTuningEpoch(manager, train, validation, fineTuneAt, true);
            out.println("one fine-tuning epoch, plain (--no-cache):");
            double[] plain = fineTuningEpoch(manager, train, validation, fineTuneAt, false);

            out.println("training step, batch " + batchSize + ":");
            StepFigures step = step(manager, steps);
            return new Figures(
                    feCached,
                    feUncached,
                    cached[0],
                    cached[1],
                    plain[1],
                    feEpochs,
                    ftEpochs,
                    step,
                    rss[0],
                    rss[1],
                    ProcessMemory.peakRssKib() * 1024);
        }
    }

    /**
     * Only the cached default run ({@code bench-train --workflow}): phase 1 cached, then phase 2's
     * cache build and one of its epochs, timed as {@link #run} times them.
     */
    public CachedRun cachedRun(int feEpochs, int ftEpochs, int fineTuneAt) throws IOException {
        try (ImagePreprocessor pre =
                        new ImagePreprocessor(PreprocessingSpec.mobileNetV2(imageSize));
                BatchLoader train = trainLoader(pre);
                BatchLoader validation = validationLoader(pre);
                NDManager manager = NDManager.newBaseManager(device)) {
            out.println("feature extraction, cached:");
            double fe = featureExtraction(manager, train, validation, feEpochs, true, null);
            out.println("one fine-tuning epoch, cached:");
            double[] ft = fineTuningEpoch(manager, train, validation, fineTuneAt, true);
            return new CachedRun(fe, ft[0], ft[1], ftEpochs);
        }
    }

    private BatchLoader trainLoader(ImagePreprocessor pre) {
        return BatchLoader.builder(trainSamples, SampleDecoder.of(pre))
                .optBatchSize(batchSize)
                .optSeed(42)
                .optThreads(threads)
                .build();
    }

    private BatchLoader validationLoader(ImagePreprocessor pre) {
        return BatchLoader.builder(validationSamples, SampleDecoder.of(pre))
                .optBatchSize(batchSize)
                .optShuffle(ShuffleMode.NONE)
                .optThreads(threads)
                .build();
    }

    private TransferNetwork network(NDManager manager) throws IOException {
        // Same seed as a training run, so cached and plain phases start from the same head and
        // should reach the same accuracies: a visible check that caching changes speed only.
        Engine.getInstance().setRandomSeed(42);
        // The padding the weights file declares, as a training run builds it.
        TransferNetwork network =
                MobileNetV2Weights.read(weights)
                        .newTransferNetwork(imageSize, classes, 0f, manager);
        network.setPrecision(precision);
        return network;
    }

    /** Phase 1 wall time: cache build (if any), epochs and validation after each. */
    private double featureExtraction(
            NDManager manager,
            BatchLoader train,
            BatchLoader validation,
            int epochs,
            boolean cache,
            long[] rss)
            throws IOException {
        try (NDManager scope = manager.newSubManager()) {
            TransferNetwork network = network(scope);
            network.freezeBase();
            long start = System.nanoTime();
            TrainingListener epochLine =
                    new TrainingListener() {
                        @Override
                        public void onEpochEnd(EpochRecord r) throws IOException {
                            int e = r.epoch() - 1;
                            long now =
                                    rss != null
                                            ? ProcessMemory.liveRssKib()
                                            : ProcessMemory.rssKib();
                            if (rss != null) {
                                if (e == Math.min(1, epochs - 1)) {
                                    rss[0] = now << 10; // after epoch 2
                                }
                                rss[1] = now << 10; // after the last epoch so far
                            }
                            out.printf(
                                    Locale.ROOT,
                                    "  epoch %d: %.1fs, val_accuracy %.4f, rss %d MiB%s%n",
                                    r.epoch(),
                                    (System.nanoTime() - start) / 1e9,
                                    r.valAccuracy(),
                                    now >> 10,
                                    rss != null ? " (after a full GC)" : "");
                            if (Double.isNaN(r.loss())) {
                                throw new IOException("no training images could be decoded");
                            }
                        }
                    };
            TransferTrainer trainer =
                    TransferTrainer.builder(network, scope).addListener(epochLine).build();
            int boundary = cache ? network.base().layers().size() : 0;
            try (Feed trainFeed = feed(train, network, boundary, scope);
                    Feed valFeed = feed(validation, network, boundary, scope);
                    Optimizer optimizer = Optimizer.rmsProp(1e-4f)) {
                trainer.fitPhase(
                        Phase.FEATURE_EXTRACTION,
                        new TransferTrainer.PhasePlan(
                                trainFeed, valFeed, 0, epochs, optimizer, start, DEFAULTS, null));
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** {cache build seconds, one epoch + validation seconds} of phase 2. */
    private double[] fineTuningEpoch(
            NDManager manager,
            BatchLoader train,
            BatchLoader validation,
            int fineTuneAt,
            boolean cache)
            throws IOException {
        try (NDManager scope = manager.newSubManager()) {
            TransferNetwork network = network(scope);
            network.setTrainableFrom(fineTuneAt);
            TransferTrainer trainer = new TransferTrainer(network, scope);
            int boundary = cache ? network.base().cutPointAtOrBefore(fineTuneAt) : 0;
            long start = System.nanoTime();
            try (Feed trainFeed = feed(train, network, boundary, scope);
                    Feed valFeed = feed(validation, network, boundary, scope);
                    Optimizer optimizer = Optimizer.rmsProp(1e-5f)) {
                double build = (System.nanoTime() - start) / 1e9;
                long epochStart = System.nanoTime();
                // The product's phase loop, one epoch (the 11th of the run) and its validation.
                trainer.fitPhase(
                        Phase.FINE_TUNING,
                        new TransferTrainer.PhasePlan(
                                trainFeed, valFeed, 10, 1, optimizer, epochStart, DEFAULTS, null));
                double epoch = (System.nanoTime() - epochStart) / 1e9;
                out.printf(
                        Locale.ROOT,
                        "  cache build %.1fs, epoch + validation %.1fs%n",
                        build,
                        epoch);
                return new double[] {build, epoch};
            }
        }
    }

    /**
     * Median ms of a full-network training step (all layers trainable), and of an inference forward
     * with BatchNorm separate (all layers trainable) and with the base frozen (BatchNorm folded, as
     * cache builds run it), on this benchmark's device: {@code bench-train --device}.
     */
    public StepFigures stepAndForward(int steps) throws IOException {
        try (NDManager manager = NDManager.newBaseManager(device)) {
            return step(manager, steps);
        }
    }

    /** Median milliseconds of {@link #stepAndForward}. */
    public record StepFigures(double stepMs, double forwardMs, double forwardFoldedMs) {}

    /** {@link #stepAndForward} in {@code manager}. */
    private StepFigures step(NDManager manager, int steps) throws IOException {
        try (NDManager scope = manager.newSubManager();
                TrainingStep step = new TrainingStep(network(scope), scope, batchSize, imageSize)) {
            double stepMs = median(steps, step::step);
            double forwardMs = median(steps, step::forward);
            step.freezeBase();
            double foldedMs = median(steps, step::forward);
            out.printf(
                    Locale.ROOT,
                    "  step %.0f ms, forward %.0f ms, forward with the base frozen (BatchNorm"
                            + " folded) %.0f ms (medians of %d, %s)%n",
                    stepMs,
                    forwardMs,
                    foldedMs,
                    steps,
                    device);
            return new StepFigures(stepMs, forwardMs, foldedMs);
        }
    }

    /** Median of {@code timed} calls of {@code ms}, after the warm-up calls. */
    private static double median(int timed, DoubleSupplier ms) {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < timed + WARM_UP_STEPS; i++) {
            double t = ms.getAsDouble();
            if (i >= WARM_UP_STEPS) {
                times.add(t);
            }
        }
        return median(times);
    }

    /**
     * Profiles the inference forward of the network with its base frozen (BatchNorm folded), as the
     * trainer's cache builds run it: after the warm-up, {@code steps} forwards of one batch are
     * recorded by libtorch's profiler into {@code trace}. Needs no training data.
     *
     * @return the median wall ms of the profiled forwards, profiler overhead included
     */
    public double profileForward(int steps, Path trace) throws IOException {
        Files.createDirectories(trace.toAbsolutePath().getParent());
        try (NDManager scope = NDManager.newBaseManager(device);
                TrainingStep step = new TrainingStep(network(scope), scope, batchSize, imageSize)) {
            step.freezeBase();
            for (int i = 0; i < WARM_UP_STEPS; i++) {
                step.forward();
            }
            List<Double> times = new ArrayList<>();
            JniUtils.startProfile(device.isGpu(), true, false);
            try {
                for (int i = 0; i < steps; i++) {
                    times.add(step.forward());
                }
            } finally {
                JniUtils.stopProfile(trace.toString());
            }
            double ms = median(times);
            out.printf(
                    Locale.ROOT,
                    "  djl: %d profiled forwards, %.0f ms each (median, with the profiler on)%n",
                    steps,
                    ms);
            return ms;
        }
    }

    /**
     * Profiles the training step {@link #run} times, with the layers from {@code trainableFrom} on
     * trainable: after the same warm-up, {@code steps} steps are recorded by libtorch's profiler
     * into {@code trace}, a Chrome trace (see {@link TraceSummary}); then, after one more backward,
     * {@code steps} optimizer updates alone into {@code updateTrace}. Needs no training data.
     *
     * @param fused the fused RMSprop update (as the trainer uses on PyTorch), else {@link
     *     KerasRmsProp}'s NDArray operations
     * @return the median wall ms of the profiled steps, profiler overhead included
     */
    public double profileStep(
            int steps, int trainableFrom, boolean fused, Path trace, Path updateTrace)
            throws IOException {
        Files.createDirectories(trace.toAbsolutePath().getParent());
        Optimizer optimizer =
                fused ? new FusedRmsProp(1e-5f, 0.9f, 1e-7f) : KerasRmsProp.withDefaults(1e-5f);
        try (NDManager scope = NDManager.newBaseManager(device);
                TrainingStep step =
                        new TrainingStep(
                                network(scope),
                                scope,
                                batchSize,
                                imageSize,
                                trainableFrom,
                                optimizer)) {
            for (int i = 0; i < WARM_UP_STEPS; i++) {
                step.step();
            }
            List<Double> times = new ArrayList<>();
            // Operators with their input shapes (the trace's "shape" field), CUDA kernels on a GPU;
            // no memory profile.
            JniUtils.startProfile(device.isGpu(), true, false);
            try {
                for (int i = 0; i < steps; i++) {
                    times.add(step.step());
                }
            } finally {
                JniUtils.stopProfile(trace.toString());
            }
            // The update alone: the same operators whatever the gradients' values, so one backward
            // serves all the updates (the first zeroes the gradients).
            step.backward();
            JniUtils.startProfile(device.isGpu(), true, false);
            try {
                for (int i = 0; i < steps; i++) {
                    step.update();
                }
            } finally {
                JniUtils.stopProfile(updateTrace.toString());
            }
            double ms = median(times);
            out.printf(
                    Locale.ROOT,
                    "  djl: %d profiled steps, %.0f ms each (median, with the profiler on), %d"
                            + " trainable tensors, %s update%n",
                    steps,
                    ms,
                    step.trainableTensors(),
                    fused ? "fused RMSprop" : "KerasRmsProp (unfused)");
            return ms;
        }
    }

    private Feed feed(
            BatchLoader loader, TransferNetwork network, int boundary, NDManager manager) {
        if (boundary == 0) {
            return new ImageFeed(loader, imageSize);
        }
        return CachedFeed.compute(loader, network, boundary, manager, imageSize, 4L << 30, n -> {});
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }
}
